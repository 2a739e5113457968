package mezzfs

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// fetchFunc returns the n bytes of an object at off.
type fetchFunc func(ctx context.Context, off, n int64) ([]byte, error)

// pagesPerBlock is how many pages a block is cut into for small random
// reads (256 KiB pages with the default block size).
const pagesPerBlock = 32

// blockReader serves ReadAt over an object from cached units: whole
// blocks for read-ahead and large reads, and pages (a 32nd of a block) for
// small reads of blocks not fetched ahead, so that a small read far from
// any other, or the start of a stream in the middle of a block, costs
// pages rather than a block. Each unit is fetched once however many
// readers ask (later askers wait for the fetch under way), and the units
// a read needs are fetched in parallel.
type blockReader struct {
	// Write once.
	ctx    context.Context // the Source's life; fetches run under it
	object string          // cache identity of blocks: URL and ETag
	pages  string          // cache identity of pages
	size   int64
	bs, ps int64 // block and page size
	cache  *Cache
	fetch  fetchFunc
	stats  *Stats

	mu sync.Mutex
	// Guarded by mu.
	ra       *readahead
	inflight map[blockKey]*unitCall
	dropped  int64 // blocks below this index have been dropped behind a copy
}

// unitCall is one fetch of one unit (block or page), under way or done.
type unitCall struct {
	base int64 // offset of the unit in the object
	done chan struct{}
	data []byte
	err  error
}

func newBlockReader(ctx context.Context, object string, size int64, cache *Cache, fetch fetchFunc, raBlocks int64, stats *Stats) *blockReader {
	return &blockReader{
		ctx: ctx, object: object, pages: object + "\x00pages", size: size,
		bs: cache.blockSize, ps: max(cache.blockSize/pagesPerBlock, 1), cache: cache, fetch: fetch, stats: stats,
		ra: newReadahead(cache.blockSize, raBlocks), inflight: map[blockKey]*unitCall{},
	}
}

// ReadAt implements io.ReaderAt.
func (r *blockReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	err := r.visit(off, int64(len(p)), func(b []byte) error {
		n += copy(p[n:], b)
		return nil
	})
	return n, err
}

// visit hands the bytes [off, off+want) to fn in order, as slices of
// cached units that fn must neither modify nor keep. It returns io.EOF
// when the object ends before off+want, and fn's first error.
func (r *blockReader) visit(off, want int64, fn func([]byte) error) error {
	if off >= r.size {
		return io.EOF
	}
	end := min(off+want, r.size)
	if end <= off {
		return nil
	}
	r.cache.enter() // the blocks seen below stay ours until exit
	defer r.cache.exit()
	r.mu.Lock()
	raFirst, raLast := r.ra.observe(off, end-off)
	r.mu.Unlock()
	random := raFirst == raLast
	// Small reads of blocks not at hand take pages: read-ahead fetches
	// whole blocks ahead of a stream, so only random reads and the first
	// block of a stream (which may start anywhere in it) are paged.
	paged := end-off < r.bs/2

	var units []*unitCall
	var ahead []bool // units[i] is a block fetched ahead of this read
	for i := off / r.bs; i <= (end-1)/r.bs; i++ {
		if c := r.lookup(blockKey{r.object, i}, true); c != nil || !paged {
			found := c != nil
			if c == nil {
				c = r.start(blockKey{r.object, i})
			}
			units, ahead = append(units, c), append(ahead, found)
			continue
		}
		// A random read of a block not at hand: only its pages.
		lo, hi := max(off, i*r.bs), min(end, (i+1)*r.bs)
		for j := lo / r.ps; j <= (hi-1)/r.ps; j++ {
			k := blockKey{r.pages, j}
			c := r.lookup(k, true)
			if c == nil {
				c = r.start(k)
			}
			units, ahead = append(units, c), append(ahead, false)
		}
	}
	if paged && !random {
		// A stream reading a paged block will read the rest of it: fetch
		// its remaining pages now, in parallel.
		i := (end - 1) / r.bs
		if r.lookup(blockKey{r.object, i}, false) == nil {
			for j := (end-1)/r.ps + 1; j < (i+1)*r.bs/r.ps && j*r.ps < r.size; j++ {
				if k := (blockKey{r.pages, j}); r.lookup(k, false) == nil {
					r.start(k)
				}
			}
		}
	}
	for i := max(raFirst, (end-1)/r.bs+1); i < raLast && i*r.bs < r.size; i++ {
		if r.lookup(blockKey{r.object, i}, false) == nil {
			r.start(blockKey{r.object, i})
		}
	}

	// The reader stalls when it must wait for a block read-ahead started:
	// the window is too small for its pace. Waiting for a fetch this read
	// started (the start of a stream, a random read) says nothing of that.
	pos := off
	stalled := false
	for u, c := range units {
		select {
		case <-c.done:
		default:
			stalled = stalled || ahead[u]
		}
		if err := r.wait(c); err != nil {
			return err
		}
		if pos < c.base || pos >= c.base+int64(len(c.data)) {
			return fmt.Errorf("mezzfs: read %s: unit at %d holds %d bytes, not offset %d: %w", r.object, c.base, len(c.data), pos, io.ErrUnexpectedEOF)
		}
		b := c.data[pos-c.base : min(end, c.base+int64(len(c.data)))-c.base]
		if err := fn(b); err != nil {
			return err
		}
		pos += int64(len(b))
	}
	if stalled && !random {
		r.mu.Lock()
		r.ra.stalled(end)
		r.mu.Unlock()
	}
	if pos < off+want {
		return io.EOF
	}
	return nil
}

