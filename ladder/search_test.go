package ladder

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
)

// rdModel is a synthetic x264-like R-D model of a title: the bitrate halves
// every 6 CRF and scales with the pixel count to the 0.75; the quality of a
// size is capped by its upscaling loss, and its deficit below that cap grows
// with bits per pixel falling.
type rdModel struct {
	src    Size
	kbps18 float64 // bitrate of the source size at CRF 18
	detail float64 // how much downscaling costs (0..1)
	calls  atomic.Int64
}

func (m *rdModel) Trial(ctx context.Context, c Candidate) (Point, error) {
	m.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return Point{}, err
	}
	px := float64(c.Size.Width*c.Size.Height) / float64(m.src.Width*m.src.Height)
	kbps := m.kbps18 * math.Pow(px, 0.75) * math.Pow(2, -(c.CRF-18)/6)
	cap := 100 - 60*m.detail*math.Pow(1-math.Sqrt(px), 1.3)
	bpp := kbps / (float64(c.Size.Width*c.Size.Height) * 25 / 1000)
	vmaf := cap * (1 - math.Exp(-9*math.Pow(bpp, 0.6)))
	return Point{Kbps: kbps, VMAF: vmaf, P5: vmaf - 2, Min: vmaf - 4}, nil
}

func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		n, k int
		want []int
	}{{10, 2, []int{2, 7}}, {10, 3, []int{1, 5, 8}}, {10, 1, []int{5}}, {2, 3, []int{0, 1}}} {
		got := spread(tt.n, tt.k)
		if len(got) != len(tt.want) {
			t.Errorf("spread(%d, %d) = %v, want %v", tt.n, tt.k, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("spread(%d, %d) = %v, want %v", tt.n, tt.k, got, tt.want)
				break
			}
		}
	}
}

// TestSearchAdaptive: on synthetic titles the adaptive search reaches a hull
// within 0.5 VMAF of the exhaustive grid's with at most 40% of its trial
// encodes (issue 7, "What it must show" 2).
func TestSearchAdaptive(t *testing.T) {
	crfs := []float64{18, 21, 24, 27, 30, 33, 36, 39, 42, 45}
	titles := []struct {
		name string
		src  Size
		kbps float64
		det  float64
	}{
		{"bottles-like 360p", Size{640, 360}, 1500, 0.5},
		{"cars-like 432p", Size{768, 432}, 3000, 0.8},
		{"animation 720p", Size{1280, 720}, 2500, 0.3},
		{"detailed 1080p", Size{1920, 1080}, 12000, 1},
		{"flat 1080p", Size{1920, 1080}, 2000, 0.2},
	}
	for _, tt := range titles {
		sizes, err := Sizes(tt.src, nil)
		if err != nil {
			t.Fatal(err)
		}
		opt := SearchOptions{Sizes: sizes, CRFs: crfs, Workers: 2}
		ex := &rdModel{src: tt.src, kbps18: tt.kbps, detail: tt.det}
		opt.Exhaustive = true
		full, err := Search(context.Background(), ex, opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Points) != len(sizes)*len(crfs) || full.Grid != len(full.Points) {
			t.Fatalf("%s: exhaustive made %d trials of a %d grid", tt.name, len(full.Points), full.Grid)
		}
		ad := &rdModel{src: tt.src, kbps18: tt.kbps, detail: tt.det}
		opt.Exhaustive = false
		var seen int
		opt.OnTrial = func(done, most int, p Point) {
			seen++
			if done != seen || done > most {
				t.Errorf("%s: OnTrial(%d, %d) after %d calls", tt.name, done, most, seen)
			}
		}
		got, err := Search(context.Background(), ad, opt)
		if err != nil {
			t.Fatal(err)
		}
		gap, worst := HullGap(full.Hull, got.Hull)
		frac := float64(len(got.Points)) / float64(len(full.Points))
		t.Logf("%s: adaptive %d of %d trials (%.0f%%), hull gap mean %.3f worst %.3f VMAF, hull %d/%d points, range %.0f–%.0f of %.0f–%.0f kb/s",
			tt.name, len(got.Points), len(full.Points), 100*frac, gap, worst, len(got.Hull), len(full.Hull),
			got.Hull[0].Kbps, got.Hull[len(got.Hull)-1].Kbps, full.Hull[0].Kbps, full.Hull[len(full.Hull)-1].Kbps)
		if int(ad.calls.Load()) != len(got.Points) {
			t.Errorf("%s: %d prober calls, %d points", tt.name, ad.calls.Load(), len(got.Points))
		}
		if frac > 0.4 {
			t.Errorf("%s: %d trial encodes, more than 40%% of %d", tt.name, len(got.Points), len(full.Points))
		}
		if gap > 0.5 {
			t.Errorf("%s: adaptive hull %.3f VMAF below the exhaustive one", tt.name, gap)
		}
		// The adaptive hull spans most of the exhaustive one's VMAF range.
		lo, hi := full.Hull[0].VMAF, full.Hull[len(full.Hull)-1].VMAF
		if glo, ghi := got.Hull[0].VMAF, got.Hull[len(got.Hull)-1].VMAF; glo > lo+0.25*(hi-lo) || ghi < hi-0.1*(hi-lo) {
			t.Errorf("%s: adaptive hull spans VMAF %.1f–%.1f, exhaustive %.1f–%.1f", tt.name, glo, ghi, lo, hi)
		}
	}
}

