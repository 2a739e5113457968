package quality

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"rung/internal/vmafref"
)

// TestPredictMatchesLibvmaf feeds libvmaf's own per-frame feature values
// into our model prediction for every run in pairs.json and compares every
// per-frame model output libvmaf printed (vmaf, and for the bootstrap model
// every sub-model, bagging, stddev and interval). It is independent of the
// feature extractors.
//
// The features come from full-precision json-hp output: the run's own, or
// that of the same pair's _features run when it has every feature the model
// reads (the 4k and bootstrap models read the same default-option integer
// features). Then every output must be within 1e-4 of libvmaf's. The neg
// model's egl_1 features exist only in 6-digit json; there the difference
// must be within what rounding the inputs to 6 decimals explains (the sum
// of |∂score/∂x|·5e-7 over the features, measured by central differences,
// with a 50% margin) plus 1e-6 for the printed output.
func TestPredictMatchesLibvmaf(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	hp := map[string]*vmafref.Result{}
	for _, e := range entries {
		if e.JSONHP != "" {
			hp[e.Pair] = vmafref.LoadResult(t, dir, e.JSONHP)
		}
	}
	worst := map[string]float64{}
	models := map[string]*Model{}
	for _, e := range entries {
		m, ok := models[e.Model]
		if !ok {
			var err error
			m, err = LoadModel(filepath.Join(dir, "vmaf", "model", e.Model+".json"))
			if err != nil {
				t.Fatal(err)
			}
			models[e.Model] = m
		}
		out := e.JSON
		if e.JSONHP != "" {
			out = e.JSONHP
		}
		res := vmafref.LoadResult(t, dir, out)
		feats, exact := res, false
		if h := hp[e.Pair]; h != nil && hasInputs(h, m) {
			feats, exact = h, true
		}
		if len(feats.Frames) != len(res.Frames) {
			t.Fatalf("%s: %d frames, features have %d", e.Name, len(res.Frames), len(feats.Frames))
		}
		for i, f := range res.Frames {
			s := NewScores()
			for name, v := range feats.Frames[i].Metrics {
				s.Set(name, 0, v)
			}
			preds, err := m.PredictAll(s, 0)
			if err != nil {
				t.Fatalf("%s frame %d: %v", e.Name, i, err)
			}
			if _, ok := f.Metrics["vmaf_bagging"]; ok && len(preds) == 1 {
				t.Fatalf("%s: libvmaf printed bootstrap scores, we predicted only %s", e.Name, preds[0].Name)
			}
			var bound []float64
			if !exact {
				bound = roundingBound(t, m, s)
			}
			for k, p := range preds {
				want, ok := f.Metrics[p.Name]
				if !ok {
					t.Fatalf("%s frame %d: libvmaf printed no %s", e.Name, i, p.Name)
				}
				d := math.Abs(p.Value - want)
				tol := 1e-4
				if !exact {
					tol = 1.5*bound[k] + 1e-6
				}
				key := e.Model + " " + p.Name
				if len(p.Name) == len("vmaf_0001") && p.Name[:6] == "vmaf_0" {
					key = e.Model + " vmaf_00NN"
				}
				switch {
				case !exact:
					key += " (6-digit features)"
				case out == e.JSONHP:
					key += " (json-hp output)"
				}
				worst[key] = max(worst[key], d)
				if d > tol {
					t.Errorf("%s frame %d: %s = %.9f, libvmaf %.9f (|d| %.3g > %.3g)", e.Name, i, p.Name, p.Value, want, d, tol)
				}
			}
		}
	}
	keys := make([]string, 0, len(worst))
	for k := range worst {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("largest |ours - libvmaf| %-50s %.3g", k+":", worst[k])
	}
}

// hasInputs reports whether every frame of r has every feature m reads.
func hasInputs(r *vmafref.Result, m *Model) bool {
	for _, f := range r.Frames {
		for _, in := range m.Inputs() {
			if _, ok := f.Metrics[in.Name]; !ok {
				return false
			}
		}
	}
	return true
}

