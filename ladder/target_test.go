package ladder

import (
	"math"
	"testing"
)

func TestCRFFor(t *testing.T) {
	x264 := CRFRange{18, 45, 3}
	av1 := CRFRange{20, 56, 4}
	// A chunk whose deficit 100 − VMAF doubles every 6 CRF: 4 at 20, 8 at 26.
	model := func(crf float64) float64 { return 100 - 4*math.Pow(2, (crf-20)/6) }
	tests := []struct {
		name string
		ms   []measure
		v    float64
		r    CRFRange
		want float64
	}{
		{"between two probes", []measure{{20, model(20)}, {32, model(32)}}, 93, x264, 24.8},   // 20 + 6·log2(7/4)
		{"beyond both probes", []measure{{26, model(26)}, {32, model(32)}}, 97, x264, 17.5},   // 20 + 6·log2(3/4)
		{"bracketing pair of three", []measure{{20, 97}, {30, 90}, {25, 94}}, 93, x264, 26.5}, // 25 + 5·ln(7/6)/ln(10/6)
		{"integer CRFs", []measure{{20, model(20)}, {32, model(32)}}, 93, av1, 25},
		{"clamped", []measure{{20, 50}, {30, 40}}, 99, x264, 1},
		{"one measurement", []measure{{30, 90}}, 93, x264, 30},
	}
	for _, tc := range tests {
		if got := crfFor(tc.ms, tc.v, tc.r); math.Abs(got-tc.want) > 0.051 {
			t.Errorf("%s: crf %g, want %g", tc.name, got, tc.want)
		}
	}
	if p := predictAt([]measure{{20, model(20)}, {32, model(32)}}, 26); math.Abs(p-model(26)) > 1e-9 {
		t.Errorf("predictAt(26) = %g, want %g", p, model(26))
	}
}

func TestPoolChunks(t *testing.T) {
	frames := []float64{90, 92, 94, 80, 82}
	got, err := poolChunks(frames, []ChunkFile{{Index: 0, Start: 0, End: 3}, {Index: 1, Start: 3, End: 5}}, "mean")
	if err != nil || got[0] != 92 || got[1] != 81 {
		t.Errorf("poolChunks = %v, %v; want [92 81]", got, err)
	}
	if _, err := poolChunks(frames, []ChunkFile{{Index: 0, Start: 0, End: 6}}, "mean"); err == nil {
		t.Error("a chunk past the scores was accepted")
	}
}
