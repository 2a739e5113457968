package ladder

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport is a small fixed report: a 360p title, five candidates, three
// rungs, an apple reference.
func sampleReport() Report {
	cands := []Point{
		{Width: 416, Height: 234, CRF: 39, Kbps: 80.5, VMAF: 55.25, P5: 48.5, Min: 45},
		{Width: 416, Height: 234, CRF: 30, Kbps: 190, VMAF: 74.5, P5: 70.25, Min: 69},
		{Width: 640, Height: 360, CRF: 33, Kbps: 260, VMAF: 78, P5: 74.5, Min: 72.25},
		{Width: 640, Height: 360, CRF: 27, Kbps: 480.25, VMAF: 88.5, P5: 85, Min: 84},
		{Width: 640, Height: 360, CRF: 21, Kbps: 950, VMAF: 94.75, P5: 92.5, Min: 91},
	}
	ref := []Point{
		{Width: 416, Height: 234, Target: 145, Kbps: 150, VMAF: 60},
		{Width: 640, Height: 360, Target: 365, Kbps: 370, VMAF: 80},
		{Width: 640, Height: 360, Target: 730, Kbps: 735, VMAF: 89},
		{Width: 640, Height: 360, Target: 1100, Kbps: 1110, VMAF: 93},
	}
	hull := Hull(cands)
	sel, err := Select(hull, SelectOptions{Rungs: 3})
	if err != nil {
		panic(err)
	}
	r := Report{
		Source: "clips/title.mkv", Width: 640, Height: 360, FrameRate: "25/1", Frames: 75,
		Codec: "x264", Model: "vmaf_v0.6.1", Search: "adaptive", TrialEncodes: len(cands), GridSize: 20,
		Hull: hull, Candidates: cands, Reference: ref, Optimize: PerTitle, MinVMAF: 40,
		BDRate: CompareFixed("apple", ref, hull, sel.Rungs),
		Master: "master.m3u8", Plots: []string{"rate_quality.svg"}, Warnings: sel.Warnings,
	}
	for i, p := range sel.Rungs {
		p.File = filepath.Join("hls", p.Label()+".mp4")
		r.Rungs = append(r.Rungs, Rung{Point: p, PeakKbps: p.Kbps * 1.3, Playlist: "hls/" + string(rune('a'+i)) + ".m3u8"})
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	return r
}

func TestReportGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ladder.json")
	r := sampleReport()
	if err := WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/ladder.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(golden+".got", got, 0o644)
		t.Errorf("ladder.json differs from %s (see %s.got; -update rewrites)", golden, golden)
	}
	// The contract's field names are there.
	var m struct {
		Rungs []map[string]any
		BD    map[string]any `json:"bd_rate"`
		N     *int           `json:"trial_encodes"`
		C     []any          `json:"candidates"`
	}
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"width", "height", "bitrate_kbps", "vmaf_mean", "vmaf_p5", "vmaf_min", "file"} {
		if _, ok := m.Rungs[0][k]; !ok {
			t.Errorf("rung has no %q", k)
		}
	}
	if m.BD["reference"] != "apple" || m.BD["percent"] == nil || m.N == nil || len(m.C) != 5 {
		t.Errorf("bd_rate %v, trial_encodes %v, %d candidates", m.BD, m.N, len(m.C))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestCompareFixedWarns(t *testing.T) {
	ref := []Point{{Kbps: 100, VMAF: 50}, {Kbps: 200, VMAF: 60}, {Kbps: 400, VMAF: 70}}
	e := CompareFixed("apple", ref, []Point{{Kbps: 100, VMAF: 55}, {Kbps: 300, VMAF: 75}}, nil)
	if e.Percent != nil || !strings.Contains(e.Warning, "too few") || !strings.Contains(e.Warning, "apple") {
		t.Errorf("CompareFixed with a 2-point hull = %+v", e)
	}
}

func TestWriteJSONFails(t *testing.T) {
	err := WriteJSON(filepath.Join(t.TempDir(), "missing", "ladder.json"), 1)
	if err == nil || !strings.Contains(err.Error(), "ladder: write ") {
		t.Errorf("err = %v", err)
	}
}
