package ladder

import (
	"math"
	"sort"
)

// Hull returns the upper convex hull of the points in the linear
// (kb/s, VMAF) plane, ordered by increasing bitrate: the points no mix of
// two other points beats, which is the set a per-title ladder picks its
// rungs from. The hull is cut at its highest VMAF, so both bitrate and VMAF
// strictly increase along it. Points without a positive, finite bitrate or
// with a non-finite VMAF are ignored. Of points with the same bitrate only
// the best is kept. The input is not modified.
//
// It is Andrew's monotone chain (upper half): a point is dropped when it lies
// on or below the segment joining its neighbours.
func Hull(points []Point) []Point {
	ps := make([]Point, 0, len(points))
	for _, p := range points {
		if p.Kbps > 0 && !math.IsInf(p.Kbps, 0) && !math.IsNaN(p.VMAF) && !math.IsInf(p.VMAF, 0) {
			ps = append(ps, p)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Kbps != ps[j].Kbps {
			return ps[i].Kbps < ps[j].Kbps
		}
		return ps[i].VMAF > ps[j].VMAF
	})
	var h []Point
	for _, p := range ps {
		if len(h) > 0 && h[len(h)-1].Kbps == p.Kbps {
			continue // a better point with this bitrate is already kept
		}
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) >= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	best := 0
	for i, p := range h {
		if p.VMAF > h[best].VMAF {
			best = i
		}
	}
	if len(h) == 0 {
		return nil
	}
	return h[:best+1]
}

// cross is the z component of (b−a) × (c−a) in the (kb/s, VMAF) plane: it is
// ≥ 0 when b lies on or below the line from a to c (with a.Kbps < b.Kbps <
// c.Kbps).
func cross(a, b, c Point) float64 {
	return (b.Kbps-a.Kbps)*(c.VMAF-a.VMAF) - (b.VMAF-a.VMAF)*(c.Kbps-a.Kbps)
}

// HullVMAF returns the VMAF the hull reaches at the bitrate kbps, linearly
// interpolated between its points, and false outside its bitrate range.
func HullVMAF(hull []Point, kbps float64) (float64, bool) {
	if len(hull) == 0 || kbps < hull[0].Kbps || kbps > hull[len(hull)-1].Kbps {
		return 0, false
	}
	i := sort.Search(len(hull), func(i int) bool { return hull[i].Kbps >= kbps })
	if hull[i].Kbps == kbps || i == 0 {
		return hull[i].VMAF, true
	}
	a, b := hull[i-1], hull[i]
	t := (kbps - a.Kbps) / (b.Kbps - a.Kbps)
	return a.VMAF + t*(b.VMAF-a.VMAF), true
}

// HullGap returns how much VMAF the hull got loses against the hull want:
// the mean of want(r) − got(r) over the bitrates both cover, taken uniformly
// in log bitrate (the BD-quality of the two hulls), and the largest such
// difference. Between their points both hulls are read linearly in log
// bitrate, the shape of an R-D curve between two encodes (the straight chord
// in kb/s would understate every curve, the exhaustive one too). Both are
// +Inf when the hulls share no bitrate range.
func HullGap(want, got []Point) (mean, worst float64) {
	if len(want) == 0 || len(got) == 0 {
		return math.Inf(1), math.Inf(1)
	}
	lo := math.Max(want[0].Kbps, got[0].Kbps)
	hi := math.Min(want[len(want)-1].Kbps, got[len(got)-1].Kbps)
	if lo > hi {
		return math.Inf(1), math.Inf(1)
	}
	const n = 256
	rs := make([]float64, 0, n+1+len(want)+len(got))
	for i := 0; i <= n; i++ {
		rs = append(rs, math.Min(math.Max(lo*math.Pow(hi/lo, float64(i)/n), lo), hi))
	}
	for _, h := range [][]Point{want, got} {
		for _, p := range h {
			if p.Kbps >= lo && p.Kbps <= hi {
				rs = append(rs, p.Kbps)
			}
		}
	}
	sort.Float64s(rs)
	diff := func(r float64) float64 { return logVMAF(want, r) - logVMAF(got, r) }
	worst = diff(rs[0])
	if lo == hi {
		return worst, worst
	}
	for i := 1; i < len(rs); i++ {
		d0, d1 := diff(rs[i-1]), diff(rs[i])
		worst = math.Max(worst, d1)
		mean += (d0 + d1) / 2 * math.Log(rs[i]/rs[i-1]) // trapezoid in log rate
	}
	return mean / math.Log(hi/lo), worst
}

// logVMAF is the hull's VMAF at kbps, interpolated linearly in log bitrate
// between its points; kbps must lie within the hull's range.
func logVMAF(hull []Point, kbps float64) float64 {
	i := sort.Search(len(hull), func(i int) bool { return hull[i].Kbps >= kbps })
	if i == len(hull) {
		i--
	}
	if hull[i].Kbps == kbps || i == 0 {
		return hull[i].VMAF
	}
	a, b := hull[i-1], hull[i]
	t := math.Log(kbps/a.Kbps) / math.Log(b.Kbps/a.Kbps)
	return a.VMAF + t*(b.VMAF-a.VMAF)
}

// onHull reports whether p is one of the hull's points (same resolution,
// setting and bitrate).
func onHull(hull []Point, p Point) bool {
	for _, h := range hull {
		if h.Width == p.Width && h.Height == p.Height && h.CRF == p.CRF && h.Target == p.Target && h.Kbps == p.Kbps {
			return true
		}
	}
	return false
}
