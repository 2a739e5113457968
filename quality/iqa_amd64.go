//go:build !purego

package quality

import "golang.org/x/sys/cpu"

// iqaAVX2 reports whether the AVX2 filters of iqa_amd64.s can run here. It is
// set once at start-up and only read.
var iqaAVX2 = cpu.X86.HasAVX2

//go:noescape
func iqaFilter11AVX2(dst, src *float32, n int, k *[iqaWindow]float32)

//go:noescape
func iqaFilter11VerticalAVX2(dst *float32, rows *[iqaWindow]*float32, n int, k *[iqaWindow]float32)

//go:noescape
func iqaDecimate9AVX2(dst *float32, rows *[msssimLPFLen]*float32, x0, n int, k *[msssimLPFLen * msssimLPFLen]float32)

// iqaDecimate9Asm runs the MS-SSIM decimation (9x9 kernel k, factor 2) of
// one output row from output x0 on, for as many blocks of eight outputs as
// read inside the w-sample rows, writing out[x0:]; it returns how many
// outputs it did (0 without AVX2).
func iqaDecimate9Asm(out []float32, rows [][]float32, x0, w int, k []float32) int {
	if !iqaAVX2 || len(rows) != msssimLPFLen || len(k) != msssimLPFLen*msssimLPFLen || 2*x0-4 < 0 {
		return 0
	}
	// The last output x of a block reads up to column 2x+5.
	end := min((w-6)/2+1, len(out))
	n := (end - x0) &^ 7
	if n <= 0 {
		return 0
	}
	var ptrs [msssimLPFLen]*float32
	for v, r := range rows {
		_ = r[w-1]
		ptrs[v] = &r[0]
	}
	iqaDecimate9AVX2(&out[x0], &ptrs, x0, n, (*[msssimLPFLen * msssimLPFLen]float32)(k))
	return n
}

// iqaFilter11Asm runs the horizontal pass on the first multiple of 8 of dst
// and returns how many outputs it did (0 without AVX2).
func iqaFilter11Asm(dst, src []float32, k *[iqaWindow]float32) int {
	n := len(dst) &^ 7
	if !iqaAVX2 || n == 0 {
		return 0
	}
	_ = src[n+iqaWindow-2] // the kernel reads src[0 : n+10]
	iqaFilter11AVX2(&dst[0], &src[0], n, k)
	return n
}

// iqaFilter11VerticalAsm runs the vertical pass on the first multiple of 8
// of dst and returns how many outputs it did (0 without AVX2).
func iqaFilter11VerticalAsm(dst []float32, rows *[iqaWindow][]float32, k *[iqaWindow]float32) int {
	n := len(dst) &^ 7
	if !iqaAVX2 || n == 0 {
		return 0
	}
	var ptrs [iqaWindow]*float32
	for v, r := range rows {
		_ = r[n-1]
		ptrs[v] = &r[0]
	}
	iqaFilter11VerticalAVX2(&dst[0], &ptrs, n, k)
	return n
}
