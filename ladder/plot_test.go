package ladder

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"rung/plot"
)

func TestPlots(t *testing.T) {
	r := sampleReport()
	rungs := make([]Point, len(r.Rungs))
	for i, g := range r.Rungs {
		rungs[i] = g.Point
		rungs[i].Frames = []float64{g.VMAF - 1, g.VMAF, g.VMAF + 1, g.VMAF}
	}
	rq, err := RateQualityPlot("title", r.Candidates, r.Hull, rungs, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := FramePlot("frames", rungs)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := CurvesPlot("curves", r.Hull, Hull(append(append([]Point(nil), r.Hull...), Point{Kbps: 300, VMAF: 90})))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, c := range map[string]plot.Chart{"rq": rq, "frames": fp, "curves": cp} {
		svg, files, err := saveFigure(context.Background(), c, dir, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 2 || !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) {
			t.Fatalf("%s: files %v, svg starts %q", name, files, svg[:min(40, len(svg))])
		}
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s.png: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
			t.Errorf("%s.png is %v", name, b)
		}
	}
	// The legend names every size and the hull.
	svg, _ := rq.Render("svg")
	for _, s := range []string{"640x360", "416x234", "convex hull", "chosen rungs", "fixed ladder"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("rate-quality plot has no %q", s)
		}
	}
	svg, _ = cp.Render("svg")
	for _, s := range []string{"per-title hull", "per-shot hull"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("curves plot has no %q", s)
		}
	}
	if _, err := rq.Render("bmp"); err == nil {
		t.Error("unknown format accepted")
	}
}
