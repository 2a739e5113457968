package mezzfs

import "testing"

func TestReadahead(t *testing.T) {
	const bs = 1 << 20
	type read struct {
		off, n      int64
		first, last int64 // want
		stall       bool  // the read waited for a block
	}
	tests := []struct {
		name  string
		max   int64
		reads []read
	}{
		{"small header reads prefetch nothing", 8, []read{
			{0, 64 << 10, 0, 0, false}, {64 << 10, 64 << 10, 0, 0, false}, {128 << 10, 64 << 10, 0, 0, false},
		}},
		{"sequential reads open a window past the read", 8, []read{
			{0, bs / 2, 1, 2, false},
			{bs / 2, bs / 2, 1, 2, false},
			{bs, bs, 2, 3, false},
		}},
		{"window doubles on stalls up to the cap", 4, []read{
			{0, bs, 1, 2, true},
			{bs, bs, 2, 4, true},
			{2 * bs, bs, 3, 7, true},
			{3 * bs, bs, 4, 8, true}, // capped at 4
			{4 * bs, bs, 5, 9, false},
		}},
		{"a reader that never waits keeps one block", 8, []read{
			{0, bs, 1, 2, false}, {bs, bs, 2, 3, false}, {2 * bs, bs, 3, 4, false}, {3 * bs, bs, 4, 5, false},
		}},
		{"small gaps continue the stream", 8, []read{
			{0, bs, 1, 2, false}, {bs + 4096, bs, 3, 4, false},
		}},
		{"random reads prefetch nothing", 8, []read{
			{100 * bs, bs / 4, 0, 0, false}, {7 * bs, bs / 4, 0, 0, false}, {55 * bs, bs / 4, 0, 0, false}, {300 * bs, bs / 4, 0, 0, false},
		}},
		{"two interleaved streams are both followed", 8, []read{
			{0, bs / 2, 1, 2, false}, {100 * bs, bs / 2, 101, 102, false},
			{bs / 2, bs / 2, 1, 2, false}, {100*bs + bs/2, bs / 2, 101, 102, false},
		}},
		{"off", 0, []read{{0, 64 * bs, 0, 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReadahead(bs, tt.max)
			for i, rd := range tt.reads {
				first, last := r.observe(rd.off, rd.n)
				if first != rd.first || last != rd.last {
					t.Errorf("read %d (%d+%d): prefetch [%d,%d), want [%d,%d)", i, rd.off, rd.n, first, last, rd.first, rd.last)
				}
				if rd.stall {
					r.stalled(rd.off + rd.n)
				}
			}
		})
	}
}
