package ladder

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Prober makes one trial encode of a candidate and measures it. Point must
// carry the candidate's size and CRF, the measured bitrate and the VMAF.
// Trial is called from several goroutines at once.
type Prober interface {
	Trial(ctx context.Context, c Candidate) (Point, error)
}

// SearchOptions configures Search.
type SearchOptions struct {
	Sizes      []Size    // candidate sizes
	CRFs       []float64 // candidate CRFs (any order)
	Exhaustive bool      // encode the full grid
	Workers    int       // trial encodes at once (default 1)

	// Adaptive search: Initial probes per size (default 2, spread over the
	// CRFs); then rounds of refinement that encode the unprobed candidates
	// whose interpolated R-D point lies above the hull found so far, or less
	// than Margin VMAF below it (default 0.5), best first, until none is
	// left or Budget × the grid size trial encodes were made (default 0.4).
	Initial int
	Margin  float64
	Budget  float64
	MinVMAF float64 // the search does not extend the hull below this VMAF (default 30)
	// PerShot adds, after the adaptive refinement, a densifying phase for
	// a per-shot ladder: the unmeasured CRFs between measured ones of each
	// size with a point on the hull, widest bitrate gap first, until none
	// is left or the trial encodes double. A per-shot allocation mixes the
	// shots' CRFs, so it gains where each size's CRFs are dense.
	PerShot bool

	// OnTrial, when set, is called after each trial encode with the number
	// done so far and the most that will be made. Calls are serialised.
	OnTrial func(done, most int, p Point)
}

// SearchResult is what Search found.
type SearchResult struct {
	Points []Point // every trial encode, in the order they finished
	Hull   []Point // Hull(Points)
	Grid   int     // size of the full grid
	// TitleTrials is how many of Points the per-title search made, before
	// a per-shot densifying phase (PerShot) added the rest.
	TitleTrials int
	// Shots are the chunks of the trial encodes with their own R-D
	// points, for a per-shot ladder; nil when the runner kept none.
	Shots []Shot `json:"-"`
}

// Search encodes candidates of the grid Sizes × CRFs through the prober and
// returns every measured point and their hull. With Exhaustive it encodes
// the whole grid. Otherwise it probes a few CRFs per size, predicts the
// R-D point of every other candidate by interpolating log bitrate and
// log(100 − VMAF) linearly in CRF between the probed neighbours of its size
// (x264-style rate control halves the bitrate about every 6 CRF, and the
// quality deficit grows about geometrically), and refines only where the
// prediction says the hull could move. The first trial error cancels the
// rest.
func Search(ctx context.Context, pr Prober, o SearchOptions) (SearchResult, error) {
	pl, err := NewPlanner(o)
	if err != nil {
		return SearchResult{}, err
	}
	s := &search{pr: pr, pl: pl}
	for {
		batch := pl.Next()
		if len(batch) == 0 {
			return pl.Result(), nil
		}
		if err := s.run(ctx, batch); err != nil {
			return SearchResult{}, err
		}
	}
}

// Planner makes the search's decisions: which candidates to measure next,
// given the points measured so far. It is deterministic (the same points
// give the same batches, whatever order they were recorded in within a
// batch) and does no I/O, so the local runner (Search, an errgroup) and a
// Temporal workflow drive the same search and find the same ladder.
type Planner struct {
	o       SearchOptions
	crfs    []float64 // sorted
	grid    []Candidate
	done    map[Candidate]Point // every measured candidate
	points  []Point             // in the order recorded
	most    int                 // the most trial encodes this search makes
	started bool
	dense   bool // in the per-shot densifying phase
	// titleTrials is the number of trials when the densifying phase began.
	titleTrials int
}

