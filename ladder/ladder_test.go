package ladder_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rung/ladder"
	"rung/ladder/media"
)

// cliMedia is a test Media: encodes with the ffmpeg CLI (test-only; rung
// itself never runs it) and scores with a synthetic quality model of the
// bitrate and size, so Run's wiring is tested without the real scorer; it
// packages with the real media.PackageHLS.
type cliMedia struct {
	src     ladder.SourceInfo
	encodes int
}

func (m *cliMedia) Probe(ctx context.Context, src string) (ladder.SourceInfo, error) {
	if _, err := os.Stat(src); err != nil {
		return ladder.SourceInfo{}, err
	}
	return m.src, nil
}

func (m *cliMedia) Encode(ctx context.Context, j ladder.EncodeJob) (float64, error) {
	m.encodes++
	args := []string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", m.src.Size.Width, m.src.Size.Height, m.src.FrameRateNum),
		"-frames:v", fmt.Sprint(m.src.Frames), "-vf", fmt.Sprintf("scale=%d:%d", j.Size.Width, j.Size.Height),
		"-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p"}
	if j.Kbps > 0 {
		args = append(args, "-b:v", fmt.Sprintf("%gk", j.Kbps))
	} else {
		args = append(args, "-crf", fmt.Sprint(j.CRF))
	}
	if out, err := exec.CommandContext(ctx, "ffmpeg", append(args, j.Out)...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	fi, err := os.Stat(j.Out)
	if err != nil {
		return 0, err
	}
	return float64(fi.Size()) * 8 / 1000 / m.src.Seconds(), nil
}

func (m *cliMedia) Score(ctx context.Context, src, dist string) ([]float64, error) {
	var w, h int
	var kbps float64
	fi, err := os.Stat(dist)
	if err != nil {
		return nil, err
	}
	kbps = float64(fi.Size()) * 8 / 1000 / m.src.Seconds()
	sz := regexp.MustCompile(`_(\d+)x(\d+)_`).FindStringSubmatch(filepath.Base(dist))
	if sz == nil {
		return nil, fmt.Errorf("no size in %s", dist)
	}
	w, _ = strconv.Atoi(sz[1])
	h, _ = strconv.Atoi(sz[2])
	px := float64(w*h) / float64(m.src.Size.Width*m.src.Size.Height)
	cap := 100 - 25*math.Pow(1-math.Sqrt(px), 1.3)
	bpp := kbps / (float64(w*h) * 25 / 1000)
	v := cap * (1 - math.Exp(-6*math.Pow(bpp, 0.6)))
	frames := make([]float64, m.src.Frames)
	for i := range frames {
		frames[i] = v - 2*math.Abs(math.Sin(float64(i)))
	}
	return frames, nil
}

func (m *cliMedia) PackageHLS(ctx context.Context, src, dir, name string, segSeconds float64) (ladder.Variant, error) {
	return media.PackageHLS(ctx, src, dir, name, segSeconds)
}

func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, b := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed: the test Media encodes with it", b)
		}
	}
}

