package ladder_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rung/ladder"
	"rung/ladder/media"
)

// The per-shot tests run ladders of ../shared/clips/multishot_768x432 (four
// shots, cuts at frames 50, 125 and 215) with the real encoder and scorer,
// kept lean: x264 veryfast, no fixed reference ladder. make test runs the
// lean one (234 lines only: packaging, re-scoring, keyframes, playback,
// report); make ladder-check the one of two sizes whose BD-rate is the
// goal (7m42s here with other jobs running: too long for make test).
type multishotRun struct {
	once sync.Once
	dir  string // removed by TestMain
	out  string
	r    ladder.Report
	err  error
}

var multishotLean, multishotFull multishotRun

func multishotLadder(t *testing.T, full bool) (src, out string, r ladder.Report) {
	t.Helper()
	if testing.Short() {
		t.Skip("per-shot ladder of the shared multi-shot clip skipped in -short mode")
	}
	run, heights, rungs := &multishotLean, []int{234}, 3
	if full {
		if os.Getenv("RUNG_LADDER_CHECK") == "" {
			t.Skip("long: set RUNG_LADDER_CHECK=1 (make ladder-check)")
		}
		run, heights, rungs = &multishotFull, []int{432, 234}, 4
	}
	src = filepath.Join(sharedDir(), "clips", "multishot_768x432.mkv")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no shared multi-shot clip (%v): set RUNG_SHARED", err)
	}
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		t.Setenv("RUNG_MODEL_DIR", filepath.Join(sharedDir(), "vmaf", "model"))
	}
	run.once.Do(func() {
		dir, err := os.MkdirTemp("", "rung-multishot-")
		if err != nil {
			run.err = err
			return
		}
		run.dir = dir
		run.out = filepath.Join(dir, "out")
		m, err := media.New(media.Options{CacheDir: filepath.Join(dir, "chunks"), Preset: "veryfast"})
		if err != nil {
			run.err = err
			return
		}
		defer m.Close()
		start := time.Now()
		res, err := ladder.Run(context.Background(), ladder.Options{
			Input: src, OutDir: run.out, Heights: heights, Media: m, Optimize: ladder.PerShot,
			Select: ladder.SelectOptions{Rungs: rungs, MinVMAF: 40, Saturation: 1},
		})
		run.r, run.err = res.Report, err
		t.Logf("multi-shot per-shot ladder (%v lines) in %s", heights, time.Since(start).Round(time.Second))
	})
	if run.err != nil {
		t.Fatal(run.err)
	}
	return src, run.out, run.r
}

// TestPerShotMultishot (make ladder-check): on the multi-shot clip the per-shot R-D curve needs
// at least 5% less bitrate than the per-title one of the same trial
// encodes (BD-rate, PCHIP), the rungs climb, each takes one resolution,
// and the search made no encode beyond the per-title one's.
func TestPerShotMultishot(t *testing.T) {
	_, _, r := multishotLadder(t, true)
	ps := r.PerShot
	if r.Optimize != ladder.PerShot || ps == nil {
		t.Fatalf("optimize %q, per-shot %v", r.Optimize, ps)
	}
	if ps.BDRate == nil {
		t.Fatalf("no per-shot BD-rate: %s", ps.BDRateNote)
	}
	t.Logf("per-shot vs per-title BD-rate %+.2f%%, %d shots, %d trial encodes (%d chunk encodes, grid %d)", *ps.BDRate, len(ps.Shots), r.TrialEncodes, ps.ChunkEncodes, ps.GridChunks)
	if ps.MixedBDRate != nil {
		t.Logf("a size per shot instead of per rendition: BD-rate %+.2f%% against one size per rendition", *ps.MixedBDRate)
	}
	if *ps.BDRate > -5 {
		t.Errorf("per-shot BD-rate %+.2f%% against per-title, want ≤ −5%%", *ps.BDRate)
	}
	if len(ps.Shots) != 4 || ps.Shots[1].Start != 50 || ps.Shots[2].Start != 125 || ps.Shots[3].Start != 215 {
		t.Errorf("shots %+v, want cuts at 50, 125, 215", ps.Shots)
	}
	if ps.ChunkEncodes != r.TrialEncodes*len(ps.Shots) || r.TrialEncodes > 2*ps.TitleTrials {
		t.Errorf("%d chunk encodes for %d trials of %d chunks; the per-title search made %d", ps.ChunkEncodes, r.TrialEncodes, len(ps.Shots), ps.TitleTrials)
	}
	checkLadder(t, r)
	for i, g := range r.Rungs {
		if g.VMAF < r.MinVMAF {
			t.Errorf("rung %d VMAF %.2f under the floor %g", i, g.VMAF, r.MinVMAF)
		}
		for _, c := range g.Shots {
			if c.Width != g.Width || c.Height != g.Height {
				t.Errorf("rung %d (%dx%d) has shot %d at %dx%d", i, g.Width, g.Height, c.Shot, c.Width, c.Height)
			}
		}
	}
}