// NewPlanner validates the options and fills in their defaults.
func NewPlanner(o SearchOptions) (*Planner, error) {
	if len(o.Sizes) == 0 || len(o.CRFs) == 0 {
		return nil, fmt.Errorf("ladder: search: empty grid (%d sizes, %d CRFs)", len(o.Sizes), len(o.CRFs))
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Initial < 1 {
		o.Initial = 2
	}
	if o.Margin == 0 {
		o.Margin = 0.5
	}
	if o.Budget == 0 {
		o.Budget = 0.4
	}
	if o.MinVMAF == 0 {
		o.MinVMAF = 30
	}
	crfs := append([]float64(nil), o.CRFs...)
	sort.Float64s(crfs)
	p := &Planner{o: o, crfs: crfs, grid: Grid(o.Sizes, crfs), done: map[Candidate]Point{}}
	p.most = len(p.grid)
	if !o.Exhaustive {
		budget := int(math.Floor(o.Budget * float64(len(p.grid))))
		p.most = max(budget, min(len(p.grid), o.Initial*len(o.Sizes)))
	}
	return p, nil
}

// Next returns the candidates to measure next, all of which must be
// recorded before Next is called again; none when the search is over.
// Exhaustive: the whole grid once. Adaptive: a few CRFs per size first,
// then batches of up to Workers refinements until none is worth it or the
// budget is spent.
func (p *Planner) Next() []Candidate {
	if !p.started {
		p.started = true
		if p.o.Exhaustive {
			return p.grid
		}
		var first []Candidate
		for k, size := range p.o.Sizes {
			for _, i := range diagonal(len(p.crfs), len(p.o.Sizes), k, p.o.Initial) {
				first = append(first, Candidate{size, p.crfs[i]})
			}
		}
		return first
	}
	if p.o.Exhaustive {
		return nil
	}
	if !p.dense && len(p.done) < p.most {
		if next := p.refinements(min(p.o.Workers, p.most-len(p.done))); len(next) > 0 {
			return next
		}
	}
	if !p.o.PerShot {
		return nil
	}
	if !p.dense {
		p.dense = true
		p.titleTrials = len(p.done)
		p.most = min(2*len(p.done), len(p.grid))
	}
	if len(p.done) >= p.most {
		return nil
	}
	return p.densify(min(p.o.Workers, p.most-len(p.done)))
}

// densify returns up to n unmeasured candidates lying between two measured
// CRFs of a size that has a point on the hull, ranked by the bitrate gap
// (log ratio) between the measured neighbours they fall in, widest first;
// of one gap only the CRF nearest its middle is taken per batch.
func (p *Planner) densify(n int) []Candidate {
	hull := Hull(p.points)
	type gap struct {
		c     Candidate
		width float64
	}
	var gaps []gap
	for _, size := range p.o.Sizes {
		onHull := false
		for _, h := range hull {
			onHull = onHull || h.Width == size.Width && h.Height == size.Height
		}
		if !onHull {
			continue
		}
		var measured []int // indexes into p.crfs
		for i, crf := range p.crfs {
			if _, ok := p.done[Candidate{size, crf}]; ok {
				measured = append(measured, i)
			}
		}
		for k := 1; k < len(measured); k++ {
			lo, hi := measured[k-1], measured[k]
			if hi-lo < 2 {
				continue
			}
			a, b := p.done[Candidate{size, p.crfs[lo]}], p.done[Candidate{size, p.crfs[hi]}]
			mid := (lo + hi) / 2
			gaps = append(gaps, gap{Candidate{size, p.crfs[mid]}, math.Abs(math.Log(a.Kbps / b.Kbps))})
		}
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].width > gaps[j].width })
	var out []Candidate
	for _, g := range gaps[:min(n, len(gaps))] {
		out = append(out, g.c)
	}
	return out
}

// Record stores the measured point of candidate c (its size and CRF are
// set from c) and returns it.
func (p *Planner) Record(c Candidate, pt Point) Point {
	pt = c.point(pt)
	p.done[c] = pt
	p.points = append(p.points, pt)
	return pt
}

// point returns pt labelled with c's size and CRF.
func (c Candidate) point(pt Point) Point {
	pt.Width, pt.Height, pt.CRF = c.Size.Width, c.Size.Height, c.CRF
	return pt
}

// Most is the most trial encodes the search makes.
func (p *Planner) Most() int { return p.most }

// Measured is how many points were recorded.
func (p *Planner) Measured() int { return len(p.points) }

// Result returns every recorded point and their hull.
func (p *Planner) Result() SearchResult {
	title := len(p.points)
	if p.dense {
		title = p.titleTrials
	}
	return SearchResult{Points: p.points, Hull: Hull(p.points), Grid: len(p.grid), TitleTrials: title}
}

