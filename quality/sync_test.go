package quality

import (
	"errors"
	"io"
	"testing"
)

// timedFrames is a TimedReader of tiny pictures whose luma holds the
// frame number, shown at the given times.
type timedFrames struct {
	times []float64
	i     int
}

func (r *timedFrames) Info() VideoInfo {
	return VideoInfo{Width: 2, Height: 2, BitDepth: 8, Chroma: Chroma420, Frames: len(r.times)}
}

func (r *timedFrames) ReadPicture(p *Picture) error {
	if r.i == len(r.times) {
		return io.EOF
	}
	p.Planes[0][0] = uint16(r.i)
	r.i++
	return nil
}

func (r *timedFrames) Time() float64 { return r.times[r.i-1] }

func frameTimes(n int, start, step float64, skip ...int) []float64 {
	var ts []float64
	for i := range n {
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == i
		}
		if !skipped {
			ts = append(ts, start+float64(i)*step)
		}
	}
	return ts
}

// TestSyncByTime pairs distorted frames with the nearest reference frame
// and counts repeats and drops.
func TestSyncByTime(t *testing.T) {
	for _, tc := range []struct {
		name          string
		ref, dis      []float64
		want          []int // reference frame paired with each distorted frame
		repeat, dropd int
	}{
		{"same", frameTimes(5, 0, 1, -1), frameTimes(5, 0, 1, -1), []int{0, 1, 2, 3, 4}, 0, 0},
		// ffmpeg's CFR MP4 of an AVI whose first frame is at one frame:
		// the first frame is repeated at 0.
		{"repeat at start", frameTimes(4, 1, 1, -1), frameTimes(5, 0, 1, -1), []int{0, 0, 1, 2, 3}, 1, 0},
		{"drop in middle", frameTimes(6, 0, 1, -1), frameTimes(6, 0, 1, 2), []int{0, 1, 3, 4, 5}, 0, 1},
		{"drop at end", frameTimes(6, 0, 1, -1), frameTimes(4, 0, 1, -1), []int{0, 1, 2, 3}, 0, 2},
		{"half rate", frameTimes(6, 0, 1, -1), frameTimes(3, 0, 2, -1), []int{0, 2, 4}, 0, 3},
		{"jitter", []float64{0, 1, 2, 3}, []float64{0.1, 0.9, 2.4, 2.6}, []int{0, 1, 2, 3}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, dis := &timedFrames{times: tc.ref}, &timedFrames{times: tc.dis}
			rr, dr, st := SyncByTime(ref, dis)
			if rr.Info().Frames != len(tc.dis) {
				t.Errorf("reference reader says %d frames, want %d", rr.Info().Frames, len(tc.dis))
			}
			rp, dp := rr.Info().NewPicture(), dr.Info().NewPicture()
			var got []int
			for {
				errR, errD := rr.ReadPicture(rp), dr.ReadPicture(dp)
				if errors.Is(errR, io.EOF) && errors.Is(errD, io.EOF) {
					break
				}
				if errR != nil || errD != nil {
					t.Fatal(errR, errD)
				}
				got = append(got, int(rp.Planes[0][0]))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("pairs %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("pairs %v, want %v", got, tc.want)
				}
			}
			if *st != (SyncStats{Pairs: len(tc.dis), Repeated: tc.repeat, Dropped: tc.dropd}) {
				t.Errorf("stats %+v, want %d repeated, %d dropped", *st, tc.repeat, tc.dropd)
			}
		})
	}
}
