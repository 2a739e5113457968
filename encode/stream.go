package encode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/asticode/go-astiav"
	"golang.org/x/sync/errgroup"
)

// streamQueue is how many decoded frames wait for a chunk's encoder: the
// decoder runs at most this far ahead of it.
const streamQueue = 4

// streamOpen is how many chunk encoders a streaming encode keeps open at
// once: one taking frames while the one before flushes its lookahead.
const streamOpen = 2

// streamJob is a whole-title encode that decodes the source once.
type streamJob struct {
	src      Source
	info     *Info
	settings Settings // Threads resolved: it is part of the cache key
	sourceID string
	cache    Cache
	// chunks, when set, are known ahead (a given plan, or cuts by length
	// only); otherwise scenes are detected as frames are decoded.
	chunks []Chunk
	opts   PlanOptions
	strict bool // fail on any packet that does not decode
	rep    *reporter
	// early, when set, is the source's decoder opened while it was probed.
	early *earlyDecoder
}

// streamResult is what encodeStream did.
type streamResult struct {
	chunks    []Chunk
	paths     []string // chunk files, by chunk index
	sceneCuts []int
	encoded   int
	cached    int
	decoded   int   // frames decoded
	maxHeld   int64 // most decoded frames held at once (pending, queued or being encoded)
}

// placedFrame is a decoded frame and its place in its chunk.
type placedFrame struct {
	f     *astiav.Frame
	place int
}

