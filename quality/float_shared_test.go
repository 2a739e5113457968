package quality

import (
	"fmt"
	"math"
	"testing"

	"rung/internal/vmafref"
)

// The shared reference data has no libvmaf output for the float features
// (the pairs were scored with the integer model). They are checked two
// ways: pooled, against the values Netflix's tests assert on the two peer
// vectors (TestFeaturesMatchNetflixAssertions, at the end), and per frame
// on every pair against libvmaf's integer features of the same frames,
// which compute the same quantities in fixed point and agree with the
// float ones to about 1e-4 on average (on Netflix's src01_hrc00/hrc01
// 576x324 vector their tests assert float adm2 0.934514854 and num 371.806,
// integer num 371.824). The tolerances below are what that agreement
// allows, not bit-exactness.

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

// netflixAssertion is one pooled (mean over frames) value that Netflix's
// python tests assert with assertAlmostEqual(places) on a peer test vector
// (vmaf-ref/peer/EXPECTED.md), for a quantity one of our extractors records.
type netflixAssertion struct {
	feature string  // our name
	want    float64 // asserted value
	places  int     // assertAlmostEqual places
}

// TestFeaturesMatchNetflixAssertions checks the pooled means of our
// features, on the two peer vectors Netflix's tests score, against the
// values those tests assert, to the places they assert them, for the
// distorted input (results[0]) and for the reference scored against itself
// (results[1]). python/test/vmafexec_test.py
// test_run_vmafexec_runner_yuv420p10le_sparks asserts vif_scale*, motion2,
// adm2, float_psnr, float_ssim and float_ms_ssim on sparks 480x270 10-bit;
// python/test/quality_runner_test.py test_run_vmaf_runner_input160x90
// asserts vif_scale*, motion2 and adm2 on the 160x90 vector (under the
// integer features' names; its adm2, 0.9807496975664337, is the float
// ADM's to 1e-8). These are the only Netflix assertions that apply to the
// float features on files in the shared data.
func TestFeaturesMatchNetflixAssertions(t *testing.T) {
	tests := []struct {
		name     string
		vsItself bool
		want     []netflixAssertion
	}{
		{"nflx_sparks_480x270_10bit.vmaf_v0.6.1_features", false, []netflixAssertion{
			{"vif_scale0", 0.9240746, 4}, {"vif_scale1", 0.9968371999999999, 4},
			{"vif_scale2", 0.9987575999999999, 4}, {"vif_scale3", 0.9993221999999999, 4},
			{"motion2", 0.7523685999999999, 3}, {"adm2", 0.9981770000000001, 4},
			{"psnr_y", 48.81622, 4}, {"float_ssim", 0.99566, 4}, {"float_ms_ssim", 0.9993778000000001, 4},
		}},
		{"nflx_sparks_480x270_10bit.vmaf_v0.6.1_features", true, []netflixAssertion{
			{"vif_scale0", 1.0, 4}, {"vif_scale1", 0.9999990000000001, 4},
			{"vif_scale2", 0.9999990000000001, 4}, {"vif_scale3", 0.9999990000000001, 4},
			{"motion2", 0.7523685999999999, 3}, {"adm2", 1.0, 4},
			{"psnr_y", 72.0, 4}, {"float_ssim", 1.0, 4}, {"float_ms_ssim", 1.0, 4},
		}},
		{"nflx_src01_hrc01_160x90.vmaf_v0.6.1_features", false, []netflixAssertion{
			{"vif_scale0", 0.6895391472210215, 4}, {"vif_scale1", 0.9576202275437821, 4},
			{"vif_scale2", 0.97696930627404, 4}, {"vif_scale3", 0.9829181243754922, 4},
			{"motion2", 1.3577417291666667, 4}, {"adm2", 0.9807496975664337, 4},
		}},
		{"nflx_src01_hrc01_160x90.vmaf_v0.6.1_features", true, []netflixAssertion{
			{"vif_scale0", 1.00000001415, 4}, {"vif_scale1", 0.99999972612, 4},
			{"vif_scale2", 0.999999465724, 4}, {"vif_scale3", 0.999999399683, 4},
			{"motion2", 1.3577417291666667, 4}, {"adm2", 1.0, 4},
		}},
	}
	for _, tc := range tests {
		label := "dist"
		if tc.vsItself {
			label = "ref-vs-ref"
		}
		t.Run(tc.name+"/"+label, func(t *testing.T) {
			dir, e := vmafref.Find(t, tc.name)
			got := NewScores()
			motion := NewFloatMotion()
			exts := []Extractor{NewFloatVIF(), NewFloatADM(), motion, NewPSNR(PSNROptions{}), NewSSIM()}
			if e.Width >= 176 && e.Height >= 176 {
				exts = append(exts, NewMSSSIM())
			}
			forEachFramePair(t, dir, e, 1, func(ref, dis *Picture, i int) {
				if tc.vsItself {
					dis = ref
				}
				for _, x := range exts {
					if err := x.Extract(ref, dis, i, got); err != nil {
						t.Fatalf("frame %d: %v", i, err)
					}
				}
			})
			if err := motion.Flush(got); err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.want {
				col := got.Column(a.feature)
				if len(col) != e.Frames {
					t.Fatalf("%s: %d frames, want %d", a.feature, len(col), e.Frames)
				}
				mean := 0.0
				for _, v := range col {
					mean += v
				}
				mean /= float64(len(col))
				d := math.Abs(mean - a.want)
				t.Logf("%-14s mean %.9g, Netflix asserts %.9g (places %d): diff %.2g", a.feature, mean, a.want, a.places, d)
				if d > 0.5*math.Pow(10, -float64(a.places)) {
					t.Errorf("%s: mean %.9g, Netflix asserts %.9g to %d places", a.feature, mean, a.want, a.places)
				}
			}
		})
	}
}