func testSource(t *testing.T) (string, ladder.SourceInfo) {
	src := filepath.Join(t.TempDir(), "src.y4m")
	if err := os.WriteFile(src, []byte("YUV4MPEG2 stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
	return src, ladder.SourceInfo{Size: ladder.Size{Width: 640, Height: 360}, FrameRateNum: 25, FrameRateDen: 1, Frames: 50}
}

// testLadder runs the pipeline with the test Media into a temporary
// directory and returns it with the report.
func testLadder(t *testing.T) (string, ladder.Report) {
	src, info := testSource(t)
	out := filepath.Join(t.TempDir(), "out")
	res, err := ladder.Run(context.Background(), ladder.Options{Input: src, OutDir: out, Fixed: "apple", Media: &cliMedia{src: info}, Select: ladder.SelectOptions{Rungs: 4}})
	if err != nil {
		t.Fatal(err)
	}
	return out, res.Report
}

func TestRunPipeline(t *testing.T) {
	needFFmpeg(t)
	src, info := testSource(t)
	out := filepath.Join(t.TempDir(), "out")
	m := &cliMedia{src: info}
	var stages = map[string]int{}
	res, err := ladder.Run(context.Background(), ladder.Options{
		Input: src, OutDir: out, Fixed: "apple", Media: m, Select: ladder.SelectOptions{Rungs: 4},
		Progress: func(p ladder.Progress) { stages[p.Stage]++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(res.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var r ladder.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d trial encodes of %d, %d rungs, bd-rate %+v, warnings %q", r.TrialEncodes, r.GridSize, len(r.Rungs), r.BDRate, r.Warnings)
	if r.TrialEncodes != len(r.Candidates) || r.TrialEncodes > r.GridSize*4/10 || m.encodes != r.TrialEncodes+9 {
		t.Errorf("%d trial encodes, %d candidates, grid %d, %d encodes in all", r.TrialEncodes, len(r.Candidates), r.GridSize, m.encodes)
	}
	if stages["trial"] != r.TrialEncodes || stages["reference"] != 9 || stages["package"] != len(r.Rungs) {
		t.Errorf("progress %v", stages)
	}
	if len(r.Rungs) < 3 {
		t.Fatalf("%d rungs", len(r.Rungs))
	}
	for i, g := range r.Rungs {
		if !ladder.OnHull(r.Hull, ladder.Point{Width: g.Width, Height: g.Height, CRF: g.CRF, Kbps: g.Kbps}) {
			t.Errorf("rung %d %s is not on the hull", i, g.Label())
		}
		if i > 0 && (g.Kbps <= r.Rungs[i-1].Kbps || g.VMAF <= r.Rungs[i-1].VMAF) {
			t.Errorf("rung %d does not climb: %v after %v", i, g.Point, r.Rungs[i-1].Point)
		}
		if _, err := os.Stat(filepath.Join(out, g.File)); err != nil {
			t.Errorf("rung %d file: %v", i, err)
		}
		if g.P5 > g.VMAF || g.Min > g.P5 {
			t.Errorf("rung %d pooled mean %.2f p5 %.2f min %.2f", i, g.VMAF, g.P5, g.Min)
		}
	}
	if r.BDRate == nil || r.BDRate.Percent == nil || len(r.Reference) != 9 {
		t.Errorf("bd_rate %+v, %d reference points", r.BDRate, len(r.Reference))
	}
	for _, f := range []string{"master.m3u8", "report.html", "rate_quality.svg", "rate_quality.png", "frames.svg", "frames.png"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "program=program_id", "-of", "csv=p=0", res.Master).CombinedOutput()
	if err != nil || len(regexp.MustCompile(`(?m)^\d+,$`).FindAll(probe, -1)) != len(r.Rungs) {
		t.Errorf("ffprobe master.m3u8: %v, want %d programs\n%s", err, len(r.Rungs), probe)
	}
	for _, g := range r.Rungs {
		want := fmt.Sprintf("h264,%d,%d,%d\n", g.Width, g.Height, info.Frames)
		probe, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
			"-of", "csv=p=0", filepath.Join(out, g.Playlist)).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(probe), want) {
			t.Errorf("ffprobe %s: %v: %q, want %q", g.Playlist, err, probe, want)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	src, info := testSource(t)
	short := info
	short.Frames = 10
	tests := []struct {
		name string
		opt  ladder.Options
		info ladder.SourceInfo
		want string
	}{
		{"short source", ladder.Options{}, short, "0.40 s (10 frames) long, shorter than one chunk"},
		{"above source", ladder.Options{Heights: []int{720}}, info, "resolution 720 lines is above the source's 640x360"},
		{"bad rungs", ladder.Options{Select: ladder.SelectOptions{Rungs: 20}}, info, "--rungs 20"},
		{"min above max", ladder.Options{Select: ladder.SelectOptions{MinKbps: 900, MaxKbps: 100}}, info, "--min-kbps 900 is above --max-kbps 100"},
		{"unknown fixed", ladder.Options{Fixed: "hbo"}, info, `unknown fixed ladder "hbo"`},
		{"unknown codec", ladder.Options{Codec: "mpeg2"}, info, `unknown codec "mpeg2"`},
		{"missing input", ladder.Options{Input: "/nonexistent/x.mkv"}, info, "probe /nonexistent/x.mkv"},
	}
	for _, tt := range tests {
		m := &cliMedia{src: tt.info}
		o := tt.opt
		if o.Input == "" {
			o.Input = src
		}
		o.OutDir = filepath.Join(t.TempDir(), "out")
		o.Media = m
		_, err := ladder.Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", tt.name, err, tt.want)
		}
		if m.encodes != 0 {
			t.Errorf("%s: %d encodes before refusing", tt.name, m.encodes)
		}
	}
}

// TestRunImpossibleBitrate: a --min-kbps above every candidate is refused
// with ErrNoRungs after the search, with no ladder written.
func TestRunImpossibleBitrate(t *testing.T) {
	needFFmpeg(t)
	src, info := testSource(t)
	out := filepath.Join(t.TempDir(), "out")
	_, err := ladder.Run(context.Background(), ladder.Options{Input: src, OutDir: out, Media: &cliMedia{src: info},
		Heights: []int{234}, Select: ladder.SelectOptions{MinKbps: 1e6}})
	if !errors.Is(err, ladder.ErrNoRungs) || !strings.Contains(err.Error(), "1e+06–∞ kb/s") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "ladder.json")); !os.IsNotExist(err) {
		t.Errorf("ladder.json written: %v", err)
	}
}

func TestPoolVMAF(t *testing.T) {
	v := []float64{90, 80, 70, 60, 50, 40, 30, 20, 10, 100, 95}
	mean, p5, lo, err := ladder.PoolVMAF(v)
	if err != nil || math.Abs(mean-645.0/11) > 1e-9 || math.Abs(p5-15) > 1e-9 || lo != 10 {
		t.Errorf("poolVMAF = %v, %v, %v, %v; want 58.64, 15, 10", mean, p5, lo, err)
	}
}
