//go:build !purego

package quality

import "golang.org/x/sys/cpu"

// vifAVX2 reports whether the AVX2 kernels of vif_amd64.s can run here. It is
// set once at start-up and only read; each VIF copies it (VIF.asm) so tests
// can compare the kernels with the pure-Go loops.
var vifAVX2 = cpu.X86.HasAVX2

// The AVX2 kernels (vif_amd64.s). n is a positive multiple of 8; the
// wrappers below check the slice bounds before calling them.

//go:noescape
func vifVertical8AVX2(ref, dis *[17]*uint16, n int, mu, xx, yy, xy *uint64)

//go:noescape
func vifConv17x32AVX2(dst *uint64, n int, src *uint64)

//go:noescape
func vifConv17x64AVX2(dst *uint64, n int, src *uint64)

// vifConv17x32Asm runs vifConv17 on the first multiple of 8 of dst in
// 32-bit lanes (for packed pairs whose lane sums stay below 2³²) and
// returns how many it did.
func vifConv17x32Asm(dst, src []uint64) int {
	n := len(dst) &^ 7
	if n == 0 {
		return 0
	}
	vifConv17x32AVX2(&dst[0], n, &src[:n+16][0])
	return n
}

// vifConv17x64Asm runs vifConv17 on the first multiple of 8 of dst in
// 64-bit lanes (for values below 2³²) and returns how many it did.
func vifConv17x64Asm(dst, src []uint64) int {
	n := len(dst) &^ 7
	if n == 0 {
		return 0
	}
	vifConv17x64AVX2(&dst[0], n, &src[:n+16][0])
	return n
}

// vifVertical8Asm runs the vertical pass of statistic8 on the first
// multiple of 8 of the row's columns and returns how many it did: mu gets
// the rounded means packed (mu1 | mu2<<32), xx, yy, xy the sums of
// squares and products.
func vifVertical8Asm(ref, dis *[17][]uint16, mu, xx, yy, xy []uint64) int {
	n := len(mu) &^ 7
	if n == 0 {
		return 0
	}
	var p, q [17]*uint16
	for k := range p {
		p[k], q[k] = &ref[k][:n][0], &dis[k][:n][0]
	}
	vifVertical8AVX2(&p, &q, n, &mu[0], &xx[:n][0], &yy[:n][0], &xy[:n][0])
	return n
}
