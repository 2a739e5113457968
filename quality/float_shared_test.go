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
// counterpart and the largest difference accepted, absolute or relative to
// the integer value, whichever is larger.
type floatCrossCheck struct {
	ours, libvmaf string
	tol           float64
}

// checkFloatAgainstInteger runs newExt over every `_features` pair (every
// frame for temporal extractors, featureStride otherwise) and compares.
func checkFloatAgainstInteger(t *testing.T, checks []floatCrossCheck, newExt func() Extractor) {
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
				stride := featureStride(e)
				if temporal {
					stride = 1
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
				for i := 0; i < e.Frames; i += stride {
					for _, c := range checks {
						g, ok := got.Get(c.ours, i)
						if !ok {
							t.Fatalf("frame %d: %s not recorded", i, c.ours)
						}
						w, ok := want.Frames[i].Metrics[c.libvmaf]
						if !ok {
							t.Fatalf("frame %d: libvmaf JSON has no %s", i, c.libvmaf)
						}
						d := math.Abs(g - w)
						md.add(c.ours+" vs "+c.libvmaf, fmt.Sprintf("%s frame %d", e.Name, i), d)
						if d > c.tol*max(1, math.Abs(w)) {
							t.Errorf("frame %d: %s = %.7g, libvmaf %s = %.7g (diff %.3g > %g)", i, c.ours, g, c.libvmaf, w, d, c.tol)
						}
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
	var checks []floatCrossCheck
	for s := 0; s < 4; s++ {
		checks = append(checks, floatCrossCheck{fmt.Sprintf("vif_scale%d", s), fmt.Sprintf("integer_vif_scale%d", s), tol[s]})
	}
	checkFloatAgainstInteger(t, checks, func() Extractor { return NewFloatVIF() })
}

// TestFloatMotionAgreesWithIntegerMotion compares motion and motion2 with
// libvmaf's integer_motion and integer_motion2 on every `_features` pair,
// every frame.
func TestFloatMotionAgreesWithIntegerMotion(t *testing.T) {
	checkFloatAgainstInteger(t, []floatCrossCheck{
		{"motion2", "integer_motion2", 1e-3},
		{"motion", "integer_motion", 1e-3},
	}, func() Extractor { return NewFloatMotion() })
}