// roundingBound returns, per output of m.PredictAll at frame 0 of s, the
// change that rounding each input to 6 decimals can cause: Σ_k |∂y/∂x_k|·5e-7.
func roundingBound(t *testing.T, m *Model, s *Scores) []float64 {
	t.Helper()
	const h, half = 1e-6, 5e-7
	var bound []float64
	for _, in := range m.Inputs() {
		x, _ := s.Get(in.Name, 0)
		var ys [2][]Prediction
		for j, dx := range []float64{-h, h} {
			s.Set(in.Name, 0, x+dx)
			p, err := m.PredictAll(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			ys[j] = p
		}
		s.Set(in.Name, 0, x)
		if bound == nil {
			bound = make([]float64, len(ys[0]))
		}
		for k := range bound {
			bound[k] += math.Abs(ys[1][k].Value-ys[0][k].Value) / (2 * h) * half
		}
	}
	return bound
}

// TestFloatModelPrediction checks vmaf_float_v0.6.1, for which libvmaf was
// not run: its SVR, normalisation and transform are those of vmaf_v0.6.1,
// only its features are libvmaf's float ones (adm2, motion2, vif_scaleN).
// Fed libvmaf's integer feature values under the float names, it must
// reproduce libvmaf's vmaf_v0.6.1 scores of every json-hp run.
func TestFloatModelPrediction(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	m, err := LoadModel(filepath.Join(dir, "vmaf", "model", "vmaf_float_v0.6.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	n := 0
	for _, e := range entries {
		if e.JSONHP == "" || e.Model != "vmaf_v0.6.1" {
			continue
		}
		res := vmafref.LoadResult(t, dir, e.JSONHP)
		for i, f := range res.Frames {
			s := NewScores()
			for _, in := range m.Inputs() {
				v, ok := f.Metrics["integer_"+in.Name]
				if !ok {
					t.Fatalf("%s frame %d: no integer_%s", e.JSONHP, i, in.Name)
				}
				s.Set(in.Name, 0, v)
			}
			got, err := m.Predict(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			d := math.Abs(got - f.Metrics["vmaf"])
			worst = max(worst, d)
			n++
			if d > 1e-4 {
				t.Errorf("%s frame %d: %.9f, libvmaf vmaf_v0.6.1 %.9f", e.JSONHP, i, got, f.Metrics["vmaf"])
			}
		}
	}
	if n == 0 {
		t.Fatal("no json-hp vmaf_v0.6.1 runs")
	}
	t.Logf("%d frames, largest |ours - libvmaf| %.3g", n, worst)
}

// TestNegModelEndToEnd closes the gap the 6-digit json leaves for the neg
// model: libvmaf printed its egl_1 features only to 6 decimals. Here our
// own integer VIF, ADM (with enhancement gain limit 1, as the model's
// feature_opts_dicts ask) and motion compute them at full precision; they
// must round to libvmaf's printed values, and the model's score from them
// must be within 1e-4 of libvmaf's printed score. VIF and ADM run on every
// featureStride-th frame.
func TestNegModelEndToEnd(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	m, err := LoadModel(filepath.Join(dir, "vmaf", "model", "vmaf_v0.6.1neg.json"))
	if err != nil {
		t.Fatal(err)
	}
	var worstFeature, worstScore float64
	for _, e := range entries {
		if e.Model != "vmaf_v0.6.1neg" {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			want := vmafref.LoadResult(t, dir, e.JSON)
			vif := NewVIF(VIFOptions{EnhnGainLimit: 1})
			adm := NewADM(ADMOptions{EnhnGainLimit: 1})
			motion := NewMotion(MotionOptions{})
			s := NewScores()
			stride := featureStride(e)
			rr, dr := openPairReaders(t, dir, e)
			rp, dp := rr.Info().NewPicture(), dr.Info().NewPicture()
			n := 0
			for ; ; n++ {
				errR, errD := rr.ReadPicture(rp), dr.ReadPicture(dp)
				if errors.Is(errR, io.EOF) && errors.Is(errD, io.EOF) {
					break
				}
				if errR != nil || errD != nil {
					t.Fatalf("frame %d: reading: ref %v, dist %v", n, errR, errD)
				}
				if err := motion.Extract(rp, dp, n, s); err != nil {
					t.Fatal(err)
				}
				if n%stride != 0 {
					continue
				}
				for _, x := range []Extractor{vif, adm} {
					if err := x.Extract(rp, dp, n, s); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := motion.Flush(s); err != nil {
				t.Fatal(err)
			}
			if n != len(want.Frames) {
				t.Fatalf("%d frames, libvmaf scored %d", n, len(want.Frames))
			}
			for i := 0; i < n; i += stride {
				f := want.Frames[i].Metrics
				for _, in := range m.Inputs() {
					got, ok := s.Get(in.Name, i)
					if !ok {
						t.Fatalf("frame %d: we wrote no %s", i, in.Name)
					}
					d := math.Abs(got - f[in.Name])
					worstFeature = max(worstFeature, d)
					if d > 5.01e-7 {
						t.Errorf("frame %d: %s = %.9f, libvmaf printed %.6f", i, in.Name, got, f[in.Name])
					}
				}
				got, err := m.Predict(s, i)
				if err != nil {
					t.Fatal(err)
				}
				d := math.Abs(got - f["vmaf"])
				worstScore = max(worstScore, d)
				if d > 1e-4 {
					t.Errorf("frame %d: vmaf = %.9f, libvmaf %.6f (|d| %.3g)", i, got, f["vmaf"], d)
				}
			}
		})
	}
	t.Logf("largest |ours - libvmaf printed|: egl_1 features %.3g, vmaf %.3g", worstFeature, worstScore)
}
