package mezzfs

// readahead detects sequential read streams among the ReadAt calls of a
// Source and says which blocks to fetch before they are asked for. Several
// readers (one demuxer per chunk worker) may read the same Source at once,
// so it tracks a few streams, each by the offset it is expected to read
// next, as Linux's file readahead does per open file.
//
// A stream's window grows with the bytes it has read in order — one block
// once it has read half a block, then one block for every
// growthDivisor blocks read — up to maxBlocks. A read that continues no
// stream starts a new one with no window, so random reads prefetch
// nothing. The window stays a fraction of what was read so that a reader
// that stops (a chunk worker at its chunk's end) leaves little fetched and
// unread.
//
// readahead is not safe for concurrent use; the blockReader guards it.
type readahead struct {
	blockSize int64
	maxBlocks int64
	streams   [raStreams]raStream
	clock     uint64
}

const (
	raStreams     = 8 // streams tracked at once
	growthDivisor = 8 // blocks read in order per block of window
)

// raStream is one detected sequential reader.
type raStream struct {
	next  int64  // offset this stream is expected to read next
	seq   int64  // bytes read in order so far
	used  uint64 // clock of the last read, for replacement
	valid bool
}

func newReadahead(blockSize, maxBlocks int64) *readahead {
	return &readahead{blockSize: blockSize, maxBlocks: maxBlocks}
}

// observe records a read of n bytes at off and returns the half-open range
// of block indexes [first, last) to prefetch; first == last means none.
// A read continues a stream when it starts at or after the stream's last
// read and no more than one block past where it ended (demuxers skip
// small gaps, such as the packets of other streams).
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
	window := min(1+s.seq/(growthDivisor*r.blockSize), r.maxBlocks)
	first = (s.next + r.blockSize - 1) / r.blockSize // the first block not yet read into
	return first, first + window
}

// match returns the stream that a read at off continues, or nil: one
// that read up to at most a block before off, or whose position is at
// most a block behind it.
func (r *readahead) match(off int64) *raStream {
	for i := range r.streams {
		s := &r.streams[i]
		if s.valid && off >= s.next-r.blockSize && off <= s.next+r.blockSize {
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
