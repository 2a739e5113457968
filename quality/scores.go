package quality

import (
	"math"
	"sync"
)

// Scores collects per-frame feature values by name, as libvmaf's feature
// collector does. Names keep the order in which they were first set, which is
// the order the writers print them in. It is safe for concurrent use.
type Scores struct {
	mu    sync.Mutex
	first int            // guarded by mu; frames before first are not held (per-frame collectors)
	names []string       // guarded by mu
	index map[string]int // guarded by mu
	vals  [][]float64    // guarded by mu; vals[feature][frame-first], NaN when unset

	tee []*Scores // write once: when set, Set forwards to these and keeps nothing
}

// newTeeScores returns a collector whose Set records each value in every
// one of dst and keeps nothing itself: ScoreMany gives it to a
// reference-only temporal extractor so that one instance fills every
// result.
func newTeeScores(dst []*Scores) *Scores {
	return &Scores{index: make(map[string]int), tee: dst}
}

// NewScores returns an empty collector.
func NewScores() *Scores {
	return &Scores{index: make(map[string]int)}
}

// Set records value v of feature name for frame i.
func (s *Scores) Set(name string, i int, v float64) {
	if s.tee != nil {
		for _, d := range s.tee {
			d.Set(name, i, v)
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < s.first {
		panic("quality: Scores.Set before the collector's first frame") // a broken scorer invariant
	}
	i -= s.first
	k, ok := s.index[name]
	if !ok {
		k = len(s.names)
		s.index[name] = k
		s.names = append(s.names, name)
		if k < cap(s.vals) {
			s.vals = s.vals[:k+1] // reuse the column a reset left behind
			s.vals[k] = s.vals[k][:0]
		} else {
			s.vals = append(s.vals, nil)
		}
	}
	col := s.vals[k]
	for len(col) <= i {
		col = append(col, math.NaN())
	}
	col[i] = v
	s.vals[k] = col
}

// Get returns the value of feature name at frame i and whether it was set.
func (s *Scores) Get(name string, i int) (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.index[name]
	i -= s.first
	if !ok || i < 0 || i >= len(s.vals[k]) || math.IsNaN(s.vals[k][i]) {
		return 0, false
	}
	return s.vals[k][i], true
}

// Names returns the feature names in first-set order.
func (s *Scores) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.names...)
}

// Frames returns one past the highest frame index any feature was set for.
func (s *Scores) Frames() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s._frames()
}

// _frames is Frames with mu held.
func (s *Scores) _frames() int {
	n := 0
	for _, col := range s.vals {
		n = max(n, len(col))
	}
	if n == 0 {
		return 0
	}
	return s.first + n
}

// Column returns a copy of feature name's values, one per frame up to
// Frames(), NaN where unset; nil when the feature is unknown.
func (s *Scores) Column(name string) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.index[name]
	if !ok {
		return nil
	}
	n := s._frames()
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	copy(out[s.first:], s.vals[k])
	return out
}

// reset empties s for reuse as the collector of frames from first on,
// keeping its allocations: the scorer's per-frame collectors then hold one
// value per feature whatever the frame number.
func (s *Scores) reset(first int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.first = first
	clear(s.index)
	s.names = s.names[:0]
	s.vals = s.vals[:0]
}
