package quality

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxY4MLine bounds a y4m header or frame-header line; real ones are < 100 bytes.
const maxY4MLine = 4096

// maxDimension bounds width and height so a corrupt header cannot ask for a
// huge allocation (16K video is 15360 wide).
const maxDimension = 1 << 15

// Y4MReader reads YUV4MPEG2 streams: 4:2:0 (C420jpeg, C420mpeg2, C420paldv,
// C420), 4:2:2, 4:4:4 and mono, 8 to 16 bit (C420p10 and the like, samples
// little-endian), X parameters such as XCOLORRANGE, and per-frame parameters
// (read and ignored). The chroma siting tags only describe the samples and do
// not change how they are read.
type Y4MReader struct {
	name   string
	r      *bufio.Reader
	info   VideoInfo
	Params map[string]string // every header parameter by tag letter ("W", "F", "C", "X" values joined by space)
	buf    []byte
	frame  int
}

// NewY4MReader parses the stream header of r. name is the file name used in
// errors.
func NewY4MReader(r io.Reader, name string) (*Y4MReader, error) {
	y := &Y4MReader{name: name, r: bufio.NewReaderSize(r, 1<<20), Params: map[string]string{}}
	line, err := y.line()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, FormatError(fmt.Sprintf("%s: empty file, not a y4m stream", name))
		}
		return nil, err
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "YUV4MPEG2" {
		return nil, FormatError(fmt.Sprintf("%s: not a y4m stream (no YUV4MPEG2 signature)", name))
	}
	y.info = VideoInfo{BitDepth: 8, Chroma: Chroma420, Frames: -1}
	for _, f := range fields[1:] {
		tag, val := f[:1], f[1:]
		switch tag {
		case "W", "H":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 || n > maxDimension {
				return nil, FormatError(fmt.Sprintf("%s: y4m header: bad %s value %q", name, tag, val))
			}
			if tag == "W" {
				y.info.Width = n
			} else {
				y.info.Height = n
			}
		case "F":
			num, den, ok := strings.Cut(val, ":")
			n, err1 := strconv.Atoi(num)
			d, err2 := strconv.Atoi(den)
			if !ok || err1 != nil || err2 != nil || n < 0 || d < 0 {
				return nil, FormatError(fmt.Sprintf("%s: y4m header: bad frame rate %q", name, val))
			}
			y.info.FrameRateNum, y.info.FrameRateDen = n, d
		case "C":
			c, depth, err := parseY4MColorspace(val)
			if err != nil {
				return nil, FormatError(fmt.Sprintf("%s: y4m header: %v", name, err))
			}
			y.info.Chroma, y.info.BitDepth = c, depth
		case "I", "A":
			// Interlacing and aspect ratio do not change the samples.
		case "X":
			if prev, ok := y.Params["X"]; ok {
				val = prev + " " + val
			}
		default:
			return nil, FormatError(fmt.Sprintf("%s: y4m header: unknown parameter %q", name, f))
		}
		y.Params[tag] = val
	}
	if y.info.Width == 0 || y.info.Height == 0 {
		return nil, FormatError(fmt.Sprintf("%s: y4m header: missing width or height", name))
	}
	return y, nil
}

// parseY4MColorspace maps a y4m C tag to a chroma format and bit depth.
func parseY4MColorspace(v string) (ChromaFormat, int, error) {
	base, depth := v, 8
	// Deeper samples carry a "p<bits>" suffix: C420p10, C444p12.
	if i := strings.LastIndexByte(v, 'p'); i > 0 && i+1 < len(v) && strings.Trim(v[i+1:], "0123456789") == "" {
		d, err := strconv.Atoi(v[i+1:])
		if err != nil || d < 8 || d > 16 {
			return 0, 0, fmt.Errorf("unsupported colorspace %q", v)
		}
		base, depth = v[:i], d
	}
	switch base {
	case "420", "420jpeg", "420mpeg2", "420paldv":
		return Chroma420, depth, nil
	case "422":
		return Chroma422, depth, nil
	case "444":
		return Chroma444, depth, nil
	case "mono":
		return Chroma400, depth, nil
	}
	return 0, 0, fmt.Errorf("unsupported colorspace %q", v)
}

// Info describes the stream. Frames is -1: y4m does not record its length.
func (y *Y4MReader) Info() VideoInfo { return y.info }

// line reads one '\n'-terminated line of at most maxY4MLine bytes.
func (y *Y4MReader) line() (string, error) {
	var b []byte
	for {
		chunk, err := y.r.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxY4MLine {
			return "", FormatError(fmt.Sprintf("%s: y4m header line longer than %d bytes", y.name, maxY4MLine))
		}
		if err == nil {
			return string(b[:len(b)-1]), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(b) > 0 {
			return "", FormatError(fmt.Sprintf("%s: truncated y4m header", y.name))
		}
		return "", err
	}
}

// ReadPicture reads the next frame into p, which must have the stream's
// format. It returns io.EOF after the last complete frame.
func (y *Y4MReader) ReadPicture(p *Picture) error {
	if err := y.info.checkPicture(y.name, p); err != nil {
		return err
	}
	line, err := y.line()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		var fe FormatError
		if errors.As(err, &fe) {
			return FormatError(fmt.Sprintf("%s: frame %d: truncated frame header", y.name, y.frame))
		}
		return fmt.Errorf("quality: read %s: %w", y.name, err)
	}
	if line != "FRAME" && !strings.HasPrefix(line, "FRAME ") {
		return FormatError(fmt.Sprintf("%s: frame %d: bad frame header %q", y.name, y.frame, truncate(line, 40)))
	}
	if err := readPlanes(y.r, p, &y.buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return FormatError(fmt.Sprintf("%s: frame %d: truncated frame data", y.name, y.frame))
		}
		return fmt.Errorf("quality: read %s: frame %d: %w", y.name, y.frame, err)
	}
	y.frame++
	return nil
}

// readPlanes reads p's planes as raw planar samples, one byte each at 8 bit,
// two little-endian bytes each above. buf is reused between calls.
func readPlanes(r io.Reader, p *Picture, buf *[]byte) error {
	bps := 1
	if p.BitDepth > 8 {
		bps = 2
	}
	for i := range p.Planes {
		n := len(p.Planes[i])
		if n == 0 {
			continue
		}

		if cap(*buf) < n*bps {
			*buf = make([]byte, n*bps)
		}
		b := (*buf)[:n*bps]
		if _, err := io.ReadFull(r, b); err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF // the frame's first plane was read
			}
			return err
		}
		dst := p.Planes[i]
		if bps == 1 {
			k := widen8Asm(dst, b)
			for j, v := range b[k:] {
				dst[k+j] = uint16(v)
			}
		} else {
			for j := range dst {
				dst[j] = uint16(b[2*j]) | uint16(b[2*j+1])<<8
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
