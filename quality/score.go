package quality

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ScoreOptions configures Score.
type ScoreOptions struct {
	// Extractors builds the feature extractors, one call per worker for the
	// non-temporal ones. A factory whose extractor implements Flusher is
	// temporal: it is called once and sees every frame in order.
	Extractors []func() Extractor
	// Model, when set, predicts its score for every frame once the features
	// are in (key "vmaf", or every output of a bootstrap collection).
	Model *Model
	// Threads is the number of frames scored at once; 0 means one per CPU.
	Threads int
	// FrameOffset skips the first FrameOffset distorted frames (when the
	// distorted video is late), or the first -FrameOffset reference frames.
	FrameOffset int
	// Subsample scores every Subsample-th frame only (0 or 1: every frame).
	// Temporal extractors still see every frame.
	Subsample int
	// RefName and DisName name the inputs in errors.
	RefName, DisName string
	// Progress, when set, is called after each frame with the frames done
	// and the total (-1 when the readers cannot know it).
	Progress func(done, total int)
}

// Result is the outcome of Score: every feature and model score per frame.
type Result struct {
	Scores *Scores // per-frame values; frame index = source frame number
	Frames int     // frames read from each input (after the offset)
	Scored []int   // frame numbers that were scored (all, or every Subsample-th)
	Width  int     // scoring resolution
	Height int
	FPS    float64 // frames scored per second of wall time
	// Warnings name features left out because the pictures are too small
	// for them (as libvmaf leaves out float_ms_ssim below 176 lines).
	Warnings []string
	// Sync, when the frames were paired by time (SyncByTime), counts the
	// repeated and dropped frames; WriteJSON writes it as "sync".
	Sync *SyncStats
}

// Values returns feature name's values on the scored frames, skipping
// frames where it was not computed; nil when no frame has it.
func (r *Result) Values(name string) []float64 {
	return r.scoredValues(r.Scores.Column(name))
}

// scoredValues returns the values of column col (Scores.Column) on the
// scored frames, skipping NaN; nil for a nil column.
func (r *Result) scoredValues(col []float64) []float64 {
	if col == nil {
		return nil
	}
	vals := make([]float64, 0, len(r.Scored))
	for _, i := range r.Scored {
		if i < len(col) && !math.IsNaN(col[i]) {
			vals = append(vals, col[i])
		}
	}
	return vals
}

// frame is one ref/dis pair in flight; pictures are recycled through a free list.
type frame struct {
	i        int
	ref, dis *Picture
	local    *Scores // this frame's non-temporal features, merged in order; reused
	score    bool    // false when skipped by Subsample
}

