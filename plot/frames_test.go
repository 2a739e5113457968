package plot

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"rung/quality"
)

func TestFrames(t *testing.T) {
	s := quality.NewScores()
	res := &quality.Result{Scores: s, Width: 96, Height: 64}
	for i := range 120 {
		v := 80 + 10*math.Sin(float64(i)/9)
		s.Set("vmaf", i, v)
		s.Set("vmaf_ci_p95_lo", i, v-4)
		s.Set("vmaf_ci_p95_hi", i, v+2)
		res.Scored = append(res.Scored, i)
	}
	c, err := Frames(res, "vmaf", "test clip")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := c.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if len(svg) < 5000 || !bytes.Contains(svg, []byte("<svg")) || !strings.Contains(string(svg), "95% CI") {
		t.Fatalf("SVG of %d bytes lacks the plot or the CI legend", len(svg))
	}
	pngBytes, err := c.Render("png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 300 {
		t.Fatalf("PNG is %dx%d", b.Dx(), b.Dy())
	}
	// Non-trivial: many distinct colours (line, band, pooled lines, text).
	colors := map[[4]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colors) < 20 {
		t.Fatalf("PNG has only %d colours", len(colors))
	}
	if _, err := Frames(res, "psnr_y", ""); err == nil {
		t.Fatal("no error for a missing feature")
	}
	for _, name := range []string{"a.svg", "b.PNG"} {
		if _, err := Format(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := Format("c.pdf"); err == nil {
		t.Error("pdf accepted")
	}
}