// diagonal returns the initial CRF indexes (of n, best quality first) of
// size k of m (largest first): each size gets its own window of the CRF
// range, the largest the best qualities and the smallest the lowest rates,
// since that is where each tends to sit on the hull (a large frame at a
// high CRF loses to a smaller one at a lower CRF). The windows touch, so the
// first size probes the grid's best quality and the last its lowest rate.
func diagonal(n, m, k, probes int) []int {
	if m <= 1 || probes < 2 {
		return spread(n, probes)
	}
	lo := float64(k) * float64(n-1) / float64(m)
	hi := float64(k+1) * float64(n-1) / float64(m)
	idx := make([]int, 0, probes)
	for j := 0; j < probes; j++ {
		i := int(math.Round(lo + (hi-lo)*float64(j)/float64(probes-1)))
		if len(idx) > 0 && i <= idx[len(idx)-1] {
			i = idx[len(idx)-1] + 1
		}
		if i >= n {
			break
		}
		idx = append(idx, i)
	}
	return idx
}

// spread returns k indexes of n evenly placed inside the range, each the
// centre of one of k equal parts: the ends are the most expensive and least
// useful probes (n = 10 gives 2, 7 for k = 2 and 1, 5, 8 for k = 3).
func spread(n, k int) []int {
	k = min(k, n)
	idx := make([]int, k)
	for j := range idx {
		idx[j] = int(math.Round((float64(j)+0.5)*float64(n)/float64(k) - 0.5))
	}
	return idx
}

// search runs a Planner's batches on a bounded pool.
type search struct {
	pr Prober
	pl *Planner

	mu sync.Mutex // guards pl while trials run
}

