package ladder

import (
	"math"
	"testing"
)

func pt(h int, crf, kbps, vmaf float64) Point {
	return Point{Width: h * 16 / 9, Height: h, CRF: crf, Kbps: kbps, VMAF: vmaf}
}

func TestHull(t *testing.T) {
	tests := []struct {
		name string
		in   []Point
		want []Point
	}{
		{"empty", nil, nil},
		{"one", []Point{pt(360, 30, 100, 50)}, []Point{pt(360, 30, 100, 50)}},
		{"concave kept",
			[]Point{pt(360, 27, 400, 80), pt(360, 33, 100, 50), pt(360, 30, 200, 70)},
			[]Point{pt(360, 33, 100, 50), pt(360, 30, 200, 70), pt(360, 27, 400, 80)}},
		{"dent dropped",
			[]Point{pt(360, 33, 100, 50), pt(360, 30, 200, 60), pt(360, 27, 300, 80)},
			[]Point{pt(360, 33, 100, 50), pt(360, 27, 300, 80)}},
		{"collinear dropped",
			[]Point{pt(360, 33, 100, 50), pt(360, 30, 200, 60), pt(360, 27, 300, 70)},
			[]Point{pt(360, 33, 100, 50), pt(360, 27, 300, 70)}},
		{"falling tail cut",
			[]Point{pt(234, 20, 100, 60), pt(360, 30, 200, 80), pt(234, 18, 400, 75)},
			[]Point{pt(234, 20, 100, 60), pt(360, 30, 200, 80)}},
		{"same rate keeps best",
			[]Point{pt(234, 30, 100, 40), pt(360, 36, 100, 45), pt(360, 30, 300, 70)},
			[]Point{pt(360, 36, 100, 45), pt(360, 30, 300, 70)}},
		{"crossing resolutions",
			[]Point{
				pt(234, 36, 80, 40), pt(234, 30, 160, 55), pt(234, 24, 320, 62), pt(234, 18, 640, 65),
				pt(360, 36, 120, 38), pt(360, 30, 240, 60), pt(360, 24, 480, 76), pt(360, 18, 960, 84),
				pt(720, 30, 600, 70), pt(720, 24, 1200, 88), pt(720, 18, 2400, 95),
			},
			[]Point{pt(234, 36, 80, 40), pt(234, 30, 160, 55), pt(360, 24, 480, 76), pt(720, 24, 1200, 88), pt(720, 18, 2400, 95)}},
		{"bad points ignored",
			[]Point{pt(360, 30, 0, 50), pt(360, 30, math.Inf(1), 99), pt(360, 30, 100, math.NaN()), pt(360, 27, 200, 60)},
			[]Point{pt(360, 27, 200, 60)}},
	}
	for _, tt := range tests {
		got := Hull(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("%s: Hull = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i].Kbps != tt.want[i].Kbps || got[i].VMAF != tt.want[i].VMAF || got[i].Height != tt.want[i].Height {
				t.Errorf("%s: Hull = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].Kbps <= got[i-1].Kbps || got[i].VMAF <= got[i-1].VMAF {
				t.Errorf("%s: hull not strictly increasing at %d: %v", tt.name, i, got)
			}
		}
	}
}

func TestHullDominates(t *testing.T) {
	// No input point lies above the hull's interpolation.
	in := []Point{
		pt(234, 36, 80, 40), pt(234, 30, 160, 55), pt(234, 24, 320, 62), pt(234, 18, 640, 65),
		pt(360, 36, 120, 38), pt(360, 30, 240, 60), pt(360, 24, 480, 76), pt(360, 18, 960, 84),
		pt(720, 30, 600, 70), pt(720, 24, 1200, 88), pt(720, 18, 2400, 95),
	}
	h := Hull(in)
	for _, p := range in {
		if v, ok := HullVMAF(h, p.Kbps); ok && p.VMAF > v+1e-9 {
			t.Errorf("%s at %.0f kb/s, VMAF %.2f above hull %.2f", p.Label(), p.Kbps, p.VMAF, v)
		}
	}
}

func TestHullVMAFAndGap(t *testing.T) {
	h := []Point{pt(360, 30, 100, 50), pt(360, 24, 300, 70)}
	tests := []struct {
		kbps float64
		want float64
		ok   bool
	}{{99, 0, false}, {100, 50, true}, {200, 60, true}, {300, 70, true}, {301, 0, false}}
	for _, tt := range tests {
		got, ok := HullVMAF(h, tt.kbps)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("HullVMAF(%v) = %v, %v; want %v, %v", tt.kbps, got, ok, tt.want, tt.ok)
		}
	}
	// In log rate, h reads 50 + 20·log(2)/log(3) ≈ 62.62 at 200 kb/s.
	better := []Point{pt(360, 30, 100, 50), pt(360, 27, 200, 65), pt(360, 24, 300, 70)}
	if mean, worst := HullGap(better, h); math.Abs(worst-(65-50-20*math.Log(2)/math.Log(3))) > 1e-9 || mean <= 0 || mean >= worst {
		t.Errorf("HullGap = %v, %v; want 0 < mean < worst = 2.38", mean, worst)
	}
	if mean, worst := HullGap(h, better); mean > 0 || worst > 0 {
		t.Errorf("HullGap reversed = %v, %v; want ≤ 0", mean, worst)
	}
	if mean, _ := HullGap(h, h); mean != 0 {
		t.Errorf("HullGap of itself = %v", mean)
	}
	if mean, _ := HullGap(h, []Point{pt(360, 18, 1000, 90)}); !math.IsInf(mean, 1) {
		t.Errorf("HullGap without overlap = %v, want +Inf", mean)
	}
}
