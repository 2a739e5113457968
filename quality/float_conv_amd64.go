//go:build !purego

package quality

//go:noescape
func fconvVPlainAVX2(dst *float32, rows, rowsB *[fconvMaxTaps]*float32, taps, n int, f *float32)

//go:noescape
func fconvVSquareAVX2(dst *float32, rows, rowsB *[fconvMaxTaps]*float32, taps, n int, f *float32)

//go:noescape
func fconvVProductAVX2(dst *float32, rows, rowsB *[fconvMaxTaps]*float32, taps, n int, f *float32)

//go:noescape
func fconvHAVX2(dst, src *float32, taps, n int, f *float32)

// fconvVerticalAsm runs fconvolve's vertical pass of one row on the first
// multiple of 8 of acc and returns how many outputs it did (0 without AVX2).
func fconvVerticalAsm(acc []float32, rowsA, rowsB *[fconvMaxTaps][]float32, f []float32, in fconvInput) int {
	n := len(acc) &^ 7
	if !iqaAVX2 || n == 0 || len(f) == 0 || len(f) > fconvMaxTaps {
		return 0
	}
	var pa, pb [fconvMaxTaps]*float32
	for k := range f {
		_ = rowsA[k][n-1]
		pa[k] = &rowsA[k][0]
		if in == fconvProduct {
			_ = rowsB[k][n-1]
			pb[k] = &rowsB[k][0]
		}
	}
	switch in {
	case fconvPlain:
		fconvVPlainAVX2(&acc[0], &pa, &pb, len(f), n, &f[0])
	case fconvSquare:
		fconvVSquareAVX2(&acc[0], &pa, &pb, len(f), n, &f[0])
	case fconvProduct:
		fconvVProductAVX2(&acc[0], &pa, &pb, len(f), n, &f[0])
	}
	return n
}

// fconvHorizontalAsm computes out[j] = Σ_k f[k]*win[j+k] for the first
// multiple of 8 of out (win holding len(out)+len(f)-1 floats) and returns
// how many it did (0 without AVX2).
func fconvHorizontalAsm(out, win []float32, f []float32) int {
	n := len(out) &^ 7
	if !iqaAVX2 || n == 0 || len(f) == 0 {
		return 0
	}
	_ = win[n+len(f)-2]
	fconvHAVX2(&out[0], &win[0], len(f), n, &f[0])
	return n
}
