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
