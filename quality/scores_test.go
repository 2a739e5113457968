package quality

import (
	"math"
	"testing"
)

// TestScoresPerFrameCollector checks that a collector reset to a late frame
// holds only that frame, and that reuse keeps names and values apart.
func TestScoresPerFrameCollector(t *testing.T) {
	s := NewScores()
	s.Set("a", 0, 1)
	s.Set("b", 2, 2)
	if got := s.Column("a"); len(got) != 3 || got[0] != 1 || !math.IsNaN(got[2]) {
		t.Fatalf("column a = %v", got)
	}
	s.reset(1_000_000)
	s.Set("b", 1_000_000, 5)
	s.Set("c", 1_000_000, 6)
	if len(s.vals[0]) != 1 {
		t.Fatalf("per-frame collector holds %d values, want 1", len(s.vals[0]))
	}
	if v, ok := s.Get("b", 1_000_000); !ok || v != 5 {
		t.Fatalf("b = %v %v", v, ok)
	}
	if _, ok := s.Get("a", 1_000_000); ok {
		t.Fatal("a survived reset")
	}
	if _, ok := s.Get("b", 2); ok {
		t.Fatal("a frame before first is reported")
	}
	if n := s.Frames(); n != 1_000_001 {
		t.Fatalf("Frames = %d", n)
	}
	if names := s.Names(); len(names) != 2 || names[0] != "b" || names[1] != "c" {
		t.Fatalf("names %v", names)
	}
}
