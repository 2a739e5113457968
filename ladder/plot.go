package ladder

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"rung/plot"
)

// Plot sizes.
const (
	plotWidth  = 8 * vg.Inch
	plotHeight = 5 * vg.Inch
)

// RateQualityPlot draws the rate–quality curve of every candidate size
// (VMAF over kb/s, log bitrate axis), the convex hull, the chosen rungs and,
// when given, the fixed reference ladder's encodes.
func RateQualityPlot(title string, candidates, hull, rungs, reference []Point) (plot.Chart, error) {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "bitrate (kb/s)"
	p.Y.Label.Text = "VMAF (mean)"
	p.X.Scale = gplot.LogScale{}
	p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())

	bySize := map[Size][]Point{}
	for _, c := range candidates {
		s := Size{c.Width, c.Height}
		bySize[s] = append(bySize[s], c)
	}
	sizes := make([]Size, 0, len(bySize))
	for s := range bySize {
		sizes = append(sizes, s)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Height > sizes[j].Height })
	for i, s := range sizes {
		pts := bySize[s]
		sort.Slice(pts, func(a, b int) bool { return pts[a].Kbps < pts[b].Kbps })
		line, scatter, err := plotter.NewLinePoints(xys(pts))
		if err != nil {
			return plot.Chart{}, fmt.Errorf("ladder: plot %v: %w", s, err)
		}
		line.Color = plotutil.Color(i)
		scatter.Color = plotutil.Color(i)
		scatter.Shape = draw.CircleGlyph{}
		scatter.Radius = vg.Points(2.5)
		p.Add(line, scatter)
		p.Legend.Add(s.String(), line, scatter)
	}
	if len(hull) > 0 {
		h, err := plotter.NewLine(xys(hull))
		if err != nil {
			return plot.Chart{}, fmt.Errorf("ladder: plot hull: %w", err)
		}
		h.Color = color.Black
		h.Width = vg.Points(1.5)
		h.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(h)
		p.Legend.Add("convex hull", h)
	}
	for _, m := range []struct {
		pts          []Point
		what, legend string
		shape        draw.GlyphDrawer
		radius       vg.Length
		color        color.Color
	}{
		{reference, "reference", "fixed ladder", draw.CrossGlyph{}, vg.Points(4), color.RGBA{R: 120, G: 120, B: 120, A: 255}},
		{rungs, "rungs", "chosen rungs", draw.RingGlyph{}, vg.Points(6), color.RGBA{R: 220, A: 255}},
	} {
		if len(m.pts) == 0 {
			continue
		}
		r, err := plotter.NewScatter(xys(m.pts))
		if err != nil {
			return plot.Chart{}, fmt.Errorf("ladder: plot %s: %w", m.what, err)
		}
		r.Shape, r.Radius, r.Color = m.shape, m.radius, m.color
		p.Add(r)
		p.Legend.Add(m.legend, r)
	}
	return plot.Chart{Plot: p, Width: plotWidth, Height: plotHeight}, nil
}

// CurvesPlot draws the title's R-D curves of a per-shot ladder: the
// per-title hull and the per-shot hull of the same trial encodes, VMAF over
// kb/s on a log bitrate axis.
func CurvesPlot(title string, perTitle, perShot []Point) (plot.Chart, error) {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "bitrate (kb/s)"
	p.Y.Label.Text = "VMAF (mean)"
	p.X.Scale = gplot.LogScale{}
	p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	for i, c := range []struct {
		name string
		pts  []Point
	}{{"per-title hull", perTitle}, {"per-shot hull", perShot}} {
		if len(c.pts) == 0 {
			continue
		}
		line, scatter, err := plotter.NewLinePoints(xys(c.pts))
		if err != nil {
			return plot.Chart{}, fmt.Errorf("ladder: plot %s: %w", c.name, err)
		}
		line.Color, scatter.Color = plotutil.Color(i), plotutil.Color(i)
		scatter.Shape = draw.CircleGlyph{}
		scatter.Radius = vg.Points(2)
		p.Add(line, scatter)
		p.Legend.Add(c.name, line, scatter)
	}
	return plot.Chart{Plot: p, Width: plotWidth, Height: plotHeight}, nil
}

// FramePlot draws the per-frame VMAF of every rung that carries its frame
// scores.
func FramePlot(title string, rungs []Point) (plot.Chart, error) {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "frame"
	p.Y.Label.Text = "VMAF"
	p.Legend.Top = false
	p.Add(plotter.NewGrid())
	for i, r := range rungs {
		if len(r.Frames) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(r.Frames))
		for f, v := range r.Frames {
			pts[f] = plotter.XY{X: float64(f), Y: v}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return plot.Chart{}, fmt.Errorf("ladder: plot frames of %s: %w", r.Label(), err)
		}
		l.Color = plotutil.Color(i)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s %.0f kb/s", Size{r.Width, r.Height}, r.Kbps), l)
	}
	return plot.Chart{Plot: p, Width: plotWidth, Height: plotHeight}, nil
}

func xys(ps []Point) plotter.XYs {
	out := make(plotter.XYs, len(ps))
	for i, p := range ps {
		out[i] = plotter.XY{X: p.Kbps, Y: p.VMAF}
	}
	return out
}

// saveFigure saves c as dir/name.svg and dir/name.png (plot.Chart.Save)
// and returns the SVG's bytes and both file names.
func saveFigure(ctx context.Context, c plot.Chart, dir, name string) (svg []byte, files []string, err error) {
	for _, format := range []string{"svg", "png"} {
		file := name + "." + format
		b, err := c.Save(ctx, filepath.Join(dir, file))
		if err != nil {
			return nil, nil, fmt.Errorf("ladder: %w", err)
		}
		if format == "svg" {
			svg = b
		}
		files = append(files, file)
	}
	return svg, files, nil
}
