// Package index reads the indexes that containers keep of their own frames
// (Matroska Cues, MP4 sample tables) without reading the frames, so that a
// probe of a large object on S3 fetches kilobytes instead of gigabytes.
//
// It is pure Go: it only reads, through an io.ReaderAt, the few elements or
// boxes an index is made of, each bounded in size, and returns an error
// naming the problem for anything malformed.
package index

import (
	"errors"
	"fmt"
	"io"
)

// ErrNoIndex is wrapped by the errors for files whose container keeps no
// usable index: a Matroska file without Cues, a fragmented MP4.
var ErrNoIndex = errors.New("no index")

// ErrPastEnd is wrapped by the error of an index that places data past the
// end of the file: the file was cut short.
var ErrPastEnd = errors.New("data past the end of the file")

// Index is what a container's index says about its tracks.
type Index struct {
	Format string  // "matroska" or "mp4"
	Tracks []Track // in the container's order
}

// Track is one track of an Index.
type Track struct {
	ID    int64  // Matroska TrackNumber, MP4 track_ID
	Kind  string // "video", "audio" or "other"
	Codec string // Matroska CodecID or MP4 sample entry type
	// TimeBase is the unit of Entry.PTS, as Num/Den seconds.
	TimeBase [2]int64
	// FrameDuration is the nominal frame duration in TimeBase units (from
	// Matroska's DefaultDuration), 0 when the container does not say.
	FrameDuration float64
	// Complete reports that Entries lists every frame of the track (MP4
	// sample tables); when false it lists only the indexed keyframes
	// (Matroska Cues).
	Complete bool
	// Entries lists the indexed frames in decode order.
	Entries []Entry
}

// Entry is one indexed frame.
type Entry struct {
	PTS  int64 // presentation time in TimeBase units, before any edit list
	DTS  int64 // decode time (equal to PTS for Matroska)
	Pos  int64 // byte offset of the frame's data (MP4) or of its cluster (Matroska), -1 when unknown
	Size int64 // bytes, 0 when unknown
	Key  bool
}

// Video returns the first video track, or nil.
func (x *Index) Video() *Track {
	for i := range x.Tracks {
		if x.Tracks[i].Kind == "video" {
			return &x.Tracks[i]
		}
	}
	return nil
}

// Limits that keep a malformed or hostile file from asking for unbounded
// memory: no index element is read whole beyond maxElement bytes, and no
// track lists more than maxEntries frames (a day at 120 frames/s).
const (
	maxElement = 256 << 20
	maxEntries = 24 * 3600 * 120
)

// readAt reads exactly n bytes at off, bounded by size.
func readAt(r io.ReaderAt, size, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d are past the end (%d bytes)", io.ErrUnexpectedEOF, n, off, size)
	}
	if n > maxElement {
		return nil, fmt.Errorf("an element of %d bytes at offset %d is larger than %d", n, off, maxElement)
	}
	b := make([]byte, n)
	if got, err := r.ReadAt(b, off); int64(got) < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}
