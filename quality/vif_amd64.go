//go:build !purego

package quality

import "golang.org/x/sys/cpu"

// vifAVX2 reports whether the AVX2 kernels of vif_amd64.s can run here. It is
// set once at start-up and only read; each VIF copies it (VIF.asm) so tests
// can compare the kernels with the pure-Go loops.
var vifAVX2 = cpu.X86.HasAVX2

// vifAVX512 reports whether the generated AVX-512 kernels of gen_amd64.s
// can run here (with the AVX2 ones); VIF.avx512 copies it.
var vifAVX512 = vifAVX2 && avx512OK

// The AVX2 kernels (vif_amd64.s). n is a positive multiple of the kernel's
// block of columns (4 or 8); the wrappers below check the slice bounds
// before calling them.

//go:noescape
func vifVertical8AVX2(ref, dis *[17]*uint16, n int, mu, xx, yy, xy *uint64)

//go:noescape
func vifVerticalMuAVX2(ref, dis *[17]*uint16, filt *uint32, taps int, n int, sh, rnd uint64, out *uint64)

//go:noescape
func vifVertical64AVX2(ref, dis *[17]*uint16, filt *uint32, taps int, n int, out *[5]*uint64, rnd *[4]uint64)

//go:noescape
func vifRowAVX2(mu1, mu2, xx, yy, xy *uint64, n int, log2 *uint16, gain, eps float64, sums *[4]int64, mu2shift uint64)

//go:noescape
func vifConvAVX2(dst *uint64, n int, src *uint64, filt *uint32, taps int)

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

// vifConv17x32Asm512 runs vifConv17 on the first multiple of 16 of dst
// in 32-bit lanes with the generated AVX-512 kernel and returns how many
// it did.
func vifConv17x32Asm512(dst, src []uint64) int {
	n := len(dst) &^ 15
	if n == 0 {
		return 0
	}
	vifConv17x32AVX512(&dst[0], n, &src[:n+16][0])
	return n
}

// vifConv17x64Asm512 runs vifConv17 on the first multiple of 16 of dst
// in 64-bit lanes with the generated AVX-512 kernel and returns how many
// it did.
func vifConv17x64Asm512(dst, src []uint64) int {
	n := len(dst) &^ 15
	if n == 0 {
		return 0
	}
	vifConv17x64AVX512(&dst[0], n, &src[:n+16][0])
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

// vifRowPointers sets p[k], q[k] for k < taps to columns j..n-1 of rows
// ref[k], dis[k], checking their bounds.
func vifRowPointers(p, q *[17]*uint16, ref, dis *[17][]uint16, taps, j, n int) {
	for k := range taps {
		p[k], q[k] = &ref[k][j:n][0], &dis[k][j:n][0]
	}
}

// vifVertical8Asm runs the vertical pass of statistic8 on the first
// multiple of 8 of the row's columns and returns how many it did: mu gets
// the rounded means packed (mu1 | mu2<<32), xx, yy, xy the sums of
// squares and products. With avx512 set, the generated AVX-512 kernel does
// the first multiple of 32 and the AVX2 one the rest.
func vifVertical8Asm(ref, dis *[17][]uint16, mu, xx, yy, xy []uint64, avx512 bool) int {
	n := len(mu) &^ 7
	if n == 0 {
		return 0
	}
	var p, q [17]*uint16
	j := avx512Part(n, 32, avx512)
	if j > 0 {
		vifRowPointers(&p, &q, ref, dis, 17, 0, j)
		vifVertical8AVX512(&p, &q, j, &mu[0], &xx[:j][0], &yy[:j][0], &xy[:j][0])
	}
	if j < n {
		vifRowPointers(&p, &q, ref, dis, 17, j, n)
		vifVertical8AVX2(&p, &q, n-j, &mu[j:n][0], &xx[j:n][0], &yy[j:n][0], &xy[j:n][0])
	}
	return n
}

// vifVerticalMuAsm runs subsample's vertical pass with window filt over
// rows ref[0..len(filt)-1] and dis[...] on the first multiple of 8 of the
// columns and returns how many it did: out[j] gets the two means rounded
// by sh bits and packed (ref | dis<<32). With avx512 set, the generated
// AVX-512 kernel does the first multiple of 16 and the AVX2 one the rest.
func vifVerticalMuAsm(ref, dis *[17][]uint16, filt []uint32, sh uint64, out []uint64, avx512 bool) int {
	n := len(out) &^ 7
	if n == 0 {
		return 0
	}
	var p, q [17]*uint16
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		vifRowPointers(&p, &q, ref, dis, len(filt), 0, j)
		vifVerticalMuAVX512(&p, &q, &filt[0], len(filt), j, sh, 1<<(sh-1), &out[0])
	}
	if j < n {
		vifRowPointers(&p, &q, ref, dis, len(filt), j, n)
		vifVerticalMuAVX2(&p, &q, &filt[0], len(filt), n-j, sh, 1<<(sh-1), &out[j:n][0])
	}
	return n
}

