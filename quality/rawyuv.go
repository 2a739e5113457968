package quality

import (
	"errors"
	"fmt"
	"io"
)

// RawReader reads headerless planar YUV (".yuv") of a size and pixel format
// the caller states, such as "yuv420p" or "yuv420p10le".
type RawReader struct {
	name  string
	r     io.Reader
	info  VideoInfo
	buf   []byte
	frame int
}

// ParsePixFmt maps an FFmpeg pixel format name (yuv420p, yuv422p, yuv444p,
// gray, with a 10le/12le/16le suffix for deeper samples) to a chroma format
// and bit depth.
func ParsePixFmt(name string) (ChromaFormat, int, error) {
	formats := map[string]ChromaFormat{"yuv420p": Chroma420, "yuv422p": Chroma422, "yuv444p": Chroma444, "gray": Chroma400}
	for base, c := range formats {
		if name == base {
			return c, 8, nil
		}
		for _, d := range []int{10, 12, 16} {
			if name == fmt.Sprintf("%s%dle", base, d) {
				return c, d, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("unknown pixel format %q (want yuv420p, yuv422p, yuv444p or gray, optionally with 10le, 12le or 16le)", name)
}

// NewRawReader reads frames of width×height in pixel format pixfmt from r.
// size, when ≥ 0, is the input's length in bytes: it must be a whole number of
// frames and fixes Info().Frames.
func NewRawReader(r io.Reader, name string, width, height int, pixfmt string, size int64) (*RawReader, error) {
	chroma, depth, err := ParsePixFmt(pixfmt)
	if err != nil {
		return nil, fmt.Errorf("quality: %s: %w", name, err)
	}
	if width <= 0 || height <= 0 || width > maxDimension || height > maxDimension {
		return nil, fmt.Errorf("quality: %s: bad raw size %dx%d", name, width, height)
	}
	info := VideoInfo{Width: width, Height: height, BitDepth: depth, Chroma: chroma, Frames: -1}
	if size >= 0 {
		fb := int64(frameBytes(info))
		if size%fb != 0 {
			return nil, FormatError(fmt.Sprintf("%s: %d bytes is not a whole number of %dx%d %s frames (%d bytes each)", name, size, width, height, pixfmt, fb))
		}
		info.Frames = int(size / fb)
	}
	return &RawReader{name: name, r: r, info: info}, nil
}

// frameBytes is the size of one raw frame of v's format.
func frameBytes(v VideoInfo) int {
	p := Picture{Width: v.Width, Height: v.Height, Chroma: v.Chroma}
	n := 0
	for i := range 3 {
		n += p.PlaneWidth(i) * p.PlaneHeight(i)
	}
	if v.BitDepth > 8 {
		n *= 2
	}
	return n
}

// Info describes the stream.
func (r *RawReader) Info() VideoInfo { return r.info }

// ReadPicture reads the next frame into p; io.EOF after the last one.
func (r *RawReader) ReadPicture(p *Picture) error {
	if err := r.info.checkPicture(r.name, p); err != nil {
		return err
	}
	err := readPlanes(r.r, p, &r.buf)
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return FormatError(fmt.Sprintf("%s: frame %d: truncated frame data", r.name, r.frame))
	case err != nil:
		return fmt.Errorf("quality: read %s: frame %d: %w", r.name, r.frame, err)
	}
	r.frame++
	return nil
}
