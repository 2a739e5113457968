package quality

import (
	"errors"
	"math"
	"sort"
	"testing"

	"rung/internal/vmafref"
)

// TestPoolTable checks every method on small hand-computed inputs.
func TestPoolTable(t *testing.T) {
	ten := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10} // 1..10 shuffled
	var hundred []float64
	for i := 100; i >= 1; i-- {
		hundred = append(hundred, float64(i))
	}
	for _, c := range []struct {
		method string
		vals   []float64
		want   float64
	}{
		{"mean", ten, 5.5},
		{"min", ten, 1},
		{"max", ten, 10},
		{"harmonic_mean", []float64{0, 0}, 0},
		{"harmonic_mean", []float64{1, 3}, 2/(1.0/2+1.0/4) - 1},
		{"p50", ten, 5.5},
		{"p0", ten, 1},
		{"p100", ten, 10},
		{"p10", ten, 1.9},      // rank 0.9
		{"p1", hundred, 1.99},  // rank 0.99
		{"p5", hundred, 5.95},  // rank 4.95
		{"p10", hundred, 10.9}, // rank 9.9
		{"p50", hundred, 50.5}, // rank 49.5
		{"p99.5", hundred, 99.505},
		{"p50", []float64{42}, 42},
		{"low1", hundred, 1},              // ⌈1⌉ = 1 value
		{"low1", ten, 1},                  // at least one
		{"low1", append(hundred, 0), 0.5}, // 101 values → 2 worst: 0 and 1
		{"low10", ten, 1},
		{"low50", ten, 3},
		{"low100", ten, 5.5},
	} {
		got, err := Pool(c.method, c.vals)
		if err != nil {
			t.Errorf("Pool(%s, %v): %v", c.method, c.vals, err)
			continue
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Pool(%s, %v) = %.15g, want %.15g", c.method, c.vals, got, c.want)
		}
	}
	for _, m := range PoolMethods() {
		if _, err := Pool(m, ten); err != nil {
			t.Errorf("listed method %s: %v", m, err)
		}
	}
	for _, m := range []string{"median", "p", "p101", "p-1", "pNaN", "low0", "low", "lowx", "", "MEAN"} {
		if _, err := Pool(m, ten); !errors.Is(err, ErrPoolMethod) {
			t.Errorf("Pool(%q): err = %v, want ErrPoolMethod", m, err)
		}
	}
	if _, err := Pool("mean", nil); err == nil {
		t.Error("no values accepted")
	}
	if _, err := Pool("mean", []float64{1, math.NaN()}); err == nil {
		t.Error("NaN accepted")
	}
}

// TestPoolMatchesLibvmaf recomputes every pooled_metrics entry (min, max,
// mean, harmonic_mean of every feature and score) of every reference run
// from its per-frame values and requires libvmaf's printed value within
// 1e-6 (full-precision json-hp where the run has it, else the 6-digit json,
// where both the frames and the pooled values are rounded to 6 decimals).
func TestPoolMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	worst := map[string]float64{}
	for _, e := range entries {
		rel := e.JSONHP
		if rel == "" {
			rel = e.JSON
		}
		res := vmafref.LoadResult(t, dir, rel)
		for name, pooled := range res.PooledMetrics {
			vals := make([]float64, len(res.Frames))
			for i, f := range res.Frames {
				v, ok := f.Metrics[name]
				if !ok {
					t.Fatalf("%s: frame %d has no %s", rel, i, name)
				}
				vals[i] = v
			}
			for method, want := range pooled {
				got, err := Pool(method, vals)
				if err != nil {
					t.Fatalf("%s %s: %v", rel, name, err)
				}
				d := math.Abs(got - want)
				worst[method] = max(worst[method], d)
				if d > 1e-6 {
					t.Errorf("%s: %s %s = %.9f, libvmaf %.9f", rel, name, method, got, want)
				}
			}
		}
	}
	methods := make([]string, 0, len(worst))
	for m := range worst {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	for _, m := range methods {
		t.Logf("largest |ours - libvmaf| %s: %.3g", m, worst[m])
	}
}