// wait blocks until c is done or the Source is closed.
func (r *blockReader) wait(c *unitCall) error {
	select {
	case <-c.done:
		return c.err
	case <-r.ctx.Done():
		return fmt.Errorf("mezzfs: read %s: %w", r.object, r.ctx.Err())
	}
}

// lookup returns the unit under k when it is cached (a done call) or being
// fetched, nil otherwise. needed says a reader waits for it: then a unit
// found counts as a cache hit (read-ahead's lookups do not count).
func (r *blockReader) lookup(k blockKey, needed bool) *unitCall {
	base, length := r.unit(k)
	if b, ok := r.cache.get(k); ok && int64(len(b)) == length {
		r.hit(needed)
		return doneCall(base, b)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.inflight[k]; ok {
		r.hit(needed)
		return c
	}
	// A fetch that ended since the lookup above put its unit in memory
	// before leaving inflight.
	if b, ok := r.cache.getMemory(k); ok && int64(len(b)) == length {
		r.hit(needed)
		return doneCall(base, b)
	}
	return nil
}

func (r *blockReader) hit(needed bool) {
	if needed {
		r.stats.addHit()
	}
}

// unit returns the offset and the size of the unit (block or page) under k.
func (r *blockReader) unit(k blockKey) (base, length int64) {
	size := r.bs
	if k.object == r.pages {
		size = r.ps
	}
	base = k.index * size
	return base, min(size, r.size-base)
}

func doneCall(base int64, b []byte) *unitCall {
	c := &unitCall{base: base, done: make(chan struct{}), data: b}
	close(c.done)
	return c
}

// start fetches the unit k, unless a fetch of it is already under way,
// and returns the call to wait on.
func (r *blockReader) start(k blockKey) *unitCall {
	base, n := r.unit(k)
	r.mu.Lock()
	if c, ok := r.inflight[k]; ok {
		r.mu.Unlock()
		return c
	}
	// A fetch of k may have ended since the caller's lookup: it put the
	// unit in memory before leaving inflight.
	if b, ok := r.cache.getMemory(k); ok && int64(len(b)) == n {
		r.mu.Unlock()
		return doneCall(base, b)
	}
	c := &unitCall{base: base, done: make(chan struct{})}
	r.inflight[k] = c
	r.mu.Unlock()
	go func() {
		data, err := r.fetch(r.ctx, base, n)
		// From the put on, readers may find the block in the cache or
		// here: it must not be recycled until they are done with it.
		r.cache.enter()
		defer r.cache.exit()
		c.data, c.err = data, err
		if c.err == nil {
			r.cache.put(k, c.data)
		}
		r.mu.Lock()
		delete(r.inflight, k)
		r.mu.Unlock()
		close(c.done)
	}()
	return c
}

// dropBefore removes from the memory cache the blocks that end at or
// before off, for a reader that will not come back to them, so that their
// buffers are recycled for the blocks ahead.
func (r *blockReader) dropBefore(off int64) {
	r.mu.Lock()
	first, last := r.dropped, off/r.bs
	r.dropped = max(r.dropped, last)
	r.mu.Unlock()
	for i := first; i < last; i++ {
		r.cache.drop(blockKey{r.object, i})
	}
}
