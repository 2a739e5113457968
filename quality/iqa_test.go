package quality

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIQAFiltersAsmMatchGo: the assembly passes give the same float bits as
// the Go loops, on random data of every length from 1 to 40 (so the tails
// after the last block of eight are covered too).
func TestIQAFiltersAsmMatchGo(t *testing.T) {
	if !iqaAVX2 {
		t.Skip("no AVX2 filters on this machine")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 40; n++ {
		src := make([]float32, n+iqaWindow-1)
		var rows [iqaWindow][]float32
		for i := range src {
			src[i] = float32(rng.Float64()*65536 - 1000)
		}
		for v := range rows {
			rows[v] = make([]float32, n)
			for i := range rows[v] {
				rows[v][i] = float32(rng.NormFloat64() * 1e4)
			}
		}
		got, want := make([]float32, n), make([]float32, n)
		iqaFilter11(got, src, &iqaGaussian)
		iqaFilter11Go(want, src, &iqaGaussian)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("horizontal n=%d x=%d: asm %v, Go %v", n, i, got[i], want[i])
			}
		}
		iqaFilter11Vertical(got, &rows, &iqaGaussian)
		iqaFilter11VerticalGo(want, &rows, &iqaGaussian)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("vertical n=%d x=%d: asm %v, Go %v", n, i, got[i], want[i])
			}
		}
	}
}

// TestIQADecimateAsmMatchesGo: the AVX2 MS-SSIM decimation gives the same
// float bits as the Go loops, for even and odd sizes from the smallest
// MS-SSIM accepts.
func TestIQADecimateAsmMatchesGo(t *testing.T) {
	if !iqaAVX2 {
		t.Skip("no AVX2 filters on this machine")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range [][2]int{{11, 11}, {22, 13}, {23, 17}, {40, 31}, {97, 64}, {176, 99}} {
		w, h := size[0], size[1]
		src := make([]float32, w*h)
		for i := range src {
			src[i] = float32(rng.Float64() * 255)
		}
		sw, sh := w/2+w&1, h/2+h&1
		got, want := make([]float32, sw*sh), make([]float32, sw*sh)
		cols := make([]int, msssimLPFLen*sw)
		iqaDecimateWith(got, src, w, h, 2, msssimLPF[:], msssimLPFLen, cols, true)
		iqaDecimateWith(want, src, w, h, 2, msssimLPF[:], msssimLPFLen, cols, false)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%dx%d: output %d: asm %v, Go %v", w, h, i, got[i], want[i])
			}
		}
	}
}
