package mezzfs

// readahead detects sequential read streams among the ReadAt calls of a
// Source and says which blocks to fetch before they are asked for. Several
// readers (one demuxer per chunk worker) may read the same Source at once,
// so it tracks a few streams, each by the offset it is expected to read
// next, as Linux's file readahead does per open file.
//
// A stream gets a window of one block once it has read half a block in
// order. The window doubles, up to maxBlocks, each time the stream's
// reader had to wait for a block (a stall: the reader is faster than the
// fetches ahead of it), and otherwise stays. So a fast reader (a copy)
// soon has many blocks in flight, while a slow one (a decoder) keeps a
// small window and leaves little fetched and unread when it stops at its
// chunk's end. A read that continues no stream starts a new one with no
// window, so random reads prefetch nothing.
//
// readahead is not safe for concurrent use; the blockReader guards it.
type readahead struct {
	blockSize int64
	maxBlocks int64
	streams   [raStreams]raStream
	clock     uint64
}

// raStreams is the number of streams tracked at once.
const raStreams = 8

// raStream is one detected sequential reader.
type raStream struct {
	next   int64  // offset this stream is expected to read next
	seq    int64  // bytes read in order so far
	window int64  // blocks to keep fetched ahead of next
	used   uint64 // clock of the last read, for replacement
	valid  bool
}

func newReadahead(blockSize, maxBlocks int64) *readahead {
	return &readahead{blockSize: blockSize, maxBlocks: maxBlocks}
}

// observe records a read of n bytes at off and returns the half-open range
// of block indexes [first, last) to prefetch; first == last means none.
// A read continues a stream when it starts no more than a page before or
// after where the stream is (demuxers skip small gaps, such as the packets
// of other streams, and re-read a little after seeking).
func (r *readahead) observe(off, n int64) (first, last int64) {
	if n <= 0 || r.maxBlocks <= 0 {
		return 0, 0
	}
	r.clock++
	s := r.match(off)
	if s == nil {
		s = r.victim()
		*s = raStream{next: off, valid: true}
	}
	// Only bytes past where the stream was count; a skipped gap counts as
	// read in order, a re-read of passed bytes counts nothing.
	if end := off + n; end > s.next {
		s.seq += end - s.next
		s.next = end
	}
	s.used = r.clock
	if s.seq < r.blockSize/2 {
		return 0, 0
	}
	s.window = max(s.window, 1)
	first = (s.next + r.blockSize - 1) / r.blockSize // the first block not yet read into
	return first, first + s.window
}

// stalled records that the read which ended at end had to wait for a
// block, and doubles its stream's window.
func (r *readahead) stalled(end int64) {
	for i := range r.streams {
		s := &r.streams[i]
		if s.valid && s.next == end && s.window > 0 {
			s.window = min(2*s.window, r.maxBlocks)
			return
		}
	}
}

// match returns the stream that a read at off continues, or nil: one
// whose position is within a page (a 32nd of a block) of off. A wider
// tolerance would take random reads for streams.
func (r *readahead) match(off int64) *raStream {
	tol := r.blockSize / pagesPerBlock
	for i := range r.streams {
		s := &r.streams[i]
		if s.valid && off >= s.next-tol && off <= s.next+tol {
			return s
		}
	}
	return nil
}

// victim returns a free stream slot, or the least recently used one.
func (r *readahead) victim() *raStream {
	v := &r.streams[0]
	for i := range r.streams {
		s := &r.streams[i]
		if !s.valid {
			return s
		}
		if s.used < v.used {
			v = s
		}
	}
	return v
}
