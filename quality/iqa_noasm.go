//go:build purego || !amd64

package quality

// iqaAVX2 is false where there are no assembly filters.
const iqaAVX2 = false

func iqaFilter11Asm(dst, src []float32, k *[iqaWindow]float32) int { return 0 }

func iqaFilter11VerticalAsm(dst []float32, rows *[iqaWindow][]float32, k *[iqaWindow]float32) int {
	return 0
}

func iqaDecimate9Asm(out []float32, rows [][]float32, x0, w int, k []float32) int { return 0 }
