package ladder

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shotPoints makes a shot's points at one size from (CRF, bits, VMAF)
// triples, every frame scoring the mean.
func shotPoints(frames int, size Size, pts ...[3]float64) []ShotPoint {
	out := make([]ShotPoint, len(pts))
	for i, p := range pts {
		f := make([]float64, frames)
		for j := range f {
			f[j] = p[2]
		}
		out[i] = ShotPoint{Size: size, CRF: p[0], Bits: p[1], VMAF: p[2], Frames: f}
	}
	return out
}

func TestFrontier(t *testing.T) {
	s := Size{640, 360}
	easy := Shot{Index: 0, Start: 0, End: 50, Points: shotPoints(50, s,
		[3]float64{20, 400e3, 98}, [3]float64{26, 200e3, 97}, [3]float64{32, 100e3, 95}, [3]float64{38, 50e3, 90})}
	hard := Shot{Index: 1, Start: 50, End: 100, Points: shotPoints(50, s,
		[3]float64{20, 4000e3, 95}, [3]float64{26, 2000e3, 90}, [3]float64{32, 1000e3, 80}, [3]float64{38, 500e3, 65})}
	const secs = 4.0
	tests := []struct {
		name  string
		shots []Shot
		n     int // frontier points
	}{
		{"one shot is its own hull", []Shot{easy}, 4},
		{"two shots: every step of both", []Shot{easy, hard}, 7},
		{"a shot without points", []Shot{easy, {Index: 1, Start: 50, End: 100}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Frontier(tc.shots, secs)
			if len(f) != tc.n {
				t.Fatalf("%d frontier points, want %d: %+v", len(f), tc.n, f)
			}
			for i := 1; i < len(f); i++ {
				if f[i].Kbps <= f[i-1].Kbps || f[i].VMAF <= f[i-1].VMAF {
					t.Errorf("frontier not increasing at %d: %.1f kb/s %.2f after %.1f kb/s %.2f", i, f[i].Kbps, f[i].VMAF, f[i-1].Kbps, f[i-1].VMAF)
				}
				if len(f[i].Shots) != len(tc.shots) || len(f[i].Frames) != 100*len(tc.shots)/2 {
					t.Errorf("point %d: %d choices, %d frames", i, len(f[i].Shots), len(f[i].Frames))
				}
			}
		})
	}
	// The uniform CRFs (per-title points) lie on or below the per-shot
	// frontier: at each one's bitrate the frontier is at least as good.
	f := Frontier([]Shot{easy, hard}, secs)
	for k := range easy.Points {
		bits := easy.Points[k].Bits + hard.Points[k].Bits
		v := (easy.Points[k].VMAF + hard.Points[k].VMAF) / 2
		p, _ := FrontierAt(f, bits/1000/secs)
		if p.Kbps > bits/1000/secs+1e-9 || p.VMAF < v-1e-9 {
			t.Errorf("crf %g: uniform %.1f kb/s VMAF %.2f beats the frontier's %.1f kb/s VMAF %.2f", easy.Points[k].CRF, bits/1000/secs, v, p.Kbps, p.VMAF)
		}
	}
	// Just above uniform CRF 32 (1100 kbits, VMAF 87.5), per-shot spends the
	// extra 100 kbits on the easy shot's steep step: easy at 26 (97), hard
	// at 32 (80) = 1200 kbits, VMAF 88.5.
	p, _ := FrontierAt(f, 1250e3/1000/secs)
	if p.Shots[0].CRF != 26 || p.Shots[1].CRF != 32 || math.Abs(p.VMAF-88.5) > 1e-9 || p.Kbps != 1200e3/1000/secs {
		t.Errorf("at 312 kb/s: %+v, %.1f kb/s VMAF %.2f, want CRF 26 and 32 at 300 kb/s, 88.5", p.Shots, p.Kbps, p.VMAF)
	}
	if p.Shots[1].Kbps != 1000e3/1000/2 {
		t.Errorf("shot 1 bitrate %g kb/s, want 500", p.Shots[1].Kbps)
	}
}

// TestFrontierIsLagrangian checks on random shots, against every
// combination of their points, that no allocation beats a frontier point at
// its bitrate or below, and that every vertex of the upper hull of all
// allocations is on the frontier.
func TestFrontierIsLagrangian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := Size{320, 180}
	for trial := 0; trial < 50; trial++ {
		var shots []Shot
		start := 0
		for i := 0; i < 3; i++ {
			n := 10 + rng.IntN(30)
			var pts [][3]float64
			bits, v := 1e4*(1+rng.Float64()*10), 30+rng.Float64()*30
			for k := 0; k < 4; k++ {
				pts = append(pts, [3]float64{float64(k), bits, v})
				bits *= 1.3 + rng.Float64()
				v += rng.Float64() * 15
			}
			shots = append(shots, Shot{Index: i, Start: start, End: start + n, Points: shotPoints(n, s, pts...)})
			start += n
		}
		f := Frontier(shots, 1)
		var all []Point
		for a := 0; a < 4; a++ {
			for b := 0; b < 4; b++ {
				for c := 0; c < 4; c++ {
					ps := []ShotPoint{shots[0].Points[a], shots[1].Points[b], shots[2].Points[c]}
					var bits, q float64
					for i, p := range ps {
						bits += p.Bits
						q += p.VMAF * float64(shots[i].Frames())
					}
					all = append(all, Point{Kbps: bits / 1000, VMAF: q / float64(start)})
				}
			}
		}
		for _, p := range f {
			for _, c := range all {
				if c.Kbps <= p.Kbps+1e-9 && c.VMAF > p.VMAF+1e-9 {
					t.Fatalf("trial %d: allocation %.3f kb/s %.4f beats frontier point %.3f kb/s %.4f", trial, c.Kbps, c.VMAF, p.Kbps, p.VMAF)
				}
			}
		}
		for _, h := range Hull(all) {
			found := false
			for _, p := range f {
				found = found || math.Abs(p.Kbps-h.Kbps) < 1e-9 && math.Abs(p.VMAF-h.VMAF) < 1e-9
			}
			if !found {
				t.Fatalf("trial %d: hull vertex %.3f kb/s %.4f is not on the frontier", trial, h.Kbps, h.VMAF)
			}
		}
	}
}