type failProber struct{ after int64 }

func (f *failProber) Trial(ctx context.Context, c Candidate) (Point, error) {
	if atomic.AddInt64(&f.after, -1) < 0 {
		return Point{}, errors.New("encoder exploded")
	}
	return Point{Kbps: 100 + c.CRF, VMAF: 50}, nil
}

func TestSearchErrors(t *testing.T) {
	_, err := Search(context.Background(), &failProber{after: 3}, SearchOptions{Sizes: []Size{{640, 360}}, CRFs: []float64{18, 24, 30, 36, 42}, Exhaustive: true})
	if err == nil || err.Error() != "ladder: trial 640x360 crf 36: encoder exploded" {
		t.Errorf("err = %v", err)
	}
	if _, err := Search(context.Background(), &failProber{after: 9}, SearchOptions{}); err == nil {
		t.Error("empty grid accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := &rdModel{src: Size{640, 360}, kbps18: 1000, detail: 0.5}
	if _, err := Search(ctx, m, SearchOptions{Sizes: []Size{{640, 360}}, CRFs: []float64{18, 24}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: err = %v", err)
	}
}

// TestPlannerOrder: a Planner driven one batch at a time, each batch
// recorded in reverse (as a workflow may receive them), makes the same
// trials and finds the same hull as Search on a pool.
func TestPlannerOrder(t *testing.T) {
	src := Size{1920, 1080}
	sizes, err := Sizes(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := CRFRangeFor("x264")
	o := SearchOptions{Sizes: sizes, CRFs: r.Values(), Workers: 3}
	m := &rdModel{src: src, kbps18: 8000, detail: 0.5}
	want, err := Search(context.Background(), m, o)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlanner(o)
	if err != nil {
		t.Fatal(err)
	}
	for batch := pl.Next(); len(batch) > 0; batch = pl.Next() {
		for i := len(batch) - 1; i >= 0; i-- {
			p, _ := m.Trial(context.Background(), batch[i])
			pl.Record(batch[i], p)
		}
	}
	got := pl.Result()
	if len(got.Points) != len(want.Points) || len(got.Hull) != len(want.Hull) {
		t.Fatalf("planner: %d trials, hull of %d; Search: %d trials, hull of %d", len(got.Points), len(got.Hull), len(want.Points), len(want.Hull))
	}
	for i := range got.Hull {
		if got.Hull[i].Label() != want.Hull[i].Label() || got.Hull[i].Kbps != want.Hull[i].Kbps {
			t.Errorf("hull %d: planner %s, Search %s", i, got.Hull[i].Label(), want.Hull[i].Label())
		}
	}
}

// TestSearchPerShot: the per-shot phase starts where the per-title search
// stops, at most doubles its trial encodes, puts each trial between two
// measured CRFs of its size, and stops early only when the sizes on the
// hull have no such gap left.
func TestSearchPerShot(t *testing.T) {
	crfs := []float64{18, 21, 24, 27, 30, 33, 36, 39, 42, 45}
	src := Size{768, 432}
	sizes, err := Sizes(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, budget := range []float64{0.4, 0.25, 0.2} {
		opt := SearchOptions{Sizes: sizes, CRFs: crfs, Workers: 2, Budget: budget}
		title, err := Search(context.Background(), &rdModel{src: src, kbps18: 3000, detail: 0.8}, opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.PerShot = true
		shot, err := Search(context.Background(), &rdModel{src: src, kbps18: 3000, detail: 0.8}, opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("budget %g: per-title %d trials, per-shot %d (title phase %d)", budget, len(title.Points), len(shot.Points), shot.TitleTrials)
		if shot.TitleTrials != len(title.Points) || title.TitleTrials != len(title.Points) {
			t.Errorf("per-title phase %d trials, the per-title search %d", shot.TitleTrials, len(title.Points))
		}
		if len(shot.Points) > 2*len(title.Points) {
			t.Errorf("per-shot %d trials for per-title %d: more than twice", len(shot.Points), len(title.Points))
		}
		for i := range title.Points {
			if a, b := title.Points[i], shot.Points[i]; a.Width != b.Width || a.CRF != b.CRF {
				t.Fatalf("point %d: per-title %s, per-shot %s", i, a.Label(), b.Label())
			}
		}
		between := func(ps []Point, w int, crf float64) bool {
			below, above := false, false
			for _, q := range ps {
				if q.Width == w && q.CRF != crf {
					below = below || q.CRF < crf
					above = above || q.CRF > crf
				}
			}
			return below && above
		}
		for _, p := range shot.Points[len(title.Points):] {
			if !between(title.Points, p.Width, p.CRF) {
				t.Errorf("densifying trial %s is not between two measured CRFs of its size", p.Label())
			}
		}
		added += len(shot.Points) - len(title.Points)
		if len(shot.Points) < 2*len(title.Points) {
			measured := map[Candidate]bool{}
			for _, p := range shot.Points {
				measured[Candidate{Size{p.Width, p.Height}, p.CRF}] = true
			}
			for _, h := range shot.Hull {
				for _, crf := range crfs {
					if c := (Candidate{Size{h.Width, h.Height}, crf}); !measured[c] && between(shot.Points, h.Width, crf) {
						t.Errorf("budget %g: stopped with a gap at %v", budget, c)
					}
				}
			}
		}
	}
	if added == 0 {
		t.Error("the per-shot phase never added a trial")
	}
}