// encodeStream decodes the source once, in presentation order. Each frame
// goes to the scene detector (its luma block sums, unless the chunks are
// known) and then, once it is known whether a chunk starts at it, to the
// encoder of its chunk through a queue of streamQueue frames; a new
// chunk's encoder starts as soon as its first frame is known to begin
// it, while the previous one flushes. At most streamOpen encoders are
// open, so the frames held are bounded whatever the source's length: the
// decoder's own, sceneStride+1 awaiting the detector's decision, the
// queues and each encoder's lookahead.
//
// Chunks found in the cache are not encoded again: their frames are
// decoded (the detector needs them) and dropped. Where the chunks are
// detected, a cached chunk is recognised by its start, before its end is
// known, among the cached files of every length the planner can give it;
// should the detector then end the chunk elsewhere, it is encoded on its
// own by EncodeChunk.
func encodeStream(ctx context.Context, job streamJob) (*streamResult, error) {
	v := job.info.Video
	minLen, maxLen, _ := planLengths(job.info, job.opts)
	p := &streamPipeline{
		job: job, res: &streamResult{sceneCuts: []int{}},
		chunker: chunker{frames: v.Frames, minLen: minLen, maxLen: maxLen},
		sem:     make(chan struct{}, streamOpen),
	}
	if job.chunks == nil {
		p.scenes = newSceneStream(v, job.opts.Scene)
	}
	var err error
	if p.cachedNames, err = job.cache.names(); err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	p.g = g
	g.Go(func() error { return p.decode(gctx) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return p.res, nil
}

// streamPipeline is the state of one encodeStream. Its fields belong to
// the decoding goroutine, except those of the chunks handed to encoders.
type streamPipeline struct {
	job         streamJob
	res         *streamResult
	g           *errgroup.Group
	sem         chan struct{} // one token per open encoder
	scenes      *sceneStream  // nil when the chunks are known
	chunker     chunker
	cachedNames map[string]bool // file names in the cache dir

	cuts    []int           // scene cuts known, not yet passed to the chunker
	pending []*astiav.Frame // frames not yet dispatched, from next on; nil for a frame that did not decode
	next    int             // index of the next frame to dispatch
	expect  int             // index of the next frame the decoder should give
	cur     *streamChunk
	mu      sync.Mutex   // guards res.encoded once encoders run
	held    atomic.Int64 // decoded frames not yet freed
}

// free releases a decoded frame the pipeline holds.
func (p *streamPipeline) free(f *astiav.Frame) {
	f.Free()
	p.held.Add(-1)
}

// streamChunk is the open chunk: its frames go to an encoder through in,
// or are dropped when the chunk is cached.
type streamChunk struct {
	c        Chunk // End is set when the chunk is closed
	in       chan placedFrame
	fed      int    // frames sent on in
	complete bool   // set before in is closed: every frame was sent
	path     string // set before in is closed: where the chunk is stored
	cacheEnd int    // the end of the cached chunk found at this start
}

// decode is the decoding goroutine.
func (p *streamPipeline) decode(ctx context.Context) error {
	job, v := p.job, p.job.info.Video
	fd, err := job.early.take(job.src, job.info.Name)
	if err != nil {
		return err
	}
	defer fd.Close()
	defer p.abort()
	var luma *lumaSampler
	if p.scenes != nil {
		luma = newLumaSampler(v)
		defer luma.free()
	}
	frame := astiav.AllocFrame()
	defer frame.Free()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fd.next(frame)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		i := frameIndex(v, frame.Pts())
		switch {
		case i < 0:
			return fmt.Errorf("encode: %s: decoded a frame with pts %d, which the probe did not see", job.info.Name, frame.Pts())
		case i < p.expect:
			continue // a frame given twice
		}
		if err := p.lose(ctx, i, fd.damaged, luma != nil); err != nil {
			return err
		}
		p.res.decoded++
		p.expect = i + 1
		known := i + 1
		if p.scenes != nil {
			sums, err := luma.sums(frame)
			if err != nil {
				return fmt.Errorf("encode: %s: %w", job.info.Name, err)
			}
			known = p.push(sums)
		}
		f := astiav.AllocFrame()
		f.MoveRef(frame)
		if n := p.held.Add(1); n > p.res.maxHeld {
			p.res.maxHeld = n
		}
		p.pending = append(p.pending, f)
		if err := p.dispatch(ctx, known); err != nil {
			return err
		}
	}
	if err := p.lose(ctx, v.Frames, fd.damaged, luma != nil); err != nil {
		return err
	}
	if job.strict && fd.damaged > 0 {
		return fmt.Errorf("encode: %s: %w: %d packets did not decode", job.info.Name, ErrDamaged, fd.damaged)
	}
	if p.next != v.Frames {
		return fmt.Errorf("encode: %s: scene detection placed %d of %d frames", job.info.Name, p.next, v.Frames)
	}
	return p.closeChunk(ctx, v.Frames)
}

// lose records that the frames from p.expect to i did not decode (damaged
// packets): an error when strict, otherwise gaps that the chunks keep (a
// frame's place in its chunk is its pts) and Concat reports.
func (p *streamPipeline) lose(ctx context.Context, i, damaged int, scenes bool) error {
	if i <= p.expect {
		return nil
	}
	if p.job.strict {
		return fmt.Errorf("encode: %s: %w: frames %d:%d did not decode (%d damaged packets)", p.job.info.Name, ErrDamaged, p.expect, i, damaged)
	}
	for ; p.expect < i; p.expect++ {
		known := p.expect + 1
		if scenes {
			known = p.push(nil)
		}
		p.pending = append(p.pending, nil)
		if err := p.dispatch(ctx, known); err != nil {
			return err
		}
	}
	return nil
}

// push gives the scene detector the next frame's sums and returns how
// many frames have a known difference.
func (p *streamPipeline) push(sums []int32) int {
	known := p.scenes.push(sums)
	cuts := p.scenes.takeCuts()
	p.cuts = append(p.cuts, cuts...)
	p.res.sceneCuts = append(p.res.sceneCuts, cuts...)
	return known
}

// dispatch hands the pending frames before frame known to their chunks.
func (p *streamPipeline) dispatch(ctx context.Context, known int) error {
	for p.next < known {
		i := p.next
		if i == 0 || p.startsChunk(i) {
			if err := p.closeChunk(ctx, i); err != nil {
				return err
			}
			if err := p.openChunk(ctx, i); err != nil {
				return err
			}
		}
		f := p.pending[0]
		p.pending = p.pending[1:]
		p.next++
		if f == nil { // did not decode
			continue
		}
		if p.cur.in == nil {
			p.free(f)
			continue
		}
		select {
		case p.cur.in <- placedFrame{f, i - p.cur.c.Start}:
			p.cur.fed++
		case <-ctx.Done():
			p.free(f)
			return ctx.Err()
		}
	}
	return nil
}

// startsChunk reports whether a chunk starts at frame i > 0; it is asked
// for every frame in order.
func (p *streamPipeline) startsChunk(i int) bool {
	if p.job.chunks != nil {
		return p.cur != nil && p.cur.c.Index+1 < len(p.job.chunks) && p.job.chunks[p.cur.c.Index+1].Start == i
	}
	var starts bool
	starts, p.cuts = p.chunker.next(i, p.cuts)
	return starts
}

// openChunk starts chunk number len(res.chunks) at frame start: an
// encoder, or nothing when the cache has it.
func (p *streamPipeline) openChunk(ctx context.Context, start int) error {
	c := Chunk{Index: len(p.res.chunks), Start: start}
	sc := &streamChunk{c: c}
	p.cur = sc
	if ends := p.candidateEnds(c); len(ends) > 0 {
		var found []int
		for _, e := range ends {
			c.End = e
			if p.cachedNames[cacheName(c.Index, ChunkKey(p.job.sourceID, c, p.job.settings))] {
				found = append(found, e)
			}
		}
		if len(found) == 1 {
			sc.cacheEnd = found[0]
			return nil
		}
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	sc.in = make(chan placedFrame, streamQueue)
	p.g.Go(func() error {
		defer func() { <-p.sem }()
		return p.encodeChunk(ctx, sc)
	})
	return nil
}

// candidateEnds returns the ends chunk c may have: the plan's, or every
// length the chunker can give it.
func (p *streamPipeline) candidateEnds(c Chunk) []int {
	if p.job.chunks != nil {
		return []int{p.job.chunks[c.Index].End}
	}
	ch := p.chunker
	var ends []int
	for e := c.Start + 1; e <= min(p.job.info.Video.Frames, c.Start+ch.maxLen+ch.minLen); e++ {
		ends = append(ends, e)
	}
	return ends
}

// closeChunk ends the open chunk before frame end: its encoder finishes,
// or, for a cached chunk, the cache is checked against where it ends.
func (p *streamPipeline) closeChunk(ctx context.Context, end int) error {
	sc := p.cur
	if sc == nil {
		return nil
	}
	p.cur = nil
	sc.c.End = end
	p.res.chunks = append(p.res.chunks, sc.c)
	p.res.paths = append(p.res.paths, "")
	path := p.job.cache.Path(sc.c.Index, ChunkKey(p.job.sourceID, sc.c, p.job.settings))
	p.res.paths[sc.c.Index] = path
	p.job.rep.setChunks(len(p.res.chunks))
	if sc.in != nil {
		sc.path, sc.complete = path, true
		close(sc.in)
		return nil
	}
	if sc.cacheEnd == end && p.job.cache.Has(path) {
		p.res.cached++
		p.job.rep.chunkFrames(sc.c, sc.c.Len(), fileSize(path), EventChunkCache)
		return nil
	}
	// The cache held this chunk with another end: encode it on its own.
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	c := sc.c
	p.g.Go(func() error {
		defer func() { <-p.sem }()
		p.job.rep.chunkFrames(c, 0, 0, EventChunkStart)
		err := EncodeChunk(ctx, ChunkJob{Source: p.job.src, Info: p.job.info, Chunk: c, Settings: p.job.settings, Path: path, Strict: p.job.strict,
			Frames: func(done int, bytes int64) { p.job.rep.chunkFrames(c, done, bytes, EventFrames) }})
		if err != nil {
			return err
		}
		p.chunkDone(c, path)
		return nil
	})
	return nil
}

// abort releases what the decoding goroutine holds when it returns: the
// pending frames and the open chunk, whose encoder then stops.
func (p *streamPipeline) abort() {
	for _, f := range p.pending {
		if f != nil {
			p.free(f)
		}
	}
	p.pending = nil
	if p.cur != nil && p.cur.in != nil {
		close(p.cur.in)
	}
	p.cur = nil
}

// encodeChunk is the goroutine of one chunk's encoder: it encodes the
// frames of sc.in and, once the decoder has closed the chunk, stores it
// in the cache.
func (p *streamPipeline) encodeChunk(ctx context.Context, sc *streamChunk) (err error) {
	defer func() {
		if err != nil {
			// The error cancels the decoder, which then closes in; free
			// what it sent until then without holding the error back.
			go func() {
				for pf := range sc.in {
					p.free(pf.f)
				}
			}()
		}
	}()
	job := p.job
	ce, err := newChunkEncoder(job.info, job.settings, sc.c.Index, job.cache.Path(sc.c.Index, "open"))
	if err != nil {
		return err
	}
	defer ce.close()
	job.rep.chunkFrames(sc.c, 0, 0, EventChunkStart)
	for pf := range sc.in {
		err := ce.add(pf.f, pf.place)
		p.free(pf.f)
		if err != nil {
			return err
		}
		job.rep.chunkFrames(sc.c, ce.done, ce.w.bytes, EventFrames)
	}
	if !sc.complete {
		return ctx.Err() // the decoder stopped; its error is the group's
	}
	if ce.done != sc.fed {
		return fmt.Errorf("encode: %s: chunk %d: encoded %d of %d frames", job.info.Name, sc.c.Index, ce.done, sc.fed)
	}
	if err := ce.finish(sc.path); err != nil {
		return err
	}
	p.chunkDone(sc.c, sc.path)
	return nil
}

// chunkDone counts an encoded chunk and reports it.
func (p *streamPipeline) chunkDone(c Chunk, path string) {
	p.mu.Lock()
	p.res.encoded++
	p.mu.Unlock()
	p.job.rep.chunkFrames(c, c.Len(), fileSize(path), EventChunkDone)
}

// names returns the file names in the cache dir.
func (c Cache) names() (map[string]bool, error) {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("encode: work dir: %w", err)
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			names[e.Name()] = true
		}
	}
	return names, nil
}
