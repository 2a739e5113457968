package ladder

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
)

// Figure is one plot embedded in report.html.
type Figure struct {
	Title string
	SVG   []byte
}

// reportPage lays out report.html: summary, warnings, plots, the rungs, the
// per-shot table, the worst frames, the BD-rate and every candidate. Plots
// are embedded; the worst-frame pictures are PNG files beside the page.
var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f2":   func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"pct":  func(v *float64) string { return fmt.Sprintf("%+.1f%%", *v) },
	"pair": func(w int) int { return 2*w + 8 }, // width of a side-by-side worst-frame picture
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>rung ladder: {{.R.Source}}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}
th{background:#eee}td.l,th.l{text-align:left}.warn{background:#fff4d6;padding:.5em 1em;border-left:4px solid #e0a000}
figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}
</style></head><body>
<h1>{{if eq .R.Optimize "per-shot"}}Per-shot{{else}}Per-title{{end}} ladder</h1>
<p><b>{{.R.Source}}</b>: {{.R.Width}}x{{.R.Height}}, {{.R.FrameRate}} fps, {{.R.Frames}} frames.
Codec {{.R.Codec}}, VMAF model {{.R.Model}}, {{.R.Search}} search: <b>{{.R.TrialEncodes}}</b> trial encodes
(the full grid has {{.R.GridSize}}).{{if .R.Master}} HLS: <code>{{.R.Master}}</code>.{{end}}</p>
{{with .R.BDRate}}<p>BD-rate of the hull against the fixed <b>{{.Reference}}</b> ladder:
{{if .Percent}}<b id="bdrate">{{pct .Percent}}</b> (PCHIP){{if and .PercentCubic (not .CubicUnstable)}}, {{pct .PercentCubic}} (cubic fit, JCTVC-E137){{end}}{{if .RungsPercent}}; chosen rungs alone {{pct .RungsPercent}}{{end}}.{{else}}none (see the warnings).{{end}}</p>{{end}}
{{with .R.PerShot}}<p>Per-shot against per-title, the same trial encodes: BD-rate
{{if .BDRate}}<b id="pershot-bdrate">{{pct .BDRate}}</b> (PCHIP){{else}}none ({{.BDRateNote}}){{end}};
{{len .Shots}} shots, {{.ChunkEncodes}} chunk encodes (the full grid has {{.GridChunks}}; the per-title search made {{.TitleTrials}} of the {{$.R.TrialEncodes}} trial encodes), no second encode.{{if .MixedBDRate}}
Letting a shot take another size inside a rendition would change the bitrate at equal quality by {{pct .MixedBDRate}} (BD-rate against one size per rendition); each rendition keeps one size, so its playlist needs no discontinuity.{{end}}</p>{{end}}
{{if .R.MinVMAF}}<p>Quality floor: no rung below VMAF {{f2 .R.MinVMAF}}.{{if .R.Saturated}} Top: {{.R.Saturated}}.{{end}}</p>{{else if .R.Saturated}}<p>Top: {{.R.Saturated}}.</p>{{end}}
{{range .R.Warnings}}<p class="warn">{{.}}</p>
{{end}}
{{range .Figures}}<figure><img alt="{{.Title}}" src="{{.URI}}"><figcaption>{{.Title}}</figcaption></figure>
{{end}}
<h2>Rungs</h2>
<table><tr><th>#</th><th>size</th><th>CRF</th><th>kb/s</th><th>peak kb/s</th><th>VMAF mean</th><th>p5</th><th>min</th>{{if .CAMBI}}<th>CAMBI</th>{{end}}<th class="l">file</th></tr>
{{range $i, $r := .R.Rungs}}<tr><td>{{$i}}</td><td>{{$r.Width}}x{{$r.Height}}</td><td>{{if $r.Shots}}per shot{{else}}{{$r.CRF}}{{end}}</td><td>{{f1 $r.Kbps}}</td><td>{{f1 $r.PeakKbps}}</td><td>{{f2 $r.VMAF}}</td><td>{{f2 $r.P5}}</td><td>{{f2 $r.Min}}</td>{{if $.CAMBI}}<td>{{with $r.CAMBI}}{{f2 .}}{{end}}</td>{{end}}<td class="l">{{$r.File}}</td></tr>
{{end}}</table>
{{with .R.PerShot}}<h2>Per shot</h2>
<table><tr><th>shot</th><th>frames</th>{{range $i, $r := $.R.Rungs}}<th>rung {{$i}}</th>{{end}}</tr>
{{range .Shots}}<tr><td>{{.Shot}}</td><td>{{.Start}}–{{.End}}</td>{{range .Rungs}}<td>{{.Width}}x{{.Height}} crf {{.CRF}}<br>{{f1 .Kbps}} kb/s, {{f2 .VMAF}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{if .Worst}}<h2>Worst frames</h2>
<p>Each rung's lowest-scoring frame: the source (left) and the rung upscaled as it is scored (right), cropped where they differ most.</p>
{{range $i, $r := .R.Rungs}}{{with $r.Worst}}<figure><img class="worst" alt="rung {{$i}} frame {{.Frame}}" src="{{.Picture}}" width="{{pair .Width}}" height="{{.Height}}"><figcaption>Rung {{$i}} ({{$r.Width}}x{{$r.Height}}, {{f1 $r.Kbps}} kb/s): frame {{.Frame}}, VMAF {{f2 .VMAF}}; crop {{.Width}}x{{.Height}} at ({{.X}}, {{.Y}})</figcaption></figure>
{{end}}{{end}}{{end}}
{{if .R.Reference}}<h2>Fixed reference ladder</h2>
<table><tr><th>size</th><th>target kb/s</th><th>kb/s</th><th>VMAF mean</th><th>p5</th><th>min</th></tr>
{{range .R.Reference}}<tr><td>{{.Width}}x{{.Height}}</td><td>{{.Target}}</td><td>{{f1 .Kbps}}</td><td>{{f2 .VMAF}}</td><td>{{f2 .P5}}</td><td>{{f2 .Min}}</td></tr>
{{end}}</table>{{end}}
<h2>Candidates</h2>
<table><tr><th>size</th><th>CRF</th><th>kb/s</th><th>VMAF mean</th><th>p5</th><th>min</th></tr>
{{range .R.Candidates}}<tr><td>{{.Width}}x{{.Height}}</td><td>{{.CRF}}</td><td>{{f1 .Kbps}}</td><td>{{f2 .VMAF}}</td><td>{{f2 .P5}}</td><td>{{f2 .Min}}</td></tr>
{{end}}</table>
</body></html>
`))

// figureData is a Figure with its data: URI.
type figureData struct {
	Title string
	URI   template.URL
}

// RenderHTML returns report.html: one self-contained page with the report's
// tables and the figures embedded as SVG data: URIs.
func RenderHTML(r Report, figs []Figure) ([]byte, error) {
	data := struct {
		R       Report
		Figures []figureData
		Worst   bool
		CAMBI   bool
	}{R: r}
	for _, g := range r.Rungs {
		data.Worst = data.Worst || g.Worst != nil
		data.CAMBI = data.CAMBI || g.CAMBI != nil
	}
	for _, f := range figs {
		uri := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(f.SVG)
		data.Figures = append(data.Figures, figureData{f.Title, template.URL(uri)})
	}
	var b bytes.Buffer
	if err := reportPage.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("ladder: render report.html: %w", err)
	}
	return b.Bytes(), nil
}

// WriteHTML writes report.html to path.
func WriteHTML(path string, r Report, figs []Figure) error {
	b, err := RenderHTML(r, figs)
	if err != nil {
		return err
	}
	return writeAtomic(path, b)
}