// vifVertical64Asm runs vifVertical with window filt and rounding rnd
// (shMu, rndMu, shSq, rndSq) on the first multiple of 4 of the columns and
// returns how many it did. With avx512 set, the generated AVX-512 kernel
// does the first multiple of 16 and the AVX2 one the rest.
func vifVertical64Asm(ref, dis *[17][]uint16, filt []uint32, out *[5][]uint64, rnd *[4]uint64, avx512 bool) int {
	n := len(out[0]) &^ 3
	if n == 0 {
		return 0
	}
	var p, q [17]*uint16
	var o [5]*uint64
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		vifRowPointers(&p, &q, ref, dis, len(filt), 0, j)
		for m := range o {
			o[m] = &out[m][:j][0]
		}
		vifVertical64AVX512(&p, &q, &filt[0], len(filt), j, &o, rnd)
	}
	if j < n {
		vifRowPointers(&p, &q, ref, dis, len(filt), j, n)
		for m := range o {
			o[m] = &out[m][j:n][0]
		}
		vifVertical64AVX2(&p, &q, &filt[0], len(filt), n-j, &o, rnd)
	}
	return n
}

// vifRowAsm runs vifSums.row on the first multiple of 4 of the row's
// pixels and returns how many it did: the first multiple of 8 with the
// generated AVX-512 kernel when avx512 is set, the rest with the AVX2 one.
// With packed set, hmu1 holds both means (mu1 | mu2<<32) and hmu2 is not
// read.
func vifRowAsm(a *vifSums, s *vifScratch, w int, log2 *[65537]uint16, gain float64, packed, avx512 bool) int {
	n := w &^ 3
	if n == 0 {
		return 0
	}
	mu2, shift := s.hmu2[:n], uint64(0)
	if packed {
		mu2, shift = s.hmu1[:n], 32
	}
	var t [4]int64 // both kernels add to it
	j := avx512Part(n, 8, avx512)
	if j > 0 {
		vifRowAVX512(&s.hmu1[0], &mu2[0], &s.hxx[:n][0], &s.hyy[:n][0], &s.hxy[:n][0], j, &log2[0], gain, vifEps, &t, shift)
	}
	if j < n {
		vifRowAVX2(&s.hmu1[j], &mu2[j], &s.hxx[:n][j], &s.hyy[:n][j], &s.hxy[:n][j], n-j, &log2[0], gain, vifEps, &t, shift)
	}
	a.numLog += t[0]
	a.denLog += t[1]
	a.numNonLog += t[2]
	a.denNonLog += int64(n) - t[3]
	return n
}

// vifConvEvenAsm512 runs vifConvEven[scale] (scale 1..3) on the first
// multiple of 8 of dst with the generated AVX-512 kernel and returns how
// many it did.
func vifConvEvenAsm512(dst, src []uint64, scale int) int {
	n := len(dst) &^ 7
	if n == 0 {
		return 0
	}
	s := &src[:2*n+len(vifFilter[scale])-2][0]
	switch scale {
	case 1:
		vifConvEven9AVX512(&dst[0], n, s)
	case 2:
		vifConvEven5AVX512(&dst[0], n, s)
	case 3:
		vifConvEven3AVX512(&dst[0], n, s)
	default:
		panic("quality: vifConvEvenAsm512 of scale 0") // a broken caller
	}
	return n
}

// vifConvAsm512 runs the horizontal filter filt on the first multiple of
// 16 of dst with the generated AVX-512 kernel and returns how many it did.
func vifConvAsm512(dst, src []uint64, filt []uint32) int {
	n := len(dst) &^ 15
	if n == 0 {
		return 0
	}
	vifConvAVX512(&dst[0], n, &src[:n+len(filt)-1][0], &filt[0], len(filt))
	return n
}

// vifConvAsm runs the horizontal filter filt on the first multiple of 8 of
// dst in 64-bit lanes (for src values below 2³²) and returns how many it
// did: dst[j] = Σ_t filt[t]·src[j+t].
func vifConvAsm(dst, src []uint64, filt []uint32) int {
	n := len(dst) &^ 7
	if n == 0 {
		return 0
	}
	vifConvAVX2(&dst[0], n, &src[:n+len(filt)-1][0], &filt[0], len(filt))
	return n
}