func TestPerShotPointsOneSizePerPoint(t *testing.T) {
	a, b := Size{640, 360}, Size{320, 180}
	shots := []Shot{
		{Index: 0, Start: 0, End: 10, Points: append(shotPoints(10, a, [3]float64{20, 1e5, 90}, [3]float64{30, 5e4, 80}), shotPoints(10, b, [3]float64{20, 4e4, 85})...)},
		{Index: 1, Start: 10, End: 20, Points: append(shotPoints(10, a, [3]float64{20, 2e5, 85}, [3]float64{30, 1e5, 70}), shotPoints(10, b, [3]float64{20, 6e4, 75})...)},
	}
	ps := PerShotPoints(shots, 1)
	if len(ps) != 4 { // 640x360: 3 frontier points, 320x180: 1
		t.Fatalf("%d points, want 4", len(ps))
	}
	for _, p := range ps {
		for _, c := range p.Shots {
			if c.Width != p.Width || c.Height != p.Height {
				t.Errorf("point %v mixes sizes: %+v", Size{p.Width, p.Height}, p.Shots)
			}
		}
	}
	if err := checkShots(shots, 20); err != nil {
		t.Error(err)
	}
	if err := checkShots(shots, 21); err == nil {
		t.Error("shots ending at 20 of 21 frames accepted")
	}
	if err := checkShots(shots[1:], 20); err == nil {
		t.Error("shots starting at frame 10 accepted")
	}
}

func TestFrontierAt(t *testing.T) {
	f := []Point{{Kbps: 100, VMAF: 50}, {Kbps: 200, VMAF: 70}, {Kbps: 400, VMAF: 80}}
	for _, tc := range []struct{ kbps, want float64 }{{50, 100}, {100, 100}, {399, 200}, {400, 400}, {1e9, 400}} {
		if p, ok := FrontierAt(f, tc.kbps); !ok || p.Kbps != tc.want {
			t.Errorf("FrontierAt(%g) = %g, want %g", tc.kbps, p.Kbps, tc.want)
		}
	}
	if _, ok := FrontierAt(nil, 1); ok {
		t.Error("empty frontier gave a point")
	}
}

// TestMixedSizesBDRate: the summary measures what one size per rendition
// leaves out. When an easy shot looks better small at low rates and a hard
// one needs the large size, letting each shot take its own size saves
// bits (a negative BD-rate); with one size to choose from it saves none.
func TestMixedSizesBDRate(t *testing.T) {
	a, b := Size{640, 360}, Size{320, 180}
	bitsA := []float64{1e5, 2e5, 4e5, 8e5, 1.6e6}
	at := func(frames int, size Size, bits []float64, scale float64, vmaf ...float64) []ShotPoint {
		var tr [][3]float64
		for i, v := range vmaf {
			tr = append(tr, [3]float64{float64(20 + 3*i), bits[i] * scale, v})
		}
		return shotPoints(frames, size, tr...)
	}
	easy := append(at(50, a, bitsA, 1, 60, 72, 82, 89, 94), at(50, b, bitsA, 0.5, 66, 76, 83, 86, 87)...)
	hard := append(at(50, a, bitsA, 1, 40, 55, 68, 78, 85), at(50, b, bitsA, 0.5, 30, 42, 50, 55, 58)...)
	for _, c := range []struct {
		name  string
		shots []Shot
		want  func(float64) bool
	}{
		{"two sizes", []Shot{{Index: 0, Start: 0, End: 50, Points: easy}, {Index: 1, Start: 50, End: 100, Points: hard}}, func(v float64) bool { return v < -1 }},
		{"one size", []Shot{{Index: 0, Start: 0, End: 50, Points: easy[:5]}, {Index: 1, Start: 50, End: 100, Points: hard[:5]}}, func(v float64) bool { return math.Abs(v) < 1e-9 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			one := Hull(PerShotPoints(c.shots, 4))
			s := perShotSummary(c.shots, SearchResult{Hull: one}, 4)
			if s.MixedBDRate == nil || !c.want(*s.MixedBDRate) {
				t.Fatalf("mixed-size BD-rate %v", s.MixedBDRate)
			}
			t.Logf("mixed-size BD-rate %+.2f%%", *s.MixedBDRate)
		})
	}
}
