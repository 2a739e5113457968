// Package encode is everything in rung that touches FFmpeg's libraries
// (through go-astiav): probing and decoding any input through a custom AVIO
// context over a Source, scaling with swscale, scene detection and chunk
// planning, parallel chunk encoding, the chunk cache that makes reruns
// resume, and frame-exact concatenation into MP4 or Matroska.
package encode

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"rung/mezzfs"
)

// Source is the only way encode reads media: random access to a fixed
// number of bytes. mezzfs provides one over S3 objects; OpenSource wraps
// local files. ReadAt must be safe for concurrent use, since every chunk
// worker opens its own demuxer over the same Source.
type Source interface {
	io.ReaderAt
	Size() int64
}

// fileSource is a Source over a local file.
type fileSource struct {
	f    *os.File
	size int64
}

func (s *fileSource) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }
func (s *fileSource) Size() int64                             { return s.size }
func (s *fileSource) Close() error                            { return s.f.Close() }

// OpenSource turns an input URL into a Source and the function that
// releases it. It is the one place where URLs are interpreted: s3:// URLs
// are read by byte range through mezzfs (the standard AWS credential
// chain, AWS_ENDPOINT_URL), local paths (and file:// URLs) are opened as
// files, other schemes are refused.
func OpenSource(url string) (Source, func() error, error) {
	return OpenSourceWith(context.Background(), url, mezzfs.Options{})
}

// OpenSourceWith is OpenSource with mezzfs options (statistics, a read
// trace, the S3 endpoint, the block cache). Local files are read through
// mezzfs too when the options ask for statistics or a trace, so that
// their reads count. ctx bounds the reads of an s3:// Source.
func OpenSourceWith(ctx context.Context, url string, o mezzfs.Options) (Source, func() error, error) {
	if mezzfs.IsS3(url) {
		return openMezzfs(ctx, url, o)
	}
	path := strings.TrimPrefix(url, "file://")
	if i := strings.Index(path, "://"); i > 0 && !strings.ContainsAny(path[:i], "/\\") {
		return nil, nil, fmt.Errorf("encode: open %s: scheme %q not supported", url, path[:i])
	}
	if o.Stats != nil || o.Trace != nil {
		return openMezzfs(ctx, url, o)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("encode: %w", err) // *PathError names the step and the file
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("encode: open %s: %w", url, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("encode: open %s: is a directory", url)
	}
	s := &fileSource{f: f, size: st.Size()}
	return s, s.Close, nil
}

// openMezzfs opens url as a mezzfs.Source.
func openMezzfs(ctx context.Context, url string, o mezzfs.Options) (Source, func() error, error) {
	src, err := mezzfs.Open(ctx, url, o)
	if err != nil {
		return nil, nil, err
	}
	return src, src.Close, nil
}
