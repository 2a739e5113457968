package encode

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
)

// PlanChunksFunc is PlanChunks that hands found each chunk, in order, as
// soon as the chunk's end is known, so that a runner can start encoding
// the first chunks while the rest of the source is still searched for
// cuts. An error from found stops the search and is returned.
//
// For intra-only sources the sparse pass of FrameDifferences runs as two
// decoders at once (sparseSums), whose sums go through a sceneStream:
// the same differences, so the same cuts. For other sources the chunks
// are handed over once every frame is compared.
func PlanChunksFunc(ctx context.Context, src Source, info *Info, opts PlanOptions, found func(Chunk) error) (*Plan, error) {
	v := info.Video
	minLen, maxLen, detect := planLengths(info, opts)
	p := &Plan{Source: info.Name, Frames: v.Frames, FrameRate: v.FrameRate, SceneCuts: []int{}}
	ch := chunker{frames: v.Frames, minLen: minLen, maxLen: maxLen}
	var pending []int // cuts the chunker has not passed
	asked := 1        // frames the chunker was asked about (frame 0 starts the first chunk)
	// known hands over the chunks that end before frame n, whose cuts
	// are all in pending.
	known := func(n int) error {
		for ; asked < n; asked++ {
			var starts bool
			if starts, pending = ch.next(asked, pending); starts {
				c := Chunk{Index: len(p.Chunks), Start: ch.prev, End: asked}
				p.Chunks = append(p.Chunks, c)
				if err := found(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch {
	case !detect:
	case stridedScenes(v):
		scenes := newSceneStream(v, opts.Scene)
		err := sparseSums(ctx, src, info, opts.Scene, func(i int, sums []int32) error {
			if i != scenes.next {
				return fmt.Errorf("encode: plan %s: frame %d's sums came after frame %d's", info.Name, i, scenes.next-1)
			}
			n := scenes.push(sums)
			cuts := scenes.takeCuts()
			p.SceneCuts = append(p.SceneCuts, cuts...)
			pending = append(pending, cuts...)
			return known(n)
		})
		if err != nil {
			return nil, err
		}
		if scenes.next != v.Frames {
			return nil, fmt.Errorf("encode: plan %s: compared %d frames, probe counted %d", info.Name, scenes.next, v.Frames)
		}
	default:
		diffs, err := FrameDifferences(ctx, src, info, opts.Scene)
		if err != nil {
			return nil, err
		}
		if len(diffs) != v.Frames {
			return nil, fmt.Errorf("encode: plan %s: decoded %d frames, probe counted %d", info.Name, len(diffs), v.Frames)
		}
		p.SceneCuts = append(p.SceneCuts, SceneCuts(diffs, opts.Scene)...)
		pending = p.SceneCuts
	}
	if err := known(v.Frames); err != nil {
		return nil, err
	}
	c := Chunk{Index: len(p.Chunks), Start: ch.last, End: v.Frames}
	p.Chunks = append(p.Chunks, c)
	if err := found(c); err != nil {
		return nil, err
	}
	return p, nil
}

// coarseSum is a frame of the coarse pass: its block sums (nil when it
// did not decode) and whether the span ending at it may hold a cut.
type coarseSum struct {
	i       int
	sums    []int32
	flagged bool
}

// fineSum is a frame inside a flagged span.
type fineSum struct {
	i    int
	sums []int32
}

// sparseSums calls fn with the block sums of every frame of an
// intra-only source, in order: those of the frames the sparse pass
// decodes (FrameDifferences), and nil for the frames inside spans that
// cannot hold a cut, which a sceneStream never reads.
func sparseSums(ctx context.Context, src Source, info *Info, opts SceneOptions, fn func(i int, sums []int32) error) error {
	opts = opts.withDefaults()
	v := info.Video
	area := float64(sceneBlock(v) * sceneBlock(v))
	coarse := func(i int) bool { return i%sceneStride == 0 || i == v.Frames-1 }
	g, gctx := errgroup.WithContext(ctx)
	fr := &spanFrontier{refine: make([]bool, v.Frames)}
	fr.cond = sync.NewCond(&fr.mu)
	stop := context.AfterFunc(gctx, fr.end)
	defer stop()
	coarseCh := make(chan coarseSum, v.Frames/sceneStride+2) // never blocks the coarse pass
	fineCh := make(chan fineSum, 16)

	g.Go(func() error { // the coarse pass
		defer close(coarseCh)
		defer fr.end()
		var spans []float64
		start, prev := 0, []int32(nil)
		got := map[int][]int32{} // coarse frames decoded, not yet compared
		// next compares the spans that end at or before frame upTo.
		next := func(upTo int) {
			for start < v.Frames-1 {
				end := min(start+sceneStride, v.Frames-1)
				if end > upTo {
					return
				}
				sums := got[end]
				delete(got, end)
				d := 0.0
				if sums != nil && prev != nil {
					d = meanAbsDiff(sums, prev) / area
				}
				flagged := spanMayCut(d, end-start, spans, opts)
				spans = append(spans, d/float64(end-start))
				fr.decide(start, end, flagged)
				coarseCh <- coarseSum{i: end, sums: sums, flagged: flagged}
				start, prev = end, sums
			}
		}
		err := eachLuma(gctx, src, info, coarse, true, func(i int, sums []int32) error {
			if i == 0 {
				prev = sums
				coarseCh <- coarseSum{i: 0, sums: sums}
				return nil
			}
			got[i] = sums
			next(i)
			return nil
		})
		if err != nil {
			return err
		}
		next(v.Frames - 1)
		return nil
	})
	g.Go(func() error { // the frames inside flagged spans
		defer close(fineCh)
		return eachLuma(gctx, src, info, func(i int) bool { return !coarse(i) && fr.wait(i) }, true, func(i int, sums []int32) error {
			select {
			case fineCh <- fineSum{i, sums}:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	g.Go(func() error { // in order, to fn
		fine := map[int][]int32{}
		last := -1 // the last fine frame received
		recv := func(upTo int) error {
			for last < upTo {
				select {
				case f, ok := <-fineCh:
					if !ok {
						return nil
					}
					fine[f.i], last = f.sums, f.i
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		}
		n := 0
		for c := range coarseCh {
			if c.i > 0 && c.flagged {
				if err := recv(c.i - 1); err != nil {
					return err
				}
			}
			for ; n < c.i; n++ {
				s := fine[n]
				delete(fine, n)
				if err := fn(n, s); err != nil {
					return err
				}
			}
			if err := fn(c.i, c.sums); err != nil {
				return err
			}
			n = c.i + 1
		}
		return nil
	})
	return g.Wait()
}

// spanFrontier tells the decoder of the flagged spans, asking frame by
// frame in order, whether a frame is to be decoded, once the coarse pass
// has compared the span that holds it.
type spanFrontier struct {
	mu      sync.Mutex
	cond    *sync.Cond
	decided int // frames before this one are decided
	ended   bool
	refine  []bool
}

// decide records the coarse pass's verdict on the span start..end.
func (f *spanFrontier) decide(start, end int, flagged bool) {
	f.mu.Lock()
	for i := start + 1; i < end; i++ {
		f.refine[i] = flagged
	}
	f.decided = end
	f.mu.Unlock()
	f.cond.Broadcast()
}

// end marks the coarse pass over: every frame not yet decided is not
// decoded.
func (f *spanFrontier) end() {
	f.mu.Lock()
	f.ended = true
	f.mu.Unlock()
	f.cond.Broadcast()
}

// wait reports whether frame i is inside a flagged span, waiting for the
// coarse pass to reach it.
func (f *spanFrontier) wait(i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.decided <= i && !f.ended {
		f.cond.Wait()
	}
	return f.decided > i && f.refine[i]
}
