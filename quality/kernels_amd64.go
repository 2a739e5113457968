//go:build !purego

package quality

import "golang.org/x/sys/cpu"

//go:generate go run -C asm . -out ../gen_amd64.s -stubs ../gen_amd64.go -pkg quality

// Which of the generated kernels (gen_amd64.s, from asm/main.go) this CPU
// runs: the AVX-512 ones need the F, BW, DQ and VL subsets (every
// AVX-512 CPU since Skylake-X and Zen 4 has them). They are set once at
// start-up and only read; Motion and VIF copy them (Motion.asm,
// VIF.avx512) so tests can compare the kernels with the pure-Go loops.
var (
	avx512OK       = cpu.X86.HasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL
	widen8AVX512OK = avx512OK
	widen8AVX2OK   = cpu.X86.HasAVX2
	motionAVX512   = avx512OK
)

// avx512Part is how many of n items the AVX-512 twin of a kernel takes
// before the AVX2 one does the rest: the largest multiple of block (a
// power of two) in n when avx512 is set, else none.
func avx512Part(n, block int, avx512 bool) int {
	if !avx512 {
		return 0
	}
	return n &^ (block - 1)
}

// widen8Asm zero-extends the first multiple of 32 or 64 bytes of src
// into dst and returns how many it did.
func widen8Asm(dst []uint16, src []byte) int {
	switch {
	case widen8AVX512OK && len(src) >= 64:
		n := len(src) &^ 63
		widen8AVX512(&dst[:n][0], &src[0], n)
		return n
	case widen8AVX2OK && len(src) >= 32:
		n := len(src) &^ 31
		widen8AVX2(&dst[:n][0], &src[0], n)
		return n
	}
	return 0
}

// motionDiffAsm sets d[j] = prev[j] - cur[j] on the first multiple of 16
// of d and returns how many it did.
func motionDiffAsm(prev, cur []uint16, d []int32) int {
	n := len(d) &^ 15
	if n == 0 {
		return 0
	}
	motionDiffAVX512(&prev[:n][0], &cur[:n][0], &d[0], n)
	return n
}

// motionVerticalAsm runs motionSAD's vertical pass over rows d on the
// first multiple of 8 of row and returns how many it did and whether any
// of them is non-zero.
func motionVerticalAsm(d *[5][]int32, row []int32, shift uint) (int, bool) {
	n := len(row) &^ 7
	if n == 0 {
		return 0, false
	}
	var p [5]*int32
	for k := range p {
		p[k] = &d[k][:n][0]
	}
	nz := motionVerticalAVX512(&p, &row[0], n, uint64(shift), 1<<(shift-1))
	return n, nz
}

// motionHorizontalAsm sums motionSAD's horizontal pass over the outputs
// 2 .. 2+n-1 of row, n the largest multiple of 8 that leaves two samples
// at the end, and returns n and the uint32 sum.
func motionHorizontalAsm(row []int32) (int, uint32) {
	n := (len(row) - 4) &^ 7
	if n <= 0 {
		return 0, 0
	}
	return n, motionHorizontalAVX512(&row[:n+4][0], n)
}
