package quality

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// v1Run turns an entry's vmaf_args (libvmaf's CLI syntax, model paths
// relative to the shared directory) into our model and extractors, through
// the same parsers rung score uses.
func v1Run(t testing.TB, dir string, e vmafref.Entry) (*Model, []func() Extractor) {
	t.Helper()
	var model *Model
	var features []string
	args := e.VmafArgs
	for k := 0; k < len(args); k++ {
		switch args[k] {
		case "--model":
			k++
			arg := args[k]
			if strings.HasPrefix(arg, "path=") {
				arg = "path=" + filepath.Join(dir, strings.TrimPrefix(arg, "path="))
			}
			m, err := OpenModel(arg)
			if err != nil {
				t.Fatal(err)
			}
			model = m
		case "--feature":
			k++
			features = append(features, args[k])
		case "--threads":
			k++
		}
	}
	ex, err := Extractors(model, features)
	if err != nil {
		t.Fatal(err)
	}
	return model, ex
}

// TestConformanceV1 scores every run of ../shared/vmaf-ref/pairs-v1.json
// (the VMAF v1 models, hfr and 2160 included, and CAMBI alone) with the
// arguments libvmaf was given, and compares every frame with libvmaf's
// full-precision JSON: each model score within 1e-4, each feature libvmaf
// printed present under its name and equal.
func TestConformanceV1(t *testing.T) {
	dir, entries := vmafref.EntriesV1(t)
	worst := map[string]float64{}
	where := map[string]string{}
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			if testing.Short() && !strings.HasPrefix(e.Pair, "bottles_640x360_48f") && !strings.HasPrefix(e.Pair, "nflx") {
				t.Skip("-short: only the small pairs")
			}
			model, ex := v1Run(t, dir, e)
			ref, dis := openPairReaders(t, dir, e)
			res, err := Score(context.Background(), ref, dis, ScoreOptions{Extractors: ex, Model: model, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			if res.Frames != e.Frames {
				t.Fatalf("scored %d frames, libvmaf %d", res.Frames, e.Frames)
			}
			want := vmafref.LoadResult(t, dir, e.JSONHP)
			for _, fr := range want.Frames {
				for name, wv := range fr.Metrics {
					got, ok := res.Scores.Get(name, fr.FrameNum)
					if !ok {
						t.Errorf("frame %d: %s missing", fr.FrameNum, name)
						continue
					}
					d := math.Abs(got - wv)
					tol := 0.0
					if name == "vmaf" {
						tol = 1e-4
					}
					key := fmt.Sprintf("%-60s", name)
					if d > worst[key] || where[key] == "" {
						worst[key] = max(worst[key], d)
						where[key] = fmt.Sprintf("%s frame %d", e.Name, fr.FrameNum)
					}
					if d > tol {
						t.Errorf("frame %d: %s = %.17g, libvmaf %.17g (diff %.3g > %.3g)", fr.FrameNum, name, got, wv, d, tol)
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
		t.Logf("largest |ours - libvmaf| %s %.3g (%s)", k, worst[k], where[k])
	}
}

// TestV1TooSmall checks that CAMBI (alone or in a v1 model) refuses the
// 160x90 peer vector in one line, as libvmaf does ("problem loading
// feature extractor: cambi").
func TestV1TooSmall(t *testing.T) {
	dir, e := vmafref.Find(t, "nflx_src01_hrc01_160x90.vmaf_v0.6.1")
	for _, feature := range []string{"cambi", "cambi=enc_bitdepth=8"} {
		ex, err := Extractors(nil, []string{feature})
		if err != nil {
			t.Fatal(err)
		}
		ref, dis := openPairReaders(t, dir, e)
		_, err = Score(context.Background(), ref, dis, ScoreOptions{Extractors: ex, Threads: 2})
		if err == nil || !strings.Contains(err.Error(), "160x90 is too small") || strings.Contains(err.Error(), "\n") || !errors.Is(err, ErrCAMBISize) {
			t.Errorf("--feature %s on 160x90: err = %v, want one line saying 160x90 is too small", feature, err)
		}
	}
}
