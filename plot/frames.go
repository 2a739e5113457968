package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"rung/quality"
)

// Size of the per-frame chart.
const (
	framesWidth  = 8 * vg.Inch
	framesHeight = 4.5 * vg.Inch
)

// Frames draws feature key (usually "vmaf") of res per scored frame with
// horizontal lines at its mean, harmonic mean and 5th percentile (pooled
// with quality.Pool), and, when res has a bootstrap model's
// vmaf_ci_p95_lo/hi, the 95% confidence band.
func Frames(res *quality.Result, key, title string) (Chart, error) {
	col := res.Scores.Column(key)
	if col == nil {
		return Chart{}, fmt.Errorf("plot: no feature %q", key)
	}
	pts := make(plotter.XYs, 0, len(res.Scored))
	vals := make([]float64, 0, len(res.Scored))
	for _, i := range res.Scored {
		if i < len(col) && !math.IsNaN(col[i]) {
			pts = append(pts, plotter.XY{X: float64(i), Y: col[i]})
			vals = append(vals, col[i])
		}
	}
	if len(pts) == 0 {
		return Chart{}, fmt.Errorf("plot: feature %q has no values", key)
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "frame"
	p.Y.Label.Text = key
	p.Legend.Top = false
	p.Legend.Left = true
	p.Add(plotter.NewGrid())

	lo, hi := res.Scores.Column(key+"_ci_p95_lo"), res.Scores.Column(key+"_ci_p95_hi")
	if lo != nil && hi != nil {
		band := make(plotter.XYs, 0, 2*len(res.Scored))
		for _, i := range res.Scored {
			band = append(band, plotter.XY{X: float64(i), Y: hi[i]})
		}
		for k := len(res.Scored) - 1; k >= 0; k-- {
			i := res.Scored[k]
			band = append(band, plotter.XY{X: float64(i), Y: lo[i]})
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return Chart{}, fmt.Errorf("plot: CI band: %w", err)
		}
		poly.Color = color.NRGBA{R: 120, G: 160, B: 230, A: 90}
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = color.Transparent
		p.Add(poly)
		p.Legend.Add("95% CI (bootstrap)", poly)
	}

	line, err := plotter.NewLine(pts)
	if err != nil {
		return Chart{}, fmt.Errorf("plot: %s: %w", key, err)
	}
	line.Color = color.RGBA{R: 20, G: 60, B: 160, A: 255}
	line.Width = vg.Points(1.2)
	p.Add(line)
	p.Legend.Add(key, line)

	first, last := pts[0].X, pts[len(pts)-1].X
	if last == first {
		last = first + 1
	}
	for k, m := range []struct {
		method string
		c      color.RGBA
	}{
		{"mean", color.RGBA{R: 200, G: 30, B: 30, A: 255}},
		{"harmonic_mean", color.RGBA{R: 230, G: 140, B: 0, A: 255}},
		{"p5", color.RGBA{R: 40, G: 150, B: 60, A: 255}},
	} {
		v, err := quality.Pool(m.method, vals)
		if err != nil {
			return Chart{}, err
		}
		l, err := plotter.NewLine(plotter.XYs{{X: first, Y: v}, {X: last, Y: v}})
		if err != nil {
			return Chart{}, err
		}
		l.Color = m.c
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2 + float64(k))}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s %.2f", m.method, v), l)
	}
	return Chart{Plot: p, Width: framesWidth, Height: framesHeight}, nil
}
