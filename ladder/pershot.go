package ladder

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Shot is one chunk of the source's plan (chunks start at scene cuts) with
// the R-D points of its trial encodes: every candidate encode is a
// concatenation of its chunks, so each chunk is sized and scored on its own
// at no extra encode.
type Shot struct {
	Index  int         `json:"index"`
	Start  int         `json:"start"` // first frame
	End    int         `json:"end"`   // one past the last frame
	Points []ShotPoint `json:"-"`
}

// Frames is the shot's frame count.
func (s Shot) Frames() int { return s.End - s.Start }

// ShotPoint is one encode of one shot: its setting, its size in bits and
// its per-frame VMAF (the frames [Start, End) of the candidate's scores).
type ShotPoint struct {
	Size   Size
	CRF    float64
	Bits   float64   // encoded video bits of the chunk
	VMAF   float64   // mean of Frames
	File   string    // the chunk's encoded file
	Frames []float64 // per-frame VMAF
}

// ShotChoice is the point a per-shot allocation picked for one shot.
type ShotChoice struct {
	Shot   int     `json:"shot"`
	Width  int     `json:"width"`
	Height int     `json:"height"`
	CRF    float64 `json:"crf"`
	Kbps   float64 `json:"bitrate_kbps"` // the shot's own bitrate
	VMAF   float64 `json:"vmaf_mean"`    // the shot's own mean VMAF
	File   string  `json:"-"`            // the chunk encode it reuses
}

// shotHull returns the points of one shot on its upper convex hull in the
// (bits, VMAF) plane, by increasing bits: the points a Lagrangian allocation
// can pick (Hull on the shot's own bitrates).
func shotHull(pts []ShotPoint) []ShotPoint {
	ps := make([]Point, len(pts))
	for i, p := range pts {
		ps[i] = Point{Kbps: p.Bits, VMAF: p.VMAF, CRF: float64(i)} // CRF carries the index back
	}
	h := Hull(ps)
	out := make([]ShotPoint, len(h))
	for i, p := range h {
		out[i] = pts[int(p.CRF)]
	}
	return out
}

// Frontier returns the per-shot allocations of the shots at equal
// rate–quality slope, from the cheapest (every shot at its lowest-rate hull
// point) to the best (every shot at its best), as title R-D points by
// increasing bitrate. Each shot's points are reduced to their convex hull;
// then, as in the Lagrangian allocation of a bit budget (Shoham and Gersho;
// Netflix's Dynamic Optimizer), the next step is always the one with the
// steepest gain of title quality per bit among the shots' next hull steps,
// n·ΔVMAF/Δbits with n the shot's frames. The steps of one shot have
// decreasing slopes (a concave hull), so the steps taken in this order are
// exactly the allocations some slope λ picks: every point maximises
// Σ n·VMAF − λ·Σ bits over the shots' choices, and a budget is best met by
// the costliest frontier point within it (FrontierAt).
//
// The points carry the title's bitrate over seconds, the mean, 5th
// percentile and minimum of the concatenated per-frame scores and, in
// Shots, each shot's choice. Shots without points make the frontier empty.
func Frontier(shots []Shot, seconds float64) []Point {
	if len(shots) == 0 || seconds <= 0 {
		return nil
	}
	hulls := make([][]ShotPoint, len(shots))
	for i, s := range shots {
		if hulls[i] = shotHull(s.Points); len(hulls[i]) == 0 {
			return nil
		}
	}
	type step struct {
		shot, to int // shot index, hull point index after the step
		slope    float64
	}
	var steps []step
	for i, h := range hulls {
		n := float64(shots[i].Frames())
		for k := 1; k < len(h); k++ {
			steps = append(steps, step{i, k, n * (h[k].VMAF - h[k-1].VMAF) / (h[k].Bits - h[k-1].Bits)})
		}
	}
	// Ties keep each shot's steps in order (slopes within a shot strictly
	// decrease, so a stable sort by slope alone does).
	sort.SliceStable(steps, func(a, b int) bool { return steps[a].slope > steps[b].slope })
	at := make([]int, len(shots))
	out := []Point{allocation(shots, hulls, at, seconds)}
	for _, st := range steps {
		at[st.shot] = st.to
		out = append(out, allocation(shots, hulls, at, seconds))
	}
	return out
}