// Score compares dis against ref frame by frame and returns every feature
// and model score. Frames flow through a bounded pipeline: a reader, Threads
// workers running the non-temporal extractors on their own instances, and an
// in-order stage running the temporal extractors (motion), so at most about
// 2*Threads+2 picture pairs are alive whatever the length of the video.
//
// Inputs whose formats or frame counts differ are refused with an error
// wrapping ErrMismatch that names both inputs and both counts.
func Score(ctx context.Context, ref, dis VideoReader, opts ScoreOptions) (*Result, error) {
	start := time.Now()
	refName, disName := nameOr(opts.RefName, "reference"), nameOr(opts.DisName, "distorted")
	ri, di := ref.Info(), dis.Info()
	if ri.Width != di.Width || ri.Height != di.Height || ri.BitDepth != di.BitDepth || ri.Chroma != di.Chroma {
		return nil, fmt.Errorf("quality: %s is %s but %s is %s: %w", refName, ri.Format(), disName, di.Format(), ErrMismatch)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	sub := max(opts.Subsample, 1)

	var temporal []Extractor
	var perWorker []func() Extractor
	for _, f := range opts.Extractors {
		e := f()
		if _, ok := e.(Flusher); ok {
			temporal = append(temporal, e)
		} else {
			perWorker = append(perWorker, f)
		}
	}

	total := -1
	if ri.Frames >= 0 && di.Frames >= 0 {
		total = min(ri.Frames-max(-opts.FrameOffset, 0), di.Frames-max(opts.FrameOffset, 0))
	}

	res := &Result{Scores: NewScores(), Width: ri.Width, Height: ri.Height}
	g, ctx := errgroup.WithContext(ctx)
	free := make(chan *frame, 2*threads+2)
	for range cap(free) {
		free <- &frame{ref: ri.NewPicture(), dis: di.NewPicture(), local: NewScores()}
	}
	work := make(chan *frame, threads)
	done := make(chan *frame, threads)

	// Reader: pairs frames and counts both inputs to their ends.
	var nRef, nDis int
	g.Go(func() error {
		defer close(work)
		if err := skip(ref, ri, -opts.FrameOffset, refName); err != nil {
			return err
		}
		if err := skip(dis, di, opts.FrameOffset, disName); err != nil {
			return err
		}
		for i := 0; ; i++ {
			var f *frame
			select {
			case f = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			errR := ref.ReadPicture(f.ref)
			errD := dis.ReadPicture(f.dis)
			endR, endD := errors.Is(errR, io.EOF), errors.Is(errD, io.EOF)
			if errR != nil && !endR {
				return errR
			}
			if errD != nil && !endD {
				return errD
			}
			if endR || endD {
				nRef, nDis = i, i
				if !endR {
					n, err := countRest(ref, f.ref)
					if err != nil {
						return err
					}
					nRef += 1 + n
				}
				if !endD {
					n, err := countRest(dis, f.dis)
					if err != nil {
						return err
					}
					nDis += 1 + n
				}
				if nRef != nDis {
					return fmt.Errorf("quality: frame counts differ: %s has %d frames, %s has %d: %w", refName, nRef+max(-opts.FrameOffset, 0), disName, nDis+max(opts.FrameOffset, 0), ErrMismatch)
				}
				return nil
			}
			f.i, f.score = i, i%sub == 0
			select {
			case work <- f:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})

	// Workers: non-temporal extractors, each worker with its own instances.
	var tooSmall sync.Map // extractor index -> its first ErrTooSmall text
	workers, wctx := errgroup.WithContext(ctx)
	for range threads {
		ex := make([]Extractor, len(perWorker))
		for k, f := range perWorker {
			ex[k] = f()
		}
		workers.Go(func() error {
			for f := range work {
				f.local.reset(f.i)
				if f.score {
					for k, e := range ex {
						err := e.Extract(f.ref, f.dis, f.i, f.local)
						if errors.Is(err, ErrTooSmall) {
							tooSmall.LoadOrStore(k, fmt.Sprintf("left out on every frame: %v", err))
							continue
						}
						if err != nil {
							return fmt.Errorf("quality: frame %d: %w", f.i, err)
						}
					}
				}
				select {
				case done <- f:
				case <-wctx.Done():
					return wctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(done)
		return workers.Wait()
	})

	// In-order stage: merge per-frame scores, run temporal extractors.
	g.Go(func() error {
		pending := map[int]*frame{}
		next := 0
		for f := range done {
			pending[f.i] = f
			for {
				f, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				for _, name := range f.local.Names() {
					if v, ok := f.local.Get(name, f.i); ok {
						res.Scores.Set(name, f.i, v)
					}
				}
				for _, e := range temporal {
					if err := e.Extract(f.ref, f.dis, f.i, res.Scores); err != nil {
						return fmt.Errorf("quality: frame %d: %w", f.i, err)
					}
				}
				if f.score {
					res.Scored = append(res.Scored, f.i)
				}
				next++
				res.Frames = next
				free <- f // never blocks: free has room for every frame
				if opts.Progress != nil {
					opts.Progress(next, total)
				}
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, e := range temporal {
		if err := e.(Flusher).Flush(res.Scores); err != nil {
			return nil, fmt.Errorf("quality: flush: %w", err)
		}
	}
	if res.Frames == 0 {
		return nil, fmt.Errorf("quality: %s and %s have no frames to compare", refName, disName)
	}
	if opts.Model != nil {
		if err := opts.Model.predictAll(res); err != nil {
			return nil, err
		}
	}
	tooSmall.Range(func(_, v any) bool {
		res.Warnings = append(res.Warnings, v.(string))
		return true
	})
	sort.Strings(res.Warnings)
	if el := time.Since(start).Seconds(); el > 0 {
		res.FPS = float64(len(res.Scored)) / el
	}
	return res, nil
}

// skip discards the first n pictures of r (nothing when n ≤ 0).
func skip(r VideoReader, info VideoInfo, n int, name string) error {
	if n <= 0 {
		return nil
	}
	p := info.NewPicture()
	for k := range n {
		if err := r.ReadPicture(p); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("quality: %s has only %d frames, fewer than the frame offset %d: %w", name, k, n, ErrMismatch)
			}
			return err
		}
	}
	return nil
}

// countRest reads r to its end into p and returns how many pictures it read.
func countRest(r VideoReader, p *Picture) (int, error) {
	n := 0
	for {
		err := r.ReadPicture(p)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// predictAll records the model's outputs for every scored frame: "vmaf", or
// for a bootstrap collection the sub-model scores, bagging, stddev and CI.
func (m *Model) predictAll(res *Result) error {
	for _, i := range res.Scored {
		preds, err := m.PredictAll(res.Scores, i)
		if err != nil {
			return fmt.Errorf("quality: %w", err)
		}
		for _, p := range preds {
			res.Scores.Set(p.Name, i, p.Value)
		}
	}
	return nil
}
