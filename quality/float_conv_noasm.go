//go:build purego || !amd64

package quality

func fconvVerticalAsm(acc []float32, rowsA, rowsB *[fconvMaxTaps][]float32, f []float32, in fconvInput) int {
	return 0
}

func fconvHorizontalAsm(out, win []float32, f []float32) int { return 0 }
