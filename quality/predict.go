package quality

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Prediction is one named per-frame model output ("vmaf", "vmaf_bagging").
type Prediction struct {
	Name  string
	Value float64
}

// Predict returns the model's score for frame i from the feature values in
// s, as libvmaf's vmaf_predict_score_at_index computes it: each feature
// normalised (x' = slope·x + intercept for linear_rescale), the SVR
// prediction y, denormalised as (y − intercept)/slope, then the score
// transform when enabled and the clip to score_clip.
func (m *Model) Predict(s *Scores, i int) (float64, error) {
	return m.score(s, i, true)
}

// score is vmaf_predict_score_at_index; post applies transform and clip
// (libvmaf's flags 0) or skips both (DISABLE_TRANSFORM | DISABLE_CLIP).
func (m *Model) score(s *Scores, i int, post bool) (float64, error) {
	x := make([]float64, len(m.features))
	for k, f := range m.features {
		v, ok := s.Get(f.input.Name, i)
		if !ok {
			return 0, fmt.Errorf("predict %s: frame %d: no value for feature %s", m.file, i, f.input.Name)
		}
		if m.rescale {
			v = float64(f.slope*v) + f.intercept
		}
		x[k] = v
	}
	if m.chroma != 0 {
		m.correctChroma(x)
	}
	y := m.svm.predict(x)
	if m.rescale {
		y = (y - m.intercept) / m.slope
	}
	if post {
		y = m.post(y, m)
	}
	return y, nil
}

// correctChroma is predict.c's post_process_feature_from_another with the
// model's chroma_correction_parameter c: when the (normalised) chroma
// feature, denormalised, is exactly 0, which is what speed_chroma gives a
// picture without colour, it is replaced by c·(1 − adm3) (adm3
// denormalised), normalised again. ParseModel checks that exactly one
// feature name holds "adm3" and one "speed_chroma".
func (m *Model) correctChroma(x []float64) {
	var guiding float64
	guided := -1
	for k, f := range m.features {
		den := func() float64 {
			if !m.rescale {
				return x[k]
			}
			return (x[k] - f.intercept) / f.slope
		}
		if strings.Contains(f.input.Feature, "adm3") {
			guiding = den()
		}
		if strings.Contains(f.input.Feature, "speed_chroma") {
			if den() != 0 {
				return
			}
			guided = k
		}
	}
	if guided < 0 {
		return
	}
	v := float64(-m.chroma*guiding) + m.chroma
	if m.rescale {
		v = float64(m.features[guided].slope*v) + m.features[guided].intercept
	}
	x[guided] = v
}

// post applies the transform and clip of model m with the EnableTransform
// and DisableClip settings of top (the model the caller holds).
func (m *Model) post(y float64, top *Model) float64 {
	return m.clipped(m.transformed(y, top.EnableTransform), top.DisableClip)
}

// transformed is predict.c's transform: polynomial p0 + p1·y + p2·y² (the
// terms present), then the piecewise-linear knots, then rectification
// (out_lte_in: min with y, out_gte_in: max with y). It is the identity
// unless the file enables it or enable is set.
func (m *Model) transformed(y float64, enable bool) float64 {
	t := &m.transform
	if !t.enabled && !enable {
		return y
	}
	out := y
	if t.p[0] != nil || t.p[1] != nil || t.p[2] != nil {
		out = 0
		if t.p[0] != nil {
			out += *t.p[0]
		}
		if t.p[1] != nil {
			out += float64(*t.p[1] * y)
		}
		if t.p[2] != nil {
			out += float64(float64(*t.p[2]*y) * y)
		}
	}
	if t.knots != nil {
		out = piecewiseLinear(out, t.knots)
	}
	if t.outLTEIn && out > y {
		out = y
	}
	if t.outGTEIn && out < y {
		out = y
	}
	return out
}

// piecewiseLinear is predict.c's piecewise_linear_mapping over knots checked
// by setKnots: the segment containing x, extended linearly (or flat for a
// horizontal segment) below the first and above the last knot. Like libvmaf
// it walks every segment and a later match overwrites an earlier one.
func piecewiseLinear(x float64, knots [][2]float64) float64 {
	y := 0.0
	last := len(knots) - 2
	for i := 0; i <= last; i++ {
		p, q := knots[i], knots[i+1]
		in := p[0] <= x && x <= q[0]
		below := i == 0 && x < p[0]
		above := i == last && x > q[0]
		if !in && !below && !above {
			continue
		}
		if p[1] == q[1] {
			y = p[1]
			continue
		}
		var slope, offset float64
		if p[0] == 0 {
			offset = p[1]
			slope = (q[1] - offset) / q[0]
		} else {
			slope = (q[1] - p[1]) / (q[0] - p[0])
			offset = p[1] - float64(p[0]*slope)
		}
		y = float64(slope*x) + offset
	}
	return y
}

// clipped is predict.c's clip to score_clip, unless disable is set.
func (m *Model) clipped(y float64, disable bool) float64 {
	if m.clip == nil || disable {
		return y
	}
	return min(max(y, m.clip[0]), m.clip[1])
}

// PredictAll returns every per-frame output libvmaf writes for the model at
// frame i: Name's score, and for a bootstrap collection, in libvmaf's
// order, each sub-model's score (Name_0001, ...), then Name_bagging (the
// mean of the sub-models' untransformed, unclipped scores), Name_stddev
// (their population standard deviation, scaled by the transform's slope at
// the mean), Name_ci_p95_lo and Name_ci_p95_hi (their 2.5th and 97.5th
// percentiles, linearly interpolated), each then transformed and clipped
// like the first sub-model (vmaf_bootstrap_predict_score_at_index).
func (m *Model) PredictAll(s *Scores, i int) ([]Prediction, error) {
	main, err := m.Predict(s, i)
	if err != nil {
		return nil, err
	}
	out := []Prediction{{m.Name, main}}
	if len(m.bootstrap) == 0 {
		return out, nil
	}
	raw := make([]float64, len(m.bootstrap))
	for k, b := range m.bootstrap {
		if raw[k], err = b.score(s, i, false); err != nil {
			return nil, err
		}
		out = append(out, Prediction{fmt.Sprintf("%s_%04d", m.Name, k+1), b.post(raw[k], m)})
	}
	n := float64(len(raw))
	var sum float64
	for _, v := range raw {
		sum += v
	}
	mean := sum / n
	var ssd float64
	for _, v := range raw {
		d := v - mean
		ssd += float64(d * d)
	}
	stddev := math.Sqrt(ssd / n)
	slices.Sort(raw)
	first := m.bootstrap[0]
	post := func(y float64) float64 { return first.post(y, m) }
	const delta = 0.01
	slope := (post(mean+delta) - post(mean-delta)) / (2 * delta)
	return append(out,
		Prediction{m.Name + "_bagging", post(mean)},
		Prediction{m.Name + "_stddev", stddev * slope},
		Prediction{m.Name + "_ci_p95_lo", post(bootstrapPercentile(raw, 2.5))},
		Prediction{m.Name + "_ci_p95_hi", post(bootstrapPercentile(raw, 97.5))},
	), nil
}

// bootstrapPercentile is predict.c's percentile over sorted scores: linear
// interpolation at rank perc·(n−1)/100.
func bootstrapPercentile(sorted []float64, perc float64) float64 {
	p := perc * float64(len(sorted)-1) / 100
	l, r := int(math.Floor(p)), int(math.Ceil(p))
	if l == r {
		return sorted[l]
	}
	return float64(sorted[l]*(float64(r)-p)) + float64(sorted[r]*(p-float64(l)))
}
