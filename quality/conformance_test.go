package quality

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// TestConformance scores every pair of ../shared/vmaf-ref/pairs.json with
// every model libvmaf was run with, and compares each frame with libvmaf's
// JSON: the model score within 1e-4, and every integer feature equal (to
// full precision where json-hp has it, to the printed six decimals
// otherwise). It logs the largest difference seen per feature, model and
// reference file: against json-hp it is the true difference, against json
// it includes libvmaf's rounding to six decimals (up to 5e-7).
func TestConformance(t *testing.T) {
	dir, entries := vmafref.Entries(t)
	type runKey struct{ pair, model string }
	runs := map[runKey][]vmafref.Entry{}
	var keys []runKey
	for _, e := range entries {
		k := runKey{e.Pair, e.Model}
		if _, ok := runs[k]; !ok {
			keys = append(keys, k)
		}
		runs[k] = append(runs[k], e)
	}
	worst := map[string]float64{} // "model feature" -> max |diff|
	where := map[string]string{}
	for _, k := range keys {
		es := runs[k]
		t.Run(k.pair+"."+k.model, func(t *testing.T) {
			if testing.Short() && !strings.HasPrefix(k.pair, "bottles_640x360_48f") && !strings.HasPrefix(k.pair, "nflx") {
				t.Skip("-short: only the small pairs")
			}
			model, err := LoadModel(filepath.Join(dir, "vmaf", "model", k.model+".json"))
			if err != nil {
				t.Fatal(err)
			}
			ex, err := Extractors(model, nil)
			if err != nil {
				t.Fatal(err)
			}
			ref, dis := openPairReaders(t, dir, es[0])
			res, err := Score(context.Background(), ref, dis, ScoreOptions{Extractors: ex, Model: model, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.Frames != es[0].Frames {
				t.Fatalf("scored %d frames, libvmaf %d", res.Frames, es[0].Frames)
			}
			for _, e := range es {
				want := vmafref.LoadResult(t, dir, e.JSON)
				exact := false
				if e.JSONHP != "" {
					want, exact = vmafref.LoadResult(t, dir, e.JSONHP), true
				}
				for _, fr := range want.Frames {
					for name, wv := range fr.Metrics {
						isInt := strings.HasPrefix(name, "integer_") || strings.HasPrefix(name, "VMAF_integer")
						isModel := name == "vmaf" || strings.HasPrefix(name, "vmaf_")
						if !isInt && !isModel {
							continue // psnr, ssim, ...: the toolbox tests
						}
						got, ok := res.Scores.Get(name, fr.FrameNum)
						if !ok {
							if isModel || !strings.Contains(name, "_num") && !strings.Contains(name, "_den") && name != "integer_adm" && name != "integer_vif" && name != "integer_motion" {
								t.Errorf("frame %d: %s missing", fr.FrameNum, name)
							}
							continue
						}
						d := math.Abs(got - wv)
						tol := 5e-7 + 1e-9*math.Abs(wv) // printed with %.6f
						switch {
						case isModel:
							tol = 1e-4
						case exact:
							tol = 0
						}
						src := "json"
						if exact {
							src = "json-hp"
						}
						key := fmt.Sprintf("%-16s %-7s %s", k.model, src, name)
						if d > worst[key] || where[key] == "" {
							worst[key] = max(worst[key], d)
							where[key] = fmt.Sprintf("%s frame %d", e.Name, fr.FrameNum)
						}
						if d > tol {
							t.Errorf("%s frame %d: %s = %.17g, libvmaf %.17g (diff %.3g > %.3g)", e.Name, fr.FrameNum, name, got, wv, d, tol)
						}
					}
				}
			}
		})
	}
	var names []string
	for k := range worst {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("largest |ours - libvmaf| %-45s %.3g (%s)", k, worst[k], where[k])
	}
}
