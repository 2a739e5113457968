package mezzfs

import "testing"

func TestReadahead(t *testing.T) {
	const bs = 1 << 20
	type read struct {
		off, n      int64
		first, last int64 // want
	}
	tests := []struct {
		name  string
		max   int64
		reads []read
	}{
		{"small header reads prefetch nothing", 8, []read{
			{0, 64 << 10, 0, 0}, {64 << 10, 64 << 10, 0, 0}, {128 << 10, 64 << 10, 0, 0},
		}},
		{"sequential reads open a window past the read", 8, []read{
			{0, bs / 2, 1, 2},
			{bs / 2, bs / 2, 1, 2},
			{bs, bs, 2, 3},
		}},
		{"window grows by one block per eight read", 4, []read{
			{0, 8 * bs, 8, 10},
			{8 * bs, 8 * bs, 16, 19},
			{16 * bs, 16 * bs, 32, 36}, // capped at 4
			{32 * bs, 32 * bs, 64, 68},
		}},
		{"small gaps continue the stream", 8, []read{
			{0, bs, 1, 2}, {bs + 4096, bs, 3, 4},
		}},
		{"random reads prefetch nothing", 8, []read{
			{100 * bs, bs / 4, 0, 0}, {7 * bs, bs / 4, 0, 0}, {55 * bs, bs / 4, 0, 0}, {300 * bs, bs / 4, 0, 0},
		}},
		{"two interleaved streams are both followed", 8, []read{
			{0, bs / 2, 1, 2}, {100 * bs, bs / 2, 101, 102},
			{bs / 2, bs / 2, 1, 2}, {100*bs + bs/2, bs / 2, 101, 102},
		}},
		{"off", 0, []read{{0, 64 * bs, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReadahead(bs, tt.max)
			for i, rd := range tt.reads {
				first, last := r.observe(rd.off, rd.n)
				if first != rd.first || last != rd.last {
					t.Errorf("read %d (%d+%d): prefetch [%d,%d), want [%d,%d)", i, rd.off, rd.n, first, last, rd.first, rd.last)
				}
			}
		})
	}
}
