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
	names []string       // guarded by mu
	index map[string]int // guarded by mu
	vals  [][]float64    // guarded by mu; vals[feature][frame], NaN when unset
}

// NewScores returns an empty collector.
func NewScores() *Scores {
	return &Scores{index: make(map[string]int)}
}

// Set records value v of feature name for frame i.
func (s *Scores) Set(name string, i int, v float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.index[name]
	if !ok {
		k = len(s.names)
		s.index[name] = k
		s.names = append(s.names, name)
		s.vals = append(s.vals, nil)
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
	if !ok || i >= len(s.vals[k]) || math.IsNaN(s.vals[k][i]) {
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
	n := 0
	for _, col := range s.vals {
		n = max(n, len(col))
	}
	return n
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
	out := append([]float64(nil), s.vals[k]...)
	n := 0
	for _, col := range s.vals {
		n = max(n, len(col))
	}
	for len(out) < n {
		out = append(out, math.NaN())
	}
	return out
}
