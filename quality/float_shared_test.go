package quality

import (
	"fmt"
	"math"
	"testing"

	"rung/internal/vmafref"
)

// The shared reference data has no libvmaf output for the float features
// (the pairs were scored with the integer model), and Netflix's tests assert
// float VIF/ADM/motion values only on files that are not in it. So the float
// features are checked here against libvmaf's integer features of the same
// frames, which compute the same quantities in fixed point and agree with
// the float ones to a few 1e-5 on Netflix's own vectors (e.g.
// src01_hrc00/hrc01 576x324: float adm2 0.934514854, integer 0.934514917).
// The tolerances below are what that agreement allows, not bit-exactness.

// floatCrossCheck pairs one of our float features with libvmaf's integer
// counterpart, the largest difference accepted on one frame (absolute, or
// relative to the integer value when that is above 1) and the largest mean
// absolute difference over the frames of one pair.
type floatCrossCheck struct {
	ours, libvmaf string
	tol, meanTol  float64
}

// checkFloatAgainstInteger runs newExt over every `_features` pair and
// compares per frame and per pair.
func checkFloatAgainstInteger(t *testing.T, checks []floatCrossCheck, stride func(vmafref.Entry) int, newExt func() Extractor) {
	dir, entries := vmafref.Entries(t)
	var md maxDiffs
	t.Run("pairs", func(t *testing.T) {
		for _, e := range entries {
			if !e.Features {
				continue
			}
			t.Run(e.Name, func(t *testing.T) {
				t.Parallel()
				want := vmafref.LoadResult(t, dir, e.JSONHP)
				ext := newExt()
				fl, temporal := ext.(Flusher)
				stride := stride(e)
				if temporal {
					stride = 1 // a temporal feature needs every frame
				}
				got := NewScores()
				forEachFramePair(t, dir, e, stride, func(ref, dis *Picture, i int) {
					if err := ext.Extract(ref, dis, i, got); err != nil {
						t.Fatalf("frame %d: %v", i, err)
					}
				})
				if temporal {
					if err := fl.Flush(got); err != nil {
						t.Fatal(err)
					}
				}
				sums := make([]float64, len(checks))
				frames := 0
				for i := 0; i < e.Frames; i += stride {
					frames++
					for k, c := range checks {
						g, ok := got.Get(c.ours, i)
						if !ok {
							t.Fatalf("frame %d: %s not recorded", i, c.ours)
						}
						w, ok := want.Frames[i].Metrics[c.libvmaf]
						if !ok {
							t.Fatalf("frame %d: libvmaf JSON has no %s", i, c.libvmaf)
						}
						d := math.Abs(g - w)
						sums[k] += d / max(1, math.Abs(w))
						md.add(c.ours+" vs "+c.libvmaf, fmt.Sprintf("%s frame %d", e.Name, i), d)
						if d > c.tol*max(1, math.Abs(w)) {
							t.Errorf("frame %d: %s = %.7g, libvmaf %s = %.7g (diff %.3g > %g)", i, c.ours, g, c.libvmaf, w, d, c.tol)
						}
					}
				}
				for k, c := range checks {
					mean := sums[k] / float64(frames)
					md.add("mean "+c.ours+" vs "+c.libvmaf, e.Name, mean)
					if mean > c.meanTol {
						t.Errorf("%s: mean |diff| with %s over %d frames = %.3g > %g", c.ours, c.libvmaf, frames, mean, c.meanTol)
					}
				}
			})
		}
	})
	md.log(t)
}

// TestFloatVIFAgreesWithIntegerVIF compares vif_scale0..3 with libvmaf's
// integer_vif_scale0..3 on every `_features` pair.
func TestFloatVIFAgreesWithIntegerVIF(t *testing.T) {
	// The coarse scales differ more: on flat content many samples sit near
	// the σr² < σ_nsq switch of vif_statistic, where VIF is discontinuous,
	// and fixed point and float fall on different sides of it.
	tol := [4]float64{1e-3, 1e-3, 2.5e-3, 2.5e-3}
	meanTol := [4]float64{5e-4, 5e-4, 1e-3, 1e-3}
	var checks []floatCrossCheck
	for s := 0; s < 4; s++ {
		checks = append(checks, floatCrossCheck{fmt.Sprintf("vif_scale%d", s), fmt.Sprintf("integer_vif_scale%d", s), tol[s], meanTol[s]})
	}
	// Every 3rd frame (10th at 720p and above): float VIF is the slowest.
	stride := func(e vmafref.Entry) int { return max(3, 2*featureStride(e)) }
	checkFloatAgainstInteger(t, checks, stride, func() Extractor { return NewFloatVIF() })
}

// TestFloatMotionAgreesWithIntegerMotion compares motion and motion2 with
// libvmaf's integer_motion and integer_motion2 on every `_features` pair,
// every frame.
func TestFloatMotionAgreesWithIntegerMotion(t *testing.T) {
	checkFloatAgainstInteger(t, []floatCrossCheck{
		{"motion2", "integer_motion2", 1e-3, 1e-4},
		{"motion", "integer_motion", 1e-3, 1e-4},
	}, featureStride, func() Extractor { return NewFloatMotion() })
}

// TestFloatADMAgreesWithIntegerADM compares adm2 and adm_scale0..3 with
// libvmaf's integer_adm2 and integer_adm_scale0..3 on every `_features`
// pair.
func TestFloatADMAgreesWithIntegerADM(t *testing.T) {
	// On the most distorted pairs (CRF 45) a few large coarse-scale
	// coefficients fall on different sides of the 1-degree orientation test
	// in fixed point and in float, which moves one frame's scale 3 by up to
	// 0.5%; the means stay close.
	tol := [4]float64{1e-3, 2e-3, 1e-3, 5e-3}
	checks := []floatCrossCheck{{"adm2", "integer_adm2", 2.5e-3, 2e-4}}
	for s := 0; s < 4; s++ {
		checks = append(checks, floatCrossCheck{fmt.Sprintf("adm_scale%d", s), fmt.Sprintf("integer_adm_scale%d", s), tol[s], 1e-3})
	}
	checkFloatAgainstInteger(t, checks, featureStride, func() Extractor { return NewFloatADM() })
}
