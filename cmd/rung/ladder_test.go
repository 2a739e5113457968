package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLadderUsageErrors(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.y4m")
	writeY4M(t, src, 160, 96, 30, 0)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no input", []string{"ladder", "-o", dir}, 2, "want exactly one INPUT"},
		{"no output", []string{"ladder", src}, 2, "-o OUTDIR is required"},
		{"rungs", []string{"ladder", src, "-o", dir, "--rungs", "2"}, 2, "--rungs 2: want 3 to 15"},
		{"min above max", []string{"ladder", src, "-o", dir, "--min-kbps", "900", "--max-kbps", "100"}, 2, "--min-kbps 900 is above --max-kbps 100"},
		{"resolutions", []string{"ladder", src, "-o", dir, "--resolutions", "720,abc"}, 2, `"abc" is not a height`},
		{"fixed", []string{"ladder", src, "-o", dir, "--fixed", "hbo"}, 2, `unknown fixed ladder "hbo"`},
		{"codec", []string{"ladder", src, "-o", dir, "--codec", "mpeg2"}, 2, `unknown codec "mpeg2"`},
		{"above source", []string{"ladder", src, "-o", filepath.Join(dir, "a"), "--resolutions", "720"}, 1, "resolution 720 lines is above the source's 160x96"},
		{"missing input", []string{"ladder", filepath.Join(dir, "none.mkv"), "-o", filepath.Join(dir, "b")}, 1, "none.mkv"},
	}
	for _, tt := range tests {
		_, stderr, code := runRung(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and one line containing %q", tt.name, code, stderr, tt.code, tt.want)
		}
	}
}

// TestLadderEndToEnd runs rung ladder with the real encoder and scorer on a
// small generated clip and checks its outputs and --json events.
func TestLadderEndToEnd(t *testing.T) {
	modelDir(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.y4m")
	writeY4M(t, src, 160, 96, 30, 0)
	out := filepath.Join(dir, "out")
	stdout, stderr, code := runRung(t, "ladder", src, "-o", out, "--rungs", "3", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var done map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &done); err != nil || done["event"] != "done" {
		t.Fatalf("last event %q: %v", lines[len(lines)-1], err)
	}
	for _, f := range []string{"ladder.json", "report.html", "master.m3u8", "rate_quality.svg", "rate_quality.png", "frames.png"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "ladder.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Rungs []struct {
			BitrateKbps float64 `json:"bitrate_kbps"`
			VMAF        float64 `json:"vmaf_mean"`
			File        string
			CAMBI       *float64 `json:"cambi_mean"`
		}
		TrialEncodes int      `json:"trial_encodes"`
		Warnings     []string `json:"warnings"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Rungs) == 0 || r.TrialEncodes == 0 {
		t.Fatalf("ladder.json: %s", b)
	}
	// A 160x96 title is below CAMBI's smallest picture: its rungs carry no
	// CAMBI and one warning says so, instead of the ladder failing.
	if n := strings.Count(strings.Join(r.Warnings, "\n"), "no CAMBI for"); n != 1 {
		t.Errorf("warnings %q: want one naming the rungs without CAMBI", r.Warnings)
	}
	for i, g := range r.Rungs {
		if g.CAMBI != nil {
			t.Errorf("rung %d of a 160x96 title has CAMBI %v", i, *g.CAMBI)
		}
		if _, err := os.Stat(filepath.Join(out, g.File)); err != nil {
			t.Errorf("rung %d: %v", i, err)
		}
		if i > 0 && (g.BitrateKbps <= r.Rungs[i-1].BitrateKbps || g.VMAF <= r.Rungs[i-1].VMAF) {
			t.Errorf("rung %d does not climb", i)
		}
	}
}
