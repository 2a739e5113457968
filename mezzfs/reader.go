package mezzfs

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// fetchFunc returns the n bytes of an object at off.
type fetchFunc func(ctx context.Context, off, n int64) ([]byte, error)

// blockReader serves ReadAt over an object from whole blocks: from the
// cache when there, otherwise fetched once no matter how many readers ask
// (later askers wait for the fetch under way). The blocks a read needs are
// fetched in parallel, and read-ahead fetches the next blocks of
// sequential streams in the background.
type blockReader struct {
	// Write once.
	ctx      context.Context // the Source's life; fetches run under it
	object   string          // cache identity: URL and ETag
	size     int64
	bs       int64
	cache    *Cache
	fetch    fetchFunc
	stats    *Stats
	raBlocks int64

	mu sync.Mutex
	// Guarded by mu.
	ra       *readahead
	inflight map[int64]*blockCall
}

// blockCall is one fetch of one block under way.
type blockCall struct {
	done chan struct{}
	data []byte
	err  error
}

func newBlockReader(ctx context.Context, object string, size int64, cache *Cache, fetch fetchFunc, raBlocks int64, stats *Stats) *blockReader {
	return &blockReader{
		ctx: ctx, object: object, size: size, bs: cache.blockSize, cache: cache, fetch: fetch,
		stats: stats, raBlocks: raBlocks,
		ra: newReadahead(cache.blockSize, raBlocks), inflight: map[int64]*blockCall{},
	}
}

// ReadAt implements io.ReaderAt.
func (r *blockReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	want := int64(len(p))
	end := min(off+want, r.size)
	if end <= off {
		return 0, nil
	}
	r.mu.Lock()
	raFirst, raLast := r.ra.observe(off, end-off)
	r.mu.Unlock()

	first, last := off/r.bs, (end-1)/r.bs
	calls := make([]*blockCall, 0, last-first+1)
	for i := first; i <= last; i++ {
		calls = append(calls, r.start(i, true))
	}
	for i := max(raFirst, last+1); i < raLast && i*r.bs < r.size; i++ {
		r.start(i, false)
	}
	n := 0
	waited := false
	for k, c := range calls {
		select {
		case <-c.done:
		default:
			waited = true
		}
		if err := r.wait(c); err != nil {
			return n, err
		}
		i := first + int64(k)
		bOff := i * r.bs
		lo, hi := max(off, bOff)-bOff, min(end, bOff+int64(len(c.data)))-bOff
		if hi < lo {
			return n, fmt.Errorf("mezzfs: read %s: block %d is %d bytes, want more: %w", r.object, i, len(c.data), io.ErrUnexpectedEOF)
		}
		n += copy(p[n:], c.data[lo:hi])
	}
	if waited && raLast > raFirst {
		r.mu.Lock()
		r.ra.stalled(end)
		r.mu.Unlock()
	}
	if int64(n) < want {
		return n, io.EOF
	}
	return n, nil
}

// wait blocks until c is done or the Source is closed.
func (r *blockReader) wait(c *blockCall) error {
	select {
	case <-c.done:
		return c.err
	case <-r.ctx.Done():
		return fmt.Errorf("mezzfs: read %s: %w", r.object, r.ctx.Err())
	}
}

// start returns block i: done at once when cached, the fetch under way
// when there is one, or a new fetch. needed says a reader is waiting
// (counted as a cache hit when no request is made), as opposed to
// read-ahead.
func (r *blockReader) start(i int64, needed bool) *blockCall {
	k := blockKey{r.object, i}
	length := min(r.bs, r.size-i*r.bs)
	if b, ok := r.cache.get(k); ok && int64(len(b)) == length {
		if needed {
			r.stats.addHit()
		}
		c := &blockCall{done: make(chan struct{}), data: b}
		close(c.done)
		return c
	}
	r.mu.Lock()
	if c, ok := r.inflight[i]; ok {
		r.mu.Unlock()
		if needed {
			r.stats.addHit()
		}
		return c
	}
	// A fetch that ended since the lookup above put its block in memory
	// before leaving inflight.
	if b, ok := r.cache.getMemory(k); ok && int64(len(b)) == length {
		r.mu.Unlock()
		if needed {
			r.stats.addHit()
		}
		c := &blockCall{done: make(chan struct{}), data: b}
		close(c.done)
		return c
	}
	c := &blockCall{done: make(chan struct{})}
	r.inflight[i] = c
	r.mu.Unlock()
	go func() {
		c.data, c.err = r.fetch(r.ctx, i*r.bs, length)
		if c.err == nil {
			r.cache.put(k, c.data)
		}
		r.mu.Lock()
		delete(r.inflight, i)
		r.mu.Unlock()
		close(c.done)
	}()
	return c
}
