package ladder_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rung/ladder"
	"rung/ladder/media"
)

// sharedDir is ../shared (RUNG_SHARED), where the clips live.
func sharedDir() string {
	if d := os.Getenv("RUNG_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared")
}

// recording is the exhaustive R-D grid of one shared clip and its fixed
// reference ladder, measured by TestLadderShared (-update) and replayed by
// TestSearchRecorded.
type recording struct {
	Source     string         `json:"source"`
	Model      string         `json:"model"`
	Candidates []ladder.Point `json:"candidates"`
	Reference  []ladder.Point `json:"reference"`
}

// TestLadderShared runs `rung ladder` exhaustive and adaptive on every
// ../shared/clips source with the real encoder and scorer (make
// ladder-check sets RUNG_LADDER_CHECK=1; it takes many minutes). Both
// ladders must climb along their hull, both must carry a BD-rate against
// apple, and the adaptive search must reach a hull within 0.5 VMAF of the
// exhaustive one with at most 40% of its trial encodes. Outputs stay under
// ../bin/ladder-check; -update rewrites testdata/rd.
func TestLadderShared(t *testing.T) {
	if os.Getenv("RUNG_LADDER_CHECK") == "" {
		t.Skip("long: set RUNG_LADDER_CHECK=1 (make ladder-check)")
	}
	clips, _ := filepath.Glob(filepath.Join(sharedDir(), "clips", "*.mkv"))
	y4m, _ := filepath.Glob(filepath.Join(sharedDir(), "clips", "*.y4m"))
	clips = append(clips, y4m...)
	if only := os.Getenv("RUNG_LADDER_CLIPS"); only != "" {
		clips = nil
		for _, c := range strings.Split(only, ",") {
			clips = append(clips, filepath.Join(sharedDir(), "clips", c))
		}
	}
	if len(clips) == 0 {
		t.Skipf("no clips in %s/clips", sharedDir())
	}
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		t.Setenv("RUNG_MODEL_DIR", filepath.Join(sharedDir(), "vmaf", "model"))
	}
	root := filepath.Join("..", "bin", "ladder-check")
	var summary []string
	for _, clip := range clips {
		name := strings.TrimSuffix(filepath.Base(clip), filepath.Ext(clip))
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			m, err := media.New(media.Options{CacheDir: filepath.Join(dir, "chunks")})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			runs := map[bool]ladder.Report{}
			for _, exhaustive := range []bool{true, false} {
				out := filepath.Join(dir, map[bool]string{true: "exhaustive", false: "adaptive"}[exhaustive])
				res, err := ladder.Run(context.Background(), ladder.Options{
					Input: clip, OutDir: out, WorkDir: filepath.Join(dir, "work"), Fixed: "apple",
					Exhaustive: exhaustive, Workers: 2, Media: m, Optimize: ladder.PerShot, // rung ladder's default
				})
				if err != nil {
					t.Fatal(err)
				}
				checkLadder(t, res.Report)
				runs[exhaustive] = res.Report
			}
			ex, ad := runs[true], runs[false]
			mean, worst := ladder.HullGap(ex.Hull, ad.Hull)
			line := fmt.Sprintf("%-16s BD-rate vs apple: exhaustive %s, adaptive %s (rungs %s); trials %d of %d (%.0f%%); hull gap mean %.2f, worst %.2f VMAF",
				name, bdString(ex.BDRate), bdString(ad.BDRate), rungsBD(ad.BDRate), ad.TrialEncodes, ex.TrialEncodes,
				100*float64(ad.TrialEncodes)/float64(ex.TrialEncodes), mean, worst)
			for _, r := range []ladder.Report{ex, ad} {
				if ps := r.PerShot; ps != nil {
					line += fmt.Sprintf("; %s per-shot vs per-title %s (%d shots)", r.Search, pct(ps.BDRate, ps.BDRateNote), len(ps.Shots))
					if ps.BDRate != nil && *ps.BDRate > 0.5 {
						t.Errorf("%s: per-shot %+.2f%% worse than per-title", r.Search, *ps.BDRate)
					}
				}
			}
			t.Log(line)
			summary = append(summary, line)
			if ad.TrialEncodes*10 > ex.TrialEncodes*4 {
				t.Errorf("adaptive made %d trial encodes, more than 40%% of %d", ad.TrialEncodes, ex.TrialEncodes)
			}
			if mean > 0.5 {
				t.Errorf("adaptive hull %.2f VMAF below the exhaustive one", mean)
			}
			if *ladder.Update {
				rec := recording{Source: filepath.Base(clip), Model: ex.Model, Candidates: ex.Candidates, Reference: ex.Reference}
				if err := os.MkdirAll(filepath.Join("testdata", "rd"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := ladder.WriteJSON(filepath.Join("testdata", "rd", name+".json"), rec); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	os.WriteFile(filepath.Join(root, "summary.txt"), []byte(strings.Join(summary, "\n")+"\n"), 0o644)
}

func pct(v *float64, note string) string {
	if v == nil {
		return "none (" + note + ")"
	}
	return fmt.Sprintf("%+.2f%%", *v)
}

func bdString(e *ladder.BDRateEntry) string {
	if e == nil || e.Percent == nil {
		if e != nil {
			return "none (" + e.Warning + ")"
		}
		return "none"
	}
	return fmt.Sprintf("%+.1f%%", *e.Percent)
}

func rungsBD(e *ladder.BDRateEntry) string {
	if e == nil || e.RungsPercent == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", *e.RungsPercent)
}

// checkLadder asserts what every ladder must be: rungs climbing in bitrate
// and VMAF, each on the hull, and a BD-rate entry.
func checkLadder(t *testing.T, r ladder.Report) {
	t.Helper()
	if len(r.Rungs) < ladder.MinRungs {
		t.Errorf("%d rungs", len(r.Rungs))
	}
	hull := r.Hull
	if r.PerShot != nil {
		hull = r.PerShot.Hull
	}
	for i, g := range r.Rungs {
		if !ladder.OnHull(hull, ladder.Point{Width: g.Width, Height: g.Height, CRF: g.CRF, Kbps: g.Kbps}) {
			t.Errorf("rung %d (%s) is not on the hull", i, g.Label())
		}
		if i > 0 && (g.Kbps <= r.Rungs[i-1].Kbps || g.VMAF <= r.Rungs[i-1].VMAF) {
			t.Errorf("rung %d (%s, %.0f kb/s, VMAF %.2f) does not climb", i, g.Label(), g.Kbps, g.VMAF)
		}
	}
	if len(r.Reference) > 0 && (r.BDRate == nil || r.BDRate.Percent == nil) {
		t.Errorf("no BD-rate: %+v", r.BDRate)
	}
}

// TestSearchRecorded replays the adaptive search on the exhaustive grids
// measured on the shared clips (testdata/rd): at most 40% of the trial
// encodes, a hull within 0.5 VMAF of the exhaustive one, and the BD-rates
// against apple of both hulls.
func TestSearchRecorded(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "rd", "*.json"))
	if len(files) == 0 {
		t.Skip("no recordings in testdata/rd (make ladder-check with -update)")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec recording
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pr := recordedProber{}
		sizeSet, crfSet := map[ladder.Size]bool{}, map[float64]bool{}
		var sizes []ladder.Size
		var crfs []float64
		for _, p := range rec.Candidates {
			s := ladder.Size{Width: p.Width, Height: p.Height}
			pr[ladder.Candidate{Size: s, CRF: p.CRF}] = p
			if !sizeSet[s] {
				sizeSet[s] = true
				sizes = append(sizes, s)
			}
			if !crfSet[p.CRF] {
				crfSet[p.CRF] = true
				crfs = append(crfs, p.CRF)
			}
		}
		slices.SortStableFunc(sizes, func(a, b ladder.Size) int { return b.Height - a.Height })
		got, err := ladder.Search(context.Background(), pr, ladder.SearchOptions{Sizes: sizes, CRFs: crfs, Workers: 2})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		full := ladder.Hull(rec.Candidates)
		mean, worst := ladder.HullGap(full, got.Hull)
		exBD := ladder.CompareFixed("apple", rec.Reference, full, nil)
		adBD := ladder.CompareFixed("apple", rec.Reference, got.Hull, nil)
		t.Logf("%-24s adaptive %2d of %2d trials (%.0f%%), hull gap mean %.2f worst %.2f VMAF; BD-rate vs apple exhaustive %s, adaptive %s",
			rec.Source, len(got.Points), len(rec.Candidates), 100*float64(len(got.Points))/float64(len(rec.Candidates)), mean, worst, bdString(exBD), bdString(adBD))
		if len(got.Points)*10 > len(rec.Candidates)*4 {
			t.Errorf("%s: %d trial encodes, more than 40%% of %d", rec.Source, len(got.Points), len(rec.Candidates))
		}
		if mean > 0.5 {
			t.Errorf("%s: adaptive hull %.2f VMAF below the exhaustive one", rec.Source, mean)
		}
	}
}

// recordedProber answers trials from a recorded grid.
type recordedProber map[ladder.Candidate]ladder.Point

func (r recordedProber) Trial(ctx context.Context, c ladder.Candidate) (ladder.Point, error) {
	p, ok := r[c]
	if !ok {
		return ladder.Point{}, fmt.Errorf("not recorded: %v", c)
	}
	return p, nil
}
