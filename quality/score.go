package quality

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
	// RefName and DisName name the inputs in errors; DisNames names
	// ScoreMany's distorted inputs, in order.
	RefName, DisName string
	DisNames         []string
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
	// Gates are the quality gates checked on this result (Gate.Check);
	// WriteJSON writes them as "gates".
	Gates []Verdict
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

// frame is one reference picture and its distorted pictures in flight;
// frames are recycled through a free list.
type frame struct {
	i     int
	ref   *Picture
	dis   []*Picture   // one per distorted input
	local []*Scores    // this frame's non-temporal features per input, merged in order; reused
	left  atomic.Int32 // jobs of this frame still running
	score bool         // false when skipped by Subsample
}

// job is one distorted input k of frame f, the unit a worker scores.
type job struct {
	f *frame
	k int
}

// refOnly is implemented by temporal extractors whose values depend on the
// reference alone (motion): ScoreMany runs one instance of them for all
// the distorted inputs.
type refOnly interface{ refOnly() }

// Score compares dis against ref frame by frame and returns every feature
// and model score. It is ScoreMany with one distorted input; opts.DisName
// names it.
//
// Inputs whose formats or frame counts differ are refused with an error
// wrapping ErrMismatch that names both inputs and both counts.
func Score(ctx context.Context, ref, dis VideoReader, opts ScoreOptions) (*Result, error) {
	if opts.DisNames == nil {
		opts.DisNames = []string{opts.DisName}
	}
	res, err := ScoreMany(ctx, ref, []VideoReader{dis}, opts)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ScoreMany compares every input of dis against ref in one pass and
// returns one Result per input, in order, each equal to what Score gives
// for that input alone. The reference is read once, the inputs are read
// concurrently, and the reference-only temporal features (motion) are
// computed once and shared.
//
// Frames flow through a bounded pipeline: a reader, Threads workers
// running the non-temporal extractors on their own instances (one job per
// frame and input, so even one frame keeps every worker busy when there
// are several inputs), and an in-order stage running the temporal
// extractors, so at most Threads+2 frames are alive whatever the length
// of the video.
//
// Inputs whose formats or frame counts differ from the reference's are
// refused with an error wrapping ErrMismatch that names both inputs and
// both counts.
func ScoreMany(ctx context.Context, ref VideoReader, dis []VideoReader, opts ScoreOptions) ([]*Result, error) {
	start := time.Now()
	if len(dis) == 0 {
		return nil, errors.New("quality: no distorted input to score")
	}
	refName := nameOr(opts.RefName, "reference")
	disNames := make([]string, len(dis))
	for k := range dis {
		def := "distorted"
		if len(dis) > 1 {
			def = fmt.Sprintf("distorted input %d", k+1)
		}
		if k < len(opts.DisNames) {
			disNames[k] = nameOr(opts.DisNames[k], def)
		} else {
			disNames[k] = def
		}
	}
	ri := ref.Info()
	dinfo := make([]VideoInfo, len(dis))
	for k, d := range dis {
		di := d.Info()
		if ri.Width != di.Width || ri.Height != di.Height || ri.BitDepth != di.BitDepth || ri.Chroma != di.Chroma {
			return nil, fmt.Errorf("quality: %s is %s but %s is %s: %w", refName, ri.Format(), disNames[k], di.Format(), ErrMismatch)
		}
		dinfo[k] = di
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	sub := max(opts.Subsample, 1)

	results := make([]*Result, len(dis))
	resScores := make([]*Scores, len(dis))
	for k := range results {
		results[k] = &Result{Scores: NewScores(), Width: ri.Width, Height: ri.Height}
		resScores[k] = results[k].Scores
	}

	// Temporal extractors see every frame in order: a reference-only one
	// once for all inputs (through a collector that fills every result),
	// the others once per input.
	type temporalRun struct {
		e   Extractor
		k   int     // the distorted input it reads; -1: none (reference only)
		out *Scores // where it records
	}
	var temporal []temporalRun
	var perWorker []func() Extractor
	for _, f := range opts.Extractors {
		e := f()
		if _, ok := e.(Flusher); !ok {
			perWorker = append(perWorker, f)
			continue
		}
		if _, ok := e.(refOnly); ok {
			out := resScores[0]
			if len(dis) > 1 {
				out = newTeeScores(resScores)
			}
			temporal = append(temporal, temporalRun{e, -1, out})
			continue
		}
		for k := range dis {
			if k > 0 {
				e = f()
			}
			temporal = append(temporal, temporalRun{e, k, resScores[k]})
		}
	}

	total := -1
	if ri.Frames >= 0 {
		total = ri.Frames - max(-opts.FrameOffset, 0)
		for _, di := range dinfo {
			if di.Frames < 0 {
				total = -1
				break
			}
			total = min(total, di.Frames-max(opts.FrameOffset, 0))
		}
	}

	g, ctx := errgroup.WithContext(ctx)
	free := make(chan *frame, threads+2)
	for range cap(free) {
		f := &frame{ref: ri.NewPicture(), dis: make([]*Picture, len(dis)), local: make([]*Scores, len(dis))}
		for k := range dis {
			f.dis[k], f.local[k] = dinfo[k].NewPicture(), NewScores()
		}
		free <- f
	}
	work := make(chan job, threads)
	done := make(chan *frame, threads)

	// Reader: reads the reference and every input concurrently, pairs
	// their frames and counts every input to its end.
	inputs := append([]VideoReader{ref}, dis...)
	names := append([]string{refName}, disNames...)
	g.Go(func() error {
		defer close(work)
		if err := skip(ref, ri, -opts.FrameOffset, refName); err != nil {
			return err
		}
		for k, d := range dis {
			if err := skip(d, dinfo[k], opts.FrameOffset, disNames[k]); err != nil {
				return err
			}
		}
		errs := make([]error, len(inputs))
		for i := 0; ; i++ {
			var f *frame
			select {
			case f = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			pics := append([]*Picture{f.ref}, f.dis...)
			readAll(inputs, pics, errs)
			ended := false
			for _, err := range errs {
				if err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				ended = ended || err != nil
			}
			if ended {
				return countFrames(inputs, pics, errs, names, i, opts.FrameOffset)
			}
			f.i, f.score = i, i%sub == 0
			f.left.Store(int32(len(dis)))
			for k := range dis {
				select {
				case work <- job{f, k}:
				case <-ctx.Done():
					return ctx.Err()
				}
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
			for j := range work {
				f, local := j.f, j.f.local[j.k]
				local.reset(f.i)
				if f.score {
					for k, e := range ex {
						err := e.Extract(f.ref, f.dis[j.k], f.i, local)
						if errors.Is(err, ErrTooSmall) {
							tooSmall.LoadOrStore(k, fmt.Sprintf("left out on every frame: %v", err))
							continue
						}
						if err != nil {
							return fmt.Errorf("quality: frame %d: %w", f.i, err)
						}
					}
				}
				if f.left.Add(-1) > 0 {
					continue // another worker finishes this frame
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
	var scored []int
	frames := 0
	g.Go(func() error {
		pending := map[int]*frame{}
		for f := range done {
			pending[f.i] = f
			for {
				f, ok := pending[frames]
				if !ok {
					break
				}
				delete(pending, frames)
				for k, local := range f.local {
					for _, name := range local.Names() {
						if v, ok := local.Get(name, f.i); ok {
							resScores[k].Set(name, f.i, v)
						}
					}
				}
				for _, t := range temporal {
					dis := f.dis[0] // not read by a reference-only extractor
					if t.k >= 0 {
						dis = f.dis[t.k]
					}
					if err := t.e.Extract(f.ref, dis, f.i, t.out); err != nil {
						return fmt.Errorf("quality: frame %d: %w", f.i, err)
					}
				}
				if f.score {
					scored = append(scored, f.i)
				}
				frames++
				free <- f // never blocks: free has room for every frame
				if opts.Progress != nil {
					opts.Progress(frames, total)
				}
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, t := range temporal {
		if err := t.e.(Flusher).Flush(t.out); err != nil {
			return nil, fmt.Errorf("quality: flush: %w", err)
		}
	}
	if frames == 0 {
		return nil, fmt.Errorf("quality: %s and %s have no frames to compare", refName, strings.Join(disNames, ", "))
	}
	var warnings []string
	tooSmall.Range(func(_, v any) bool {
		warnings = append(warnings, v.(string))
		return true
	})
	sort.Strings(warnings)
	for _, res := range results {
		res.Frames = frames
		res.Scored = slices.Clone(scored)
		res.Warnings = slices.Clone(warnings)
		if opts.Model != nil {
			if err := opts.Model.predictAll(res); err != nil {
				return nil, err
			}
		}
	}
	if el := time.Since(start).Seconds(); el > 0 {
		for _, res := range results {
			res.FPS = float64(len(res.Scored)) / el
		}
	}
	return results, nil
}

// readAll reads the next picture of every input into pics, concurrently,
// and leaves each input's error (io.EOF at its end) in errs.
func readAll(inputs []VideoReader, pics []*Picture, errs []error) {
	if len(inputs) == 1 {
		errs[0] = inputs[0].ReadPicture(pics[0])
		return
	}
	var wg sync.WaitGroup
	for k := 1; k < len(inputs); k++ {
		wg.Go(func() { errs[k] = inputs[k].ReadPicture(pics[k]) })
	}
	errs[0] = inputs[0].ReadPicture(pics[0])
	wg.Wait()
}

// countFrames is called once some input ended at frame i (errs[k] is
// io.EOF for those, nil for the others, whose picture i is in pics): it
// reads the others to their ends and refuses inputs whose counts differ
// from the reference's (inputs[0]).
func countFrames(inputs []VideoReader, pics []*Picture, errs []error, names []string, i, offset int) error {
	counts := make([]int, len(inputs))
	for k, r := range inputs {
		counts[k] = i
		if errs[k] == nil {
			n, err := countRest(r, pics[k])
			if err != nil {
				return err
			}
			counts[k] += 1 + n
		}
	}
	for k := 1; k < len(inputs); k++ {
		if counts[k] != counts[0] {
			return fmt.Errorf("quality: frame counts differ: %s has %d frames, %s has %d: %w", names[0], counts[0]+max(-offset, 0), names[k], counts[k]+max(offset, 0), ErrMismatch)
		}
	}
	return nil
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
