package ladder

import (
	"bytes"
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestRenderHTML(t *testing.T) {
	r := sampleReport()
	r.Warnings = []string{"top rung <below> 93"}
	var rungs []Point
	for _, g := range r.Rungs {
		rungs = append(rungs, g.Point)
	}
	p, err := RateQualityPlot("rq", r.Candidates, r.Hull, rungs, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := p.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	page, err := RenderHTML(r, []Figure{{"Rate and quality", svg}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"clips/title.mkv", `id="bdrate">-30.9%`, "top rung &lt;below&gt; 93", "<td>640x360</td><td>27</td><td>480.2</td>", "Rate and quality"} {
		if !strings.Contains(s, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Self-contained: every image is a data: URI that decodes to the SVG.
	imgs := regexp.MustCompile(`<img [^>]*src="([^"]*)"`).FindAllStringSubmatch(s, -1)
	if len(imgs) != 1 {
		t.Fatalf("%d images", len(imgs))
	}
	const prefix = "data:image/svg+xml;base64,"
	src := html.UnescapeString(imgs[0][1])
	if !strings.HasPrefix(src, prefix) {
		t.Fatalf("image src %.40q", src)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, prefix))
	if err != nil || !bytes.Equal(b, svg) {
		t.Errorf("embedded image does not decode to the plot: %v", err)
	}
	if regexp.MustCompile(`(src|href)="(https?:|/)`).MatchString(s) {
		t.Error("report.html links outside itself")
	}
}

// TestRenderHTMLWarnings: a BD-rate warning is shown once, as a block of
// its own (an inline box covered the BD-rate line), and an unstable cubic
// fit is not shown beside PCHIP as a result.
func TestRenderHTMLWarnings(t *testing.T) {
	r := sampleReport()
	pchip, cubic := -12.3, -100.0
	r.BDRate = &BDRateEntry{Reference: "apple", Percent: &pchip, PercentCubic: &cubic, CubicUnstable: true,
		Warning: "the cubic fit (JCTVC-E137) gives -100.0%, far from PCHIP's -12.3%"}
	r.Warnings = []string{r.BDRate.Warning}
	page, err := RenderHTML(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if n := strings.Count(s, "far from PCHIP"); n != 1 {
		t.Errorf("the warning is shown %d times, want once", n)
	}
	if strings.Contains(s, "(cubic fit, JCTVC-E137)") || strings.Contains(s, "<span class=\"warn\"") {
		t.Error("the unstable cubic figure is shown as a result, or a warning is an inline box")
	}
	if !strings.Contains(s, `id="bdrate">-12.3%`) {
		t.Error("no PCHIP BD-rate")
	}
	stable := sampleReport()
	stable.BDRate.CubicUnstable = false
	page, _ = RenderHTML(stable, nil)
	if stable.BDRate.PercentCubic != nil && !strings.Contains(string(page), "(cubic fit, JCTVC-E137)") {
		t.Error("a stable cubic figure is not shown")
	}
}
