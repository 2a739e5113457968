package quality

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// memVideo is a VideoReader over pictures held in memory.
type memVideo struct {
	pics []*Picture
	next int
}

func (m *memVideo) Info() VideoInfo {
	p := m.pics[0]
	return VideoInfo{Width: p.Width, Height: p.Height, BitDepth: p.BitDepth, Chroma: p.Chroma, Frames: len(m.pics)}
}

func (m *memVideo) ReadPicture(p *Picture) error {
	if m.next == len(m.pics) {
		return io.EOF
	}
	for k := range p.Planes {
		copy(p.Planes[k], m.pics[m.next].Planes[k])
	}
	m.next++
	return nil
}

// syntheticClip returns n w x h 8-bit pictures of a moving gradient with
// noise of amplitude noise (0: the clean clip), from seed.
func syntheticClip(w, h, n, noise int, seed uint64) []*Picture {
	rng := rand.New(rand.NewPCG(seed, 1))
	pics := make([]*Picture, n)
	for f := range pics {
		p := NewPicture(w, h, 8, Chroma420)
		for k := range p.Planes {
			pw := p.PlaneWidth(k)
			for j := range p.Planes[k] {
				x, y := j%pw, j/pw
				v := (x*3+y*2+f*5)%200 + 28
				if noise > 0 {
					v += rng.IntN(2*noise+1) - noise
				}
				p.Planes[k][j] = uint16(min(max(v, 0), 255))
			}
		}
		pics[f] = p
	}
	return pics
}

// TestScoreManyEqualsSingleRuns scores three distorted clips against one
// reference in one pass and checks that every frame of every feature
// equals the single run of that input, with the temporal features shared
// (integer and float motion) and not.
func TestScoreManyEqualsSingleRuns(t *testing.T) {
	model, err := LoadModel(filepath.Join(vmafref.Dir(t), "vmaf", "model", "vmaf_v0.6.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Extractors(model, []string{"psnr"})
	if err != nil {
		t.Fatal(err)
	}
	ex = append(ex, func() Extractor { return NewFloatMotion() })
	const w, h, n = 96, 64, 7
	ref := syntheticClip(w, h, n, 0, 1)
	dis := [][]*Picture{syntheticClip(w, h, n, 3, 2), syntheticClip(w, h, n, 12, 3), syntheticClip(w, h, n, 30, 4)}
	for _, threads := range []int{1, 3} {
		for _, sub := range []int{1, 2} {
			opts := ScoreOptions{Extractors: ex, Model: model, Threads: threads, Subsample: sub}
			readers := make([]VideoReader, len(dis))
			for k := range dis {
				readers[k] = &memVideo{pics: dis[k]}
			}
			var calls int
			opts.Progress = func(done, total int) {
				calls++
				if total != n {
					t.Errorf("progress total %d, want %d", total, n)
				}
			}
			many, err := ScoreMany(context.Background(), &memVideo{pics: ref}, readers, opts)
			if err != nil {
				t.Fatal(err)
			}
			if calls != n {
				t.Errorf("progress called %d times, want %d", calls, n)
			}
			opts.Progress = nil
			for k := range dis {
				one, err := Score(context.Background(), &memVideo{pics: ref}, &memVideo{pics: dis[k]}, opts)
				if err != nil {
					t.Fatal(err)
				}
				got := many[k]
				if got.Frames != one.Frames || len(got.Scored) != len(one.Scored) {
					t.Fatalf("threads %d subsample %d input %d: %d frames, %d scored; single run %d, %d", threads, sub, k, got.Frames, len(got.Scored), one.Frames, len(one.Scored))
				}
				if g, w := strings.Join(got.Scores.Names(), ","), strings.Join(one.Scores.Names(), ","); g != w {
					t.Errorf("input %d: features %s, single run %s", k, g, w)
				}
				for _, name := range one.Scores.Names() {
					a, b := got.Scores.Column(name), one.Scores.Column(name)
					for i := range b {
						if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
							t.Errorf("threads %d subsample %d input %d frame %d: %s = %v, single run %v", threads, sub, k, i, name, a[i], b[i])
						}
					}
				}
			}
			if many[0].Scores.Column("vmaf")[0] <= many[2].Scores.Column("vmaf")[0] {
				t.Errorf("vmaf does not fall with noise: %v", []float64{many[0].Scores.Column("vmaf")[0], many[2].Scores.Column("vmaf")[0]})
			}
		}
	}
}

// TestScoreManyRefusesMismatch checks that an input with another frame
// count or format is refused, naming it.
func TestScoreManyRefusesMismatch(t *testing.T) {
	ex, err := Extractors(nil, []string{"psnr"})
	if err != nil {
		t.Fatal(err)
	}
	ref := syntheticClip(32, 32, 5, 0, 1)
	cases := []struct {
		name string
		dis  []*Picture
		want string
	}{
		{"short", syntheticClip(32, 32, 4, 3, 2), "b.y4m has 4"},
		{"long", syntheticClip(32, 32, 6, 3, 2), "b.y4m has 6"},
		{"size", syntheticClip(48, 32, 5, 3, 2), "b.y4m is 48x32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ScoreMany(context.Background(), &memVideo{pics: ref},
				[]VideoReader{&memVideo{pics: syntheticClip(32, 32, 5, 1, 3)}, &memVideo{pics: c.dis}},
				ScoreOptions{Extractors: ex, Threads: 2, RefName: "r.y4m", DisNames: []string{"a.y4m", "b.y4m"}})
			if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrMismatch naming %q", err, c.want)
			}
		})
	}
}

// TestScoreManyConformance scores the three cars_768x432 encodes against
// their one reference in one pass and compares every frame with libvmaf's
// JSON of each pair (printed to six decimals), as TestConformance does for
// single runs.
func TestScoreManyConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: three 768x432 pairs")
	}
	dir, _ := vmafref.Entries(t)
	model, err := LoadModel(filepath.Join(dir, "vmaf", "model", "vmaf_v0.6.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Extractors(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ref VideoReader
	var dis []VideoReader
	var entries []vmafref.Entry
	for _, crf := range []string{"18", "28", "38"} {
		_, e := vmafref.Find(t, "cars_768x432_crf"+crf+".vmaf_v0.6.1")
		r, d := openPairReaders(t, dir, e)
		if ref == nil {
			ref = r
		}
		dis, entries = append(dis, d), append(entries, e)
	}
	res, err := ScoreMany(context.Background(), ref, dis, ScoreOptions{Extractors: ex, Model: model, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range entries {
		want := vmafref.LoadResult(t, dir, e.JSON)
		if res[k].Frames != len(want.Frames) {
			t.Fatalf("%s: %d frames, libvmaf %d", e.Name, res[k].Frames, len(want.Frames))
		}
		for _, fr := range want.Frames {
			for name, wv := range fr.Metrics {
				got, ok := res[k].Scores.Get(name, fr.FrameNum)
				tol := 5e-7 + 1e-9*math.Abs(wv) // printed with %.6f
				if name == "vmaf" {
					tol = 1e-4
				}
				if !ok || math.Abs(got-wv) > tol {
					t.Errorf("%s frame %d: %s = %v (set %v), libvmaf %v", e.Name, fr.FrameNum, name, got, ok, wv)
				}
			}
		}
	}
}
