package ladder

import (
	"errors"
	"strings"
	"testing"
)

// geomHull is a hull with points every 1.25x from 100 kb/s.
func geomHull(n int) []Point {
	var h []Point
	k, v := 100.0, 30.0
	for i := 0; i < n; i++ {
		h = append(h, Point{Width: 640, Height: 360, CRF: float64(45 - i), Kbps: k, VMAF: v})
		k *= 1.25
		v += (100 - v) * 0.15
	}
	return h
}

func TestSelect(t *testing.T) {
	h := geomHull(20) // 100 … ~6939 kb/s
	tests := []struct {
		name      string
		opt       SelectOptions
		rungs     int
		warn      string
		minK      float64
		maxK      float64
		maxV      float64
		wantTopKb float64
	}{
		{name: "default six", opt: SelectOptions{}, rungs: 6},
		{name: "three", opt: SelectOptions{Rungs: 3}, rungs: 3},
		{name: "fifteen asks too many", opt: SelectOptions{Rungs: 15}, rungs: 10, warn: "only 10 of 15"},
		{name: "bitrate window", opt: SelectOptions{Rungs: 4, MinKbps: 300, MaxKbps: 2000}, rungs: 4, minK: 300, maxK: 2000},
		{name: "max vmaf", opt: SelectOptions{Rungs: 5, MaxVMAF: 90}, rungs: 5, maxV: 90},
		{name: "top quality warning", opt: SelectOptions{Rungs: 3, MaxKbps: 400, MinTopVMAF: 93}, rungs: 3, warn: "below the wanted 93"},
	}
	for _, tt := range tests {
		s, err := Select(h, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(s.Rungs) != tt.rungs {
			t.Errorf("%s: %d rungs, want %d: %v", tt.name, len(s.Rungs), tt.rungs, s.Rungs)
		}
		if tt.warn != "" && !strings.Contains(strings.Join(s.Warnings, "\n"), tt.warn) {
			t.Errorf("%s: warnings %q, want one containing %q", tt.name, s.Warnings, tt.warn)
		}
		if tt.warn == "" && len(s.Warnings) > 0 {
			t.Errorf("%s: unexpected warnings %q", tt.name, s.Warnings)
		}
		for i, r := range s.Rungs {
			if !onHull(h, r) {
				t.Errorf("%s: rung %d not on the hull", tt.name, i)
			}
			if tt.minK > 0 && r.Kbps < tt.minK || tt.maxK > 0 && r.Kbps > tt.maxK || tt.maxV > 0 && r.VMAF > tt.maxV {
				t.Errorf("%s: rung %v outside the limits", tt.name, r)
			}
			if i > 0 {
				ratio := r.Kbps / s.Rungs[i-1].Kbps
				if ratio < 1.5-1e-9 || r.VMAF <= s.Rungs[i-1].VMAF {
					t.Errorf("%s: rungs %d→%d step %.3fx, VMAF %.2f→%.2f", tt.name, i-1, i, ratio, s.Rungs[i-1].VMAF, r.VMAF)
				}
				if tt.warn == "" && ratio > 2*stepSlack {
					t.Errorf("%s: step %.3fx above 2x", tt.name, ratio)
				}
			}
		}
		// The top rung is the best eligible hull point.
		top := s.Rungs[len(s.Rungs)-1]
		for _, p := range h {
			if p.Kbps > top.Kbps && (tt.opt.MaxKbps == 0 || p.Kbps <= tt.opt.MaxKbps) && (tt.opt.MaxVMAF == 0 || p.VMAF <= tt.opt.MaxVMAF) {
				t.Errorf("%s: top rung %.0f kb/s but %.0f kb/s is eligible", tt.name, top.Kbps, p.Kbps)
				break
			}
		}
	}
}

func TestSelectGapWarning(t *testing.T) {
	h := []Point{{Kbps: 100, VMAF: 40}, {Kbps: 150, VMAF: 50}, {Kbps: 1000, VMAF: 85}, {Kbps: 1600, VMAF: 90}}
	s, err := Select(h, SelectOptions{Rungs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rungs) != 3 || !strings.Contains(strings.Join(s.Warnings, "\n"), "above 2x") {
		t.Errorf("rungs %v warnings %q: want 3 rungs and a gap warning", s.Rungs, s.Warnings)
	}
}

func TestSelectErrors(t *testing.T) {
	h := geomHull(10)
	tests := []struct {
		name string
		hull []Point
		opt  SelectOptions
		want string
		is   error
	}{
		{"too few rungs", h, SelectOptions{Rungs: 2}, "--rungs 2: want 3 to 15", nil},
		{"too many rungs", h, SelectOptions{Rungs: 16}, "--rungs 16", nil},
		{"min above max", h, SelectOptions{MinKbps: 500, MaxKbps: 400}, "--min-kbps 500 is above --max-kbps 400", nil},
		{"impossible window", h, SelectOptions{MinKbps: 50000}, "50000–∞ kb/s", ErrNoRungs},
		{"below everything", h, SelectOptions{MaxKbps: 10}, "0–10 kb/s", ErrNoRungs},
		{"empty hull", nil, SelectOptions{}, "none of the 0 hull points", ErrNoRungs},
		{"bad step", h, SelectOptions{MinStep: 2, MaxStep: 1.5}, "step ratio", nil},
	}
	for _, tt := range tests {
		_, err := Select(tt.hull, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: err = %v, want errors.Is %v", tt.name, err, tt.is)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: multi-line error %q", tt.name, err)
		}
	}
}

func TestSelectFloorAndSaturation(t *testing.T) {
	h := geomHull(20) // VMAF 30, 40.5, 49.4, … 96.8; 1.25x apart
	tests := []struct {
		name     string
		opt      SelectOptions
		bottomGE float64 // the bottom rung's VMAF is at least this
		topKbps  float64 // the top rung's bitrate
		warn     string
	}{
		{"floor 40 drops the VMAF 30 point", SelectOptions{Rungs: 6, MinVMAF: 40}, 40, h[19].Kbps, ""},
		{"floor 60", SelectOptions{Rungs: 4, MinVMAF: 60}, 60, h[19].Kbps, ""},
		{"floor above every point: the best alone", SelectOptions{Rungs: 4, MinVMAF: 99}, 96.8, h[19].Kbps, "no hull point reaches the quality floor"},
		// The deficit 100 − VMAF of h[i] is 70·0.85^i; a 1.5x step (1.82
		// points) cuts it by 26%: under 1 VMAF from h[18] (deficit 3.7).
		{"saturation 1 VMAF", SelectOptions{Rungs: 6, Saturation: 1}, 0, h[18].Kbps, ""},
		{"saturation off", SelectOptions{Rungs: 6}, 0, h[19].Kbps, ""},
	}
	for _, tt := range tests {
		s, err := Select(h, tt.opt)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if b := s.Rungs[0]; b.VMAF < tt.bottomGE {
			t.Errorf("%s: bottom rung VMAF %.2f, want ≥ %g", tt.name, b.VMAF, tt.bottomGE)
		}
		if top := s.Rungs[len(s.Rungs)-1]; top.Kbps != tt.topKbps {
			t.Errorf("%s: top rung %.1f kb/s (VMAF %.2f), want %.1f kb/s", tt.name, top.Kbps, top.VMAF, tt.topKbps)
		}
		if got := strings.Join(s.Warnings, "\n"); tt.warn != "" && !strings.Contains(got, tt.warn) || tt.warn == "" && got != "" {
			t.Errorf("%s: warnings %q, want %q", tt.name, got, tt.warn)
		}
		if (s.Saturated != "") != (tt.opt.Saturation > 0) {
			t.Errorf("%s: saturation note %q", tt.name, s.Saturated)
		}
	}
	if _, err := Select(h, SelectOptions{MinVMAF: -1}); err == nil {
		t.Error("a negative floor was accepted")
	}
}