// TestPerShotPackaged re-scores every packaged rung against the source
// (within 0.1 of the report) and checks with ffprobe that every rung has
// its keyframes at the same times, the shot cuts among them.
func TestPerShotPackaged(t *testing.T) {
	needFFmpeg(t)
	src, out, r := multishotLadder(t, false)
	m, err := media.New(media.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var first []float64
	for i, g := range r.Rungs {
		file := filepath.Join(out, g.File)
		frames, err := m.Score(context.Background(), src, file)
		if err != nil {
			t.Fatal(err)
		}
		mean, _, _, _ := ladder.PoolVMAF(frames)
		if math.Abs(mean-g.VMAF) > 0.1 {
			t.Errorf("rung %d: %s scores %.3f, the report says %.3f", i, g.File, mean, g.VMAF)
		}
		keys := keyframeTimes(t, file)
		t.Logf("rung %d %s: VMAF %.3f (report %.3f), keyframes at %v", i, g.File, mean, g.VMAF, keys)
		if first == nil {
			first = keys
			// The shot cuts (frames 50, 125, 215 at 25 fps) and a
			// keyframe every 2 s inside the shots, after the first
			// frame's presentation delay.
			want := []float64{0, 2, 4, 5, 7, 8.6}
			if len(keys) != len(want) {
				t.Errorf("keyframes at %v, want %v after the first", keys, want)
			}
			for i := range min(len(keys), len(want)) {
				if d := keys[i] - keys[0]; math.Abs(d-want[i]) > 1e-3 {
					t.Errorf("keyframe %d at %.3f s after the first, want %g", i, d, want[i])
				}
			}
		} else if !slices.Equal(keys, first) {
			t.Errorf("rung %d keyframes %v, rung 0 %v", i, keys, first)
		}
	}
}

// keyframeTimes lists the presentation times in seconds of the keyframes
// of file's video (ffprobe).
func keyframeTimes(t *testing.T, file string) []float64 {
	b, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
		"-show_entries", "frame=pts_time", "-of", "json", file).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", file, err)
	}
	var res struct {
		Frames []struct {
			PTS string `json:"pts_time"`
		}
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, f := range res.Frames {
		v, err := strconv.ParseFloat(f.PTS, 64)
		if err != nil {
			t.Fatalf("ffprobe %s: pts_time %q", file, f.PTS)
		}
		out = append(out, v)
	}
	return out
}

// TestBrowserPerShot plays the per-shot ladder's master.m3u8 with hls.js to
// the end, adaptively and with each variant forced, then opens its report:
// every image (plots and worst-frame pictures) decodes, no warning box
// overlaps other text, and a screenshot is kept in
// bin/test-artifacts/ladder/report_pershot.png.
func TestBrowserPerShot(t *testing.T) {
	chromium, hlsjs := browserDeps(t)
	_, out, r := multishotLadder(t, false)
	checkPlayback(t, chromium, hlsjs, out, r.Rungs)
	res := checkReport(t, chromium, hlsjs, out, "report_pershot.png")
	worst := 0
	for _, img := range res.Images {
		if strings.HasPrefix(img.Alt, "rung ") {
			worst++
		}
	}
	if worst != len(r.Rungs) {
		t.Errorf("%d worst-frame pictures for %d rungs", worst, len(r.Rungs))
	}
}

// TestTargetShared encodes the multi-shot clip with each chunk at the CRF
// that reaches VMAF 93 (make ladder-check; a few minutes): every chunk
// within ±1 of the target, the whole file within ±0.5, and the output,
// scored again, gives the result's VMAF.
func TestTargetShared(t *testing.T) {
	if os.Getenv("RUNG_LADDER_CHECK") == "" {
		t.Skip("long: set RUNG_LADDER_CHECK=1 (make ladder-check)")
	}
	src := filepath.Join(sharedDir(), "clips", "multishot_768x432.mkv")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no shared multi-shot clip (%v)", err)
	}
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		t.Setenv("RUNG_MODEL_DIR", filepath.Join(sharedDir(), "vmaf", "model"))
	}
	dir := t.TempDir()
	m, err := media.New(media.Options{CacheDir: filepath.Join(dir, "chunks")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	out := filepath.Join(dir, "out.mp4")
	res, err := ladder.Target(context.Background(), ladder.TargetOptions{Input: src, Output: out, VMAF: 93, WorkDir: filepath.Join(dir, "work"), Media: m})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Chunks {
		t.Logf("chunk %d (frames %d–%d): crf %.1f, VMAF %.3f (predicted %.3f), %.0f kb/s, %d encodes", c.Index, c.Start, c.End, c.CRF, c.VMAF, c.Predicted, c.Kbps, c.Encodes)
		if math.Abs(c.VMAF-93) > 1 {
			t.Errorf("chunk %d VMAF %.3f, want 93 ± 1", c.Index, c.VMAF)
		}
	}
	t.Logf("whole file VMAF %.3f, %.0f kb/s, mean |predicted − achieved| %.3f", res.VMAF, res.Kbps, res.MeanAbsError)
	if math.Abs(res.VMAF-93) > 0.5 {
		t.Errorf("whole file VMAF %.3f, want 93 ± 0.5", res.VMAF)
	}
	fresh, err := media.New(media.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	frames, err := fresh.Score(context.Background(), src, out)
	if err != nil {
		t.Fatal(err)
	}
	if mean, _, _, _ := ladder.PoolVMAF(frames); math.Abs(mean-res.VMAF) > 0.01 {
		t.Errorf("%s scores %.3f, the result says %.3f", out, mean, res.VMAF)
	}
}