// run encodes the candidates on a bounded pool and records their points
// in the order they finish.
func (s *search) run(ctx context.Context, cs []Candidate) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(s.pl.o.Workers)
	pts := make([]Point, len(cs))
	before, finished := s.pl.Measured(), 0
	for i, c := range cs {
		g.Go(func() error {
			p, err := s.pr.Trial(ctx, c)
			if err != nil {
				return fmt.Errorf("ladder: trial %v: %w", c, err)
			}
			pts[i] = c.point(p)
			s.mu.Lock()
			defer s.mu.Unlock()
			finished++
			if s.pl.o.OnTrial != nil {
				s.pl.o.OnTrial(before+finished, s.pl.Most(), pts[i])
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Recorded in the batch's order, not the trials' finishing order, so
	// that every run of a search (and the Temporal workflow's) lists the
	// same points in the same order.
	for i, c := range cs {
		s.pl.Record(c, pts[i])
	}
	return nil
}

// refinements returns up to n unprobed candidates worth a trial encode,
// best first. Worth it are those on the hull of the measured and the
// predicted points (where the hull would move if the predictions hold) and
// those predicted less than Margin VMAF below it. They are ranked by gain,
// the area their prediction adds to the measured hull in the (log kb/s,
// VMAF) plane, so wide gaps of the hull are filled before narrow ones;
// candidates that would only extend the hull below MinVMAF, or add less
// than minGain, are left out. A batch is chosen greedily: each pick's
// prediction joins the hull before the next is ranked, so one batch does
// not spend two encodes on the same gap.
func (s *Planner) refinements(n int) []Candidate {
	grid := s.grid
	var preds []Point
	var cands []Candidate
	for _, c := range grid {
		if _, ok := s.done[c]; ok {
			continue
		}
		if q, ok := s.predict(c); ok {
			preds = append(preds, q)
			cands = append(cands, c)
		}
	}
	predicted := Hull(append(append([]Point(nil), s.points...), preds...))
	worth := make([]bool, len(preds))
	for i, q := range preds {
		worth[i] = onHull(predicted, q) || aboveHull(predicted, q) > -s.o.Margin
	}
	believed := append([]Point(nil), s.points...)
	var out []Candidate
	for len(out) < n {
		measured := Hull(believed)
		best, bestGain := -1, minGain
		for i, q := range preds {
			if !worth[i] {
				continue
			}
			if g := gain(measured, q, s.o.MinVMAF); g > bestGain {
				best, bestGain = i, g
			}
		}
		if best < 0 {
			break
		}
		out = append(out, cands[best])
		believed = append(believed, preds[best])
		worth[best] = false
	}
	return out
}

// minGain is the smallest hull area (VMAF × ln kb/s) worth a trial encode.
const minGain = 0.01

// gain is what q adds to the hull: its area in the (ln kb/s, VMAF) plane
// plus, weighted by deficitWeight, its area in the (ln kb/s, −ln(100 −
// VMAF)) plane, where a VMAF point near the top weighs as much as the
// bitrate it costs there (the top rungs carry most of the bits, and a fixed
// ladder's BD-rate is measured up there). Each area is the triangle over
// the hull segment q falls in (the hull read linearly in log bitrate), or
// the one q adds beyond the hull's top or bottom end. Points below minVMAF
// add nothing below the bottom.
func gain(hull []Point, q Point, minVMAF float64) float64 {
	if len(hull) == 0 {
		return math.Inf(1)
	}
	ident := func(v float64) float64 { return v }
	return area(hull, q, minVMAF, ident) + deficitWeight*area(hull, q, minVMAF, deficitQ)
}

// deficitWeight balances the two areas of gain (a VMAF point at 50 is
// worth about 0.02 in deficit units, at 95 about 0.2).
const deficitWeight = 5

// area is the triangle q adds to the hull with quality read through f.
func area(hull []Point, q Point, minVMAF float64, f func(float64) float64) float64 {
	lo, hi := hull[0], hull[len(hull)-1]
	switch {
	case q.Kbps > hi.Kbps:
		return math.Max(f(q.VMAF)-f(hi.VMAF), 0) * math.Log(q.Kbps/hi.Kbps) / 2
	case q.Kbps < lo.Kbps:
		if q.VMAF < minVMAF || q.VMAF >= lo.VMAF {
			return 0
		}
		return (f(lo.VMAF) - f(q.VMAF)) * math.Log(lo.Kbps/q.Kbps) / 2
	}
	i := sort.Search(len(hull), func(i int) bool { return hull[i].Kbps >= q.Kbps })
	if i == 0 || hull[i].Kbps == q.Kbps {
		return math.Max(f(q.VMAF)-f(hull[i].VMAF), 0) * 0.1
	}
	a, b := hull[i-1], hull[i]
	t := math.Log(q.Kbps/a.Kbps) / math.Log(b.Kbps/a.Kbps)
	chord := f(a.VMAF) + t*(f(b.VMAF)-f(a.VMAF))
	return math.Max(f(q.VMAF)-chord, 0) * math.Log(b.Kbps/a.Kbps) / 2
}

// deficitQ is −ln(100 − VMAF), VMAF capped at 99.5.
func deficitQ(v float64) float64 { return -math.Log(100 - math.Min(v, 99.5)) }

// predict interpolates the R-D point of an unprobed candidate from the
// probed CRFs of its size: log kb/s and log(100 − VMAF) linear in CRF
// between the nearest probes, or along the nearest two beyond them.
func (s *Planner) predict(c Candidate) (Point, bool) {
	var xs []float64
	var ps []Point
	for _, crf := range s.crfs {
		if p, ok := s.done[Candidate{c.Size, crf}]; ok && p.Kbps > 0 {
			xs = append(xs, crf)
			ps = append(ps, p)
		}
	}
	if len(xs) < 2 {
		return Point{}, false
	}
	i := sort.SearchFloat64s(xs, c.CRF) // xs[i-1] < c.CRF < xs[i]
	i = min(max(i, 1), len(xs)-1)
	a, b := ps[i-1], ps[i]
	t := (c.CRF - xs[i-1]) / (xs[i] - xs[i-1])
	lerp := func(u, v float64) float64 { return u + t*(v-u) }
	deficit := func(v float64) float64 { return math.Log(math.Max(100-v, 0.05)) }
	kbps := math.Exp(lerp(math.Log(a.Kbps), math.Log(b.Kbps)))
	vmaf := 100 - math.Exp(lerp(deficit(a.VMAF), deficit(b.VMAF)))
	return Point{Width: c.Size.Width, Height: c.Size.Height, CRF: c.CRF, Kbps: kbps, VMAF: vmaf}, true
}

// aboveHull is how far q lies above the hull: the VMAF difference to the
// hull at q's bitrate, with the hull extended beyond its ends along its
// first segment (below) and flat at its best VMAF (above).
func aboveHull(hull []Point, q Point) float64 {
	if len(hull) == 0 {
		return math.Inf(1)
	}
	if v, ok := HullVMAF(hull, q.Kbps); ok {
		return q.VMAF - v
	}
	last := hull[len(hull)-1]
	if q.Kbps > last.Kbps || len(hull) == 1 {
		return q.VMAF - last.VMAF
	}
	a, b := hull[0], hull[1]
	slope := (b.VMAF - a.VMAF) / (b.Kbps - a.Kbps)
	return q.VMAF - (a.VMAF + slope*(q.Kbps-a.Kbps))
}
