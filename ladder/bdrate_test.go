package ladder

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"
)

func curve(pairs ...[2]float64) []Point {
	ps := make([]Point, len(pairs))
	for i, p := range pairs {
		ps[i] = Point{Kbps: p[0], VMAF: p[1]}
	}
	return ps
}

// TestBDRateLibvmaf checks BDRate against the values libvmaf's
// BDrateCalculatorTest asserts (to 8 places) for its long curves.
func TestBDRateLibvmaf(t *testing.T) {
	var data struct {
		Cases []struct {
			Name      string
			Ref, Test [][2]float64
			Want      float64
		}
	}
	b, err := os.ReadFile("testdata/bdrate_libvmaf.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Cases) != 3 {
		t.Fatalf("%d cases, want 3", len(data.Cases))
	}
	for _, c := range data.Cases {
		got, err := BDRate(curve(c.Ref...), curve(c.Test...))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if math.Abs(got-c.Want) > 5e-9 {
			t.Errorf("%s: BDRate = %.12g, want %.12g", c.Name, got, c.Want)
		}
	}
}

// TestBDRateJCTVC checks both BD-rate forms on the JCTVC-E137 cases of
// libvmaf's BDrateCalculatorJCTVCTest (asserted to 4 places there).
func TestBDRateJCTVC(t *testing.T) {
	tests := []struct {
		name      string
		ref, test []Point
		want      float64
	}{
		{"1",
			curve([2]float64{108048.8736, 43.6471}, [2]float64{61279.976, 40.3953}, [2]float64{33905.6656, 37.247}, [2]float64{18883.6928, 34.2911}),
			curve([2]float64{108061.2784, 43.6768}, [2]float64{61299.9936, 40.4232}, [2]float64{33928.7472, 37.2761}, [2]float64{18910.912, 34.3147}),
			-0.00465215420752807},
		{"2",
			curve([2]float64{40433.8848, 37.5761}, [2]float64{7622.7456, 35.3756}, [2]float64{2394.488, 33.8977}, [2]float64{1017.6184, 32.0603}),
			curve([2]float64{40370.12, 37.5982}, [2]float64{7587.0024, 35.4025}, [2]float64{2390.0944, 33.9194}, [2]float64{1017.0984, 32.0822}),
			-0.018779823450567612},
	}
	for _, tt := range tests {
		got, err := BDRate(tt.ref, tt.test)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tt.want) > 5e-5 {
			t.Errorf("%s: BDRate = %.8f, want %.8f", tt.name, got, tt.want)
		}
		poly, err := BDRatePoly(tt.ref, tt.test)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(poly-tt.want) > 5e-4 {
			t.Errorf("%s: BDRatePoly = %.8f, want %.8f", tt.name, poly, tt.want)
		}
	}
}

// TestBDRateShift: a curve that needs exactly half the bitrate for every VMAF
// has a BD-rate of −50% in both forms, whatever the interpolation.
func TestBDRateShift(t *testing.T) {
	ref := curve([2]float64{200, 40}, [2]float64{450, 60}, [2]float64{900, 75}, [2]float64{2000, 88}, [2]float64{4100, 94})
	test := make([]Point, len(ref))
	for i, p := range ref {
		test[i] = Point{Kbps: p.Kbps / 2, VMAF: p.VMAF}
	}
	for name, f := range map[string]func(a, b []Point) (float64, error){"pchip": BDRate, "poly": BDRatePoly} {
		got, err := f(ref, test)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got+0.5) > 1e-9 {
			t.Errorf("%s: %v, want -0.5", name, got)
		}
		back, _ := f(test, ref)
		if math.Abs(back-1) > 1e-9 {
			t.Errorf("%s reversed: %v, want 1", name, back)
		}
	}
}

func TestBDRateRefuses(t *testing.T) {
	good := curve([2]float64{100, 50}, [2]float64{200, 70}, [2]float64{400, 85}, [2]float64{800, 93})
	tests := []struct {
		name      string
		ref, test []Point
		want      error
	}{
		{"too few", curve([2]float64{100, 50}, [2]float64{200, 70}), good, ErrTooFewPoints},
		{"vmaf falls", curve([2]float64{100, 50}, [2]float64{200, 70}, [2]float64{400, 65}, [2]float64{800, 93}), good, ErrNonMonotonic},
		{"vmaf flat", good, curve([2]float64{100, 50}, [2]float64{200, 70}, [2]float64{400, 70}), ErrNonMonotonic},
		{"zero rate", curve([2]float64{0, 40}, [2]float64{200, 70}, [2]float64{400, 80}), good, ErrZeroRate},
		{"no overlap", good, curve([2]float64{1000, 94}, [2]float64{2000, 96}, [2]float64{4000, 98}), ErrNoOverlap},
	}
	for _, tt := range tests {
		_, err := BDRate(tt.ref, tt.test)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	three := curve([2]float64{100, 50}, [2]float64{200, 70}, [2]float64{400, 85})
	if _, err := BDRatePoly(three, good); !errors.Is(err, ErrTooFewPoints) {
		t.Errorf("poly with 3 points: err = %v, want %v", err, ErrTooFewPoints)
	}
	if _, err := BDRate(three, good); err != nil {
		t.Errorf("pchip with 3 points: %v", err)
	}
}

// TestPCHIPMonotone: the interpolant passes through its points and never
// leaves the range of a segment's end values (shape preservation).
func TestPCHIPMonotone(t *testing.T) {
	x := []float64{30, 31, 50, 90, 91, 99}
	y := []float64{1, 2, 2.1, 3, 4.5, 4.6}
	p := newPCHIP(x, y)
	for i := 0; i+1 < len(x); i++ {
		prev := y[i]
		for k := 0; k <= 100; k++ {
			s := (x[i+1] - x[i]) * float64(k) / 100
			v := y[i] + s*(p.d[i]+s*(p.c[i]+s*p.b[i]))
			if v < prev-1e-12 || v > y[i+1]+1e-12 {
				t.Fatalf("segment %d: value %v at s=%v outside [%v, %v] or decreasing", i, v, s, y[i], y[i+1])
			}
			prev = v
		}
	}
	// ∫ over a single point's range is zero; over everything ≥ min·width.
	if got := p.integrate(50, 50); got != 0 {
		t.Errorf("empty integral = %v", got)
	}
}
