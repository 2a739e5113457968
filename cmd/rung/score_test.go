package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// modelDir points the CLI at libvmaf's model files in the shared directory,
// or skips the test when they are absent.
func modelDir(t *testing.T) {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join(sharedDir(), "vmaf", "model"))
	if _, err := os.Stat(filepath.Join(dir, "vmaf_v0.6.1.json")); err != nil {
		t.Skipf("libvmaf models not found in %s (set RUNG_SHARED): %v", dir, err)
	}
	t.Setenv("RUNG_MODEL_DIR", dir)
}

// writeY4M writes a deterministic 8-bit 4:2:0 clip of n frames: a moving
// pattern with texture; distortion > 0 adds a fixed pseudo-random noise of
// that amplitude and flattens detail, as a coarse encode would.
func writeY4M(t *testing.T, path string, w, h, n, distortion int) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n", w, h)
	seed := uint32(12345)
	rnd := func() int {
		seed = seed*1664525 + 1013904223
		return int(seed >> 24)
	}
	for f := range n {
		b.WriteString("FRAME\n")
		for y := range h {
			for x := range w {
				v := (x*3+y*2+f*5)%200 + 20
				if (x/8+y/8+f)%2 == 0 {
					v += (x * y) % 17
				}
				if distortion > 0 {
					v = (v/8)*8 + rnd()%distortion - distortion/2
				}
				b.WriteByte(byte(min(max(v, 0), 255)))
			}
		}
		for range 2 * (w / 2) * (h / 2) {
			b.WriteByte(128)
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixturePair writes a reference and a distorted clip into a temp dir.
func fixturePair(t *testing.T, frames int) (ref, dis string) {
	dir := t.TempDir()
	ref, dis = filepath.Join(dir, "ref.y4m"), filepath.Join(dir, "dis.y4m")
	writeY4M(t, ref, 96, 64, frames, 0)
	writeY4M(t, dis, 96, 64, frames, 6)
	return ref, dis
}

var fpsLine = regexp.MustCompile(`"fps": [0-9.]+,`)

// TestScoreJSONGolden checks the libvmaf JSON layout of `rung score --json`
// against testdata/score.golden.json (fps, a timing, is blanked).
func TestScoreJSONGolden(t *testing.T) {
	modelDir(t)
	ref, dis := fixturePair(t, 5)
	out := filepath.Join(t.TempDir(), "out.json")
	_, stderr, code := runRung(t, "score", "-r", ref, "-d", dis, "--json", out, "--threads", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got = fpsLine.ReplaceAll(got, []byte(`"fps": 0.00,`))
	golden := filepath.Join("testdata", "score.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(golden+".got", got, 0o644)
		t.Fatalf("JSON differs from %s (wrote %s.got; rerun with -update if intended)", golden, golden)
	}
	for _, key := range []string{`"frameNum": 4`, `"integer_vif_scale0"`, `"integer_adm2"`, `"integer_motion2"`, `"pooled_metrics"`, `"harmonic_mean"`} {
		if !bytes.Contains(got, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// TestScoreGate checks --min: exit 3 below the threshold, 0 at or above.
func TestScoreGate(t *testing.T) {
	modelDir(t)
	ref, dis := fixturePair(t, 3)
	stdout, _, code := runRung(t, "score", "-r", ref, "-d", dis)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var mean float64
	if _, err := fmt.Sscanf(stdout, "vmaf: mean %f", &mean); err != nil {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"--min", fmt.Sprint(mean - 1)}, 0},
		{[]string{"--min", fmt.Sprint(mean + 1)}, 3},
		{[]string{"--min", fmt.Sprint(mean + 1), "--pool", "max"}, 0},
		{[]string{"--min", "101", "--pool", "p5"}, 3},
		{[]string{"--min", "0", "--pool", "harmonic_mean"}, 0},
	}
	for _, tt := range tests {
		_, stderr, code := runRung(t, append([]string{"score", "-r", ref, "-d", dis}, tt.args...)...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, stderr)
		}
		if tt.code == 3 && !strings.Contains(stderr, "quality gate failed") {
			t.Errorf("%v: stderr %q", tt.args, stderr)
		}
	}
}

// TestScoreErrors checks bad input: one line on stderr naming the file and
// the problem, the contract's exit code, and no output file left behind.
func TestScoreErrors(t *testing.T) {
	modelDir(t)
	ref, dis := fixturePair(t, 4)
	dir := t.TempDir()
	short := filepath.Join(dir, "short.y4m")
	writeY4M(t, short, 96, 64, 3, 6)
	small := filepath.Join(dir, "small.y4m")
	writeY4M(t, small, 48, 32, 4, 6)
	trunc := filepath.Join(dir, "trunc.y4m")
	b, _ := os.ReadFile(dis)
	os.WriteFile(trunc, b[:len(b)-100], 0o644)
	text := filepath.Join(dir, "notes.y4m")
	os.WriteFile(text, []byte("just some text\n"), 0o644)
	badModel := filepath.Join(dir, "model.json")
	os.WriteFile(badModel, []byte(`{"model_dict": {"model_type": "LIBSVMNUSVR"`), 0o644)

	tests := []struct {
		name string
		args []string
		code int
		want []string // substrings of the one-line error
	}{
		{"frame counts", []string{"-r", ref, "-d", short}, 1, []string{ref, short, "4 frames", "3"}},
		{"sizes", []string{"-r", ref, "-d", small}, 1, []string{ref, small, "96x64", "48x32"}},
		{"truncated", []string{"-r", ref, "-d", trunc}, 1, []string{trunc, "truncated"}},
		{"not video", []string{"-r", ref, "-d", text}, 1, []string{text}},
		{"missing", []string{"-r", ref, "-d", filepath.Join(dir, "nope.y4m")}, 1, []string{"nope.y4m"}},
		{"bad model", []string{"-r", ref, "-d", dis, "--model", badModel}, 1, []string{badModel}},
		{"unknown model", []string{"-r", ref, "-d", dis, "--model", "vmaf_v9"}, 1, []string{"vmaf_v9"}},
		{"unknown feature", []string{"-r", ref, "-d", dis, "--feature", "vmaf_magic"}, 2, []string{"vmaf_magic"}},
		{"bad pool", []string{"-r", ref, "-d", dis, "--pool", "median"}, 2, []string{"median"}},
		{"no dist", []string{"-r", ref}, 2, []string{"distorted"}},
		{"raw without size", []string{"-r", filepath.Join(dir, "a.yuv"), "-d", filepath.Join(dir, "b.yuv")}, 1, []string{"a.yuv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.json")
			_, stderr, code := runRung(t, append(append([]string{"score"}, tt.args...), "--json", out)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if n := strings.Count(strings.TrimRight(stderr, "\n"), "\n"); n != 0 {
				t.Errorf("stderr has %d lines, want one: %q", n+1, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr shows a panic: %q", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written despite the error", out)
			}
		})
	}
}

// TestScorePlotAndCIGate draws the per-frame plot with a bootstrap model's
// CI band and gates on the CI's lower bound.
func TestScorePlotAndCIGate(t *testing.T) {
	modelDir(t)
	ref, dis := fixturePair(t, 4)
	dir := t.TempDir()
	svg, png := filepath.Join(dir, "vmaf.svg"), filepath.Join(dir, "vmaf.png")
	for _, p := range []string{svg, png} {
		_, stderr, code := runRung(t, "score", "-r", ref, "-d", dis, "--model", "vmaf_b_v0.6.3", "--plot", p, "--gate", "ci_lo", "--min", "0")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		st, err := os.Stat(p)
		if err != nil || st.Size() < 5000 {
			t.Fatalf("%s: %v (size %d)", p, err, st.Size())
		}
	}
	_, stderr, code := runRung(t, "score", "-r", ref, "-d", dis, "--model", "vmaf_b_v0.6.3", "--gate", "ci_lo", "--min", "100")
	if code != 3 || !strings.Contains(stderr, "vmaf_ci_p95_lo") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runRung(t, "score", "-r", ref, "-d", dis, "--gate", "ci_lo", "--min", "1")
	if code != 2 || !strings.Contains(stderr, "bootstrap") {
		t.Fatalf("ci_lo gate without a bootstrap model: exit %d, stderr %q", code, stderr)
	}
	stdout, _, code := runRung(t, "score", "-r", ref, "-d", dis, "--estimate-offset")
	if code != 0 || !strings.HasPrefix(stdout, "frame offset: 0") {
		t.Fatalf("estimate offset: exit %d, %q", code, stdout)
	}
}

// TestScoreSeveral scores three inputs against one reference in one run:
// --json DIR holds one file per input, each equal to that input's single
// run; --min gates every input and names the ones that fail.
func TestScoreSeveral(t *testing.T) {
	modelDir(t)
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.y4m")
	writeY4M(t, ref, 96, 64, 4, 0)
	var dis []string
	for k, noise := range []int{3, 8, 20} {
		p := filepath.Join(dir, fmt.Sprintf("in%d.y4m", k))
		writeY4M(t, p, 96, 64, 4, noise)
		dis = append(dis, p)
	}
	out := filepath.Join(dir, "json")
	args := []string{"score", "-r", ref, "-d", dis[0], "-d", dis[1], "-d", dis[2], "--json", out, "--csv", out, "--threads", "2"}
	stdout, stderr, code := runRung(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var means []float64
	for k, p := range dis {
		got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("in%d.json", k)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(out, fmt.Sprintf("in%d.csv", k))); err != nil {
			t.Error(err)
		}
		single := filepath.Join(dir, "single.json")
		if _, stderr, code := runRung(t, "score", "-r", ref, "-d", p, "--json", single); code != 0 {
			t.Fatalf("single run: exit %d: %s", code, stderr)
		}
		want, err := os.ReadFile(single)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fpsLine.ReplaceAll(got, nil), fpsLine.ReplaceAll(want, nil)) {
			t.Errorf("%s: JSON of the shared run differs from the single run", p)
		}
		var mean float64
		line := strings.Split(stdout, "\n")[k]
		if _, err := fmt.Sscanf(strings.TrimPrefix(line, p+": "), "vmaf: mean %f", &mean); err != nil {
			t.Fatalf("summary line %q: %v", line, err)
		}
		means = append(means, mean)
	}
	if !(means[0] > means[1] && means[1] > means[2]) {
		t.Fatalf("means %v do not fall with the noise", means)
	}
	_, stderr, code = runRung(t, "score", "-r", ref, "-d", dis[0], "-d", dis[1], "-d", dis[2], "--min", fmt.Sprint((means[0]+means[1])/2))
	if code != 3 || strings.Contains(stderr, dis[0]) || !strings.Contains(stderr, dis[1]) || !strings.Contains(stderr, dis[2]) {
		t.Errorf("gate: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runRung(t, "score", "-r", ref, "-d", dis[0], "-d", filepath.Join(dir, "x", "in0.y4m"), "--json", out)
	if code != 2 || !strings.Contains(stderr, "base names") {
		t.Errorf("same base name: exit %d, stderr %q", code, stderr)
	}
}
