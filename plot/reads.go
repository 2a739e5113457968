package plot

import (
	"cmp"
	"fmt"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"rung/mezzfs"
)

// Size of the read-pattern chart.
const (
	readsWidth  = 10 * vg.Inch
	readsHeight = 6 * vg.Inch
)

// Reads draws a mezzfs trace's read pattern (`rung mezzfs replay`): for
// every read, a vertical stroke at the time it began covering the bytes it
// asked for (offset in MiB against seconds), one colour per object.
// Sequential reading shows as a rising line, seeks as jumps, random access
// as scattered strokes.
func Reads(recs []mezzfs.TraceRecord, title string) (Chart, error) {
	if len(recs) == 0 {
		return Chart{}, fmt.Errorf("plot: replay: the trace has no reads")
	}
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "offset (MiB)"
	p.Add(plotter.NewGrid())
	byURL := map[string][]mezzfs.TraceRecord{}
	for _, r := range recs {
		byURL[r.URL] = append(byURL[r.URL], r)
	}
	urls := make([]string, 0, len(byURL))
	for u := range byURL {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	const mib = 1 << 20
	for i, u := range urls {
		rs := byURL[u]
		slices.SortFunc(rs, func(a, b mezzfs.TraceRecord) int { return cmp.Compare(a.Time, b.Time) })
		starts := make(plotter.XYs, len(rs))
		for j, r := range rs {
			starts[j] = plotter.XY{X: r.Time, Y: float64(r.Offset) / mib}
		}
		strokes := &plotter.YErrorBars{XYs: starts, YErrors: make(plotter.YErrors, len(rs)), LineStyle: draw.LineStyle{Color: plotutil.Color(i), Width: vg.Points(1.5)}}
		for j, r := range rs {
			strokes.XYs[j].Y = float64(r.Offset+r.Length/2) / mib
			half := float64(r.Length) / 2 / mib
			strokes.YErrors[j] = struct{ Low, High float64 }{half, half}
		}
		dots, err := plotter.NewScatter(starts)
		if err != nil {
			return Chart{}, fmt.Errorf("plot: replay %s: %w", u, err)
		}
		dots.Color = plotutil.Color(i)
		dots.Shape = draw.CircleGlyph{}
		dots.Radius = vg.Points(1.2)
		p.Add(strokes, dots)
		p.Legend.Add(u, dots)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return Chart{Plot: p, Width: readsWidth, Height: readsHeight}, nil
}