// FrontierAt returns the point of the frontier (by increasing bitrate) that
// a budget of kbps buys: the best whose bitrate is within it, or the
// cheapest when none is.
func FrontierAt(frontier []Point, kbps float64) (Point, bool) {
	if len(frontier) == 0 {
		return Point{}, false
	}
	i := sort.Search(len(frontier), func(i int) bool { return frontier[i].Kbps > kbps })
	return frontier[max(i-1, 0)], true
}

// allocation is the title point of shot i at hull point at[i].
func allocation(shots []Shot, hulls [][]ShotPoint, at []int, seconds float64) Point {
	var bits float64
	var frames []float64
	choices := make([]ShotChoice, len(shots))
	for i, s := range shots {
		p := hulls[i][at[i]]
		bits += p.Bits
		frames = append(frames, p.Frames...)
		choices[i] = ShotChoice{Shot: s.Index, Width: p.Size.Width, Height: p.Size.Height, CRF: p.CRF,
			Kbps: p.Bits / 1000 / (float64(s.Frames()) * seconds / float64(totalFrames(shots))), VMAF: p.VMAF, File: p.File}
	}
	p := Point{Kbps: bits / 1000 / seconds, Frames: frames, Shots: choices}
	p.Width, p.Height = choices[0].Width, choices[0].Height
	for _, c := range choices {
		if c.Width*c.Height > p.Width*p.Height {
			p.Width, p.Height = c.Width, c.Height
		}
	}
	p.VMAF, p.P5, p.Min, _ = poolVMAF(frames)
	return p
}

func totalFrames(shots []Shot) int {
	n := 0
	for _, s := range shots {
		n += s.Frames()
	}
	return n
}

// PerShotPoints returns the per-shot title points of every size: the
// frontier of each size's shot points (one resolution per rendition, a CRF
// per shot), by decreasing height then increasing bitrate. Hull over them
// is the per-shot R-D curve rungs are picked from.
func PerShotPoints(shots []Shot, seconds float64) []Point {
	var sizes []Size
	for _, s := range shots {
		for _, p := range s.Points {
			if !slices.Contains(sizes, p.Size) {
				sizes = append(sizes, p.Size)
			}
		}
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Height > sizes[j].Height })
	var out []Point
	for _, size := range sizes {
		sub := make([]Shot, len(shots))
		for i, s := range shots {
			sub[i] = s
			sub[i].Points = nil
			for _, p := range s.Points {
				if p.Size == size {
					sub[i].Points = append(sub[i].Points, p)
				}
			}
		}
		out = append(out, Frontier(sub, seconds)...)
	}
	return out
}

// checkShots checks that the shots tile [0, frames) in order and that each
// point's per-frame scores cover its shot.
func checkShots(shots []Shot, frames int) error {
	next := 0
	for _, s := range shots {
		if s.Start != next || s.End <= s.Start {
			return fmt.Errorf("ladder: per-shot: shot %d is frames %d–%d, want it to start at %d", s.Index, s.Start, s.End, next)
		}
		for _, p := range s.Points {
			if len(p.Frames) != s.Frames() || !(p.Bits > 0) || math.IsInf(p.Bits, 0) {
				return fmt.Errorf("ladder: per-shot: shot %d at %v crf %g has %d scores for %d frames and %g bits", s.Index, p.Size, p.CRF, len(p.Frames), s.Frames(), p.Bits)
			}
		}
		next = s.End
	}
	if next != frames {
		return fmt.Errorf("ladder: per-shot: the shots end at frame %d of %d", next, frames)
	}
	return nil
}
