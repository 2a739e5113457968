package encode

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/asticode/go-astiav"
)

// avioBufferSize is the size of the AVIO buffer, and so of each ReadAt
// issued to a Source.
const avioBufferSize = 256 << 10

// FFmpeg's seek whence extensions (libavformat/avio.h).
const (
	avseekSize  = 0x10000 // AVSEEK_SIZE: return the stream size, do not seek
	avseekForce = 0x20000 // AVSEEK_FORCE: a hint, masked off
)

// sourceReader is the read/seek state of one AVIO context over a Source.
type sourceReader struct {
	src Source
	pos int64
}

// read implements the AVIO read callback. FFmpeg wants AVERROR_EOF at the
// end; any other error becomes AVERROR_UNKNOWN inside go-astiav.
func (r *sourceReader) read(b []byte) (int, error) {
	size := r.src.Size()
	if r.pos >= size {
		return 0, astiav.ErrEof
	}
	if rem := size - r.pos; int64(len(b)) > rem {
		b = b[:rem]
	}
	n, err := r.src.ReadAt(b, r.pos)
	r.pos += int64(n)
	if n > 0 {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return 0, astiav.ErrEof
	}
	return 0, err
}

// seek implements the AVIO seek callback, including AVSEEK_SIZE.
func (r *sourceReader) seek(offset int64, whence int) (int64, error) {
	if whence&avseekSize != 0 {
		return r.src.Size(), nil
	}
	var pos int64
	switch whence &^ avseekForce {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = r.pos + offset
	case io.SeekEnd:
		pos = r.src.Size() + offset
	default:
		return 0, astiav.Error(-int(syscall.EINVAL))
	}
	if pos < 0 {
		return 0, astiav.Error(-int(syscall.EINVAL))
	}
	r.pos = pos
	return pos, nil
}

// demuxer is an opened input: a format context reading a Source through
// its own AVIO context. Close releases both.
type demuxer struct {
	name string
	fc   *astiav.FormatContext
	io   *astiav.IOContext
	// release, when set, releases the Source after the demuxer closes.
	release func() error
}

// openDemuxer opens src (called name in errors) with libavformat and reads
// its stream information.
func openDemuxer(src Source, name string) (*demuxer, error) {
	r := &sourceReader{src: src}
	// go-astiav allocates a Go buffer of this size for every read: keep it
	// no larger than the source.
	size := int(min(avioBufferSize, max(4096, src.Size())))
	ioc, err := astiav.AllocIOContext(size, false, r.read, r.seek, nil)
	if err != nil {
		return nil, fmt.Errorf("encode: open %s: %w", name, err)
	}
	fc := astiav.AllocFormatContext()
	if fc == nil {
		ioc.Free()
		return nil, fmt.Errorf("encode: open %s: cannot allocate a format context", name)
	}
	fc.SetPb(ioc)
	fc.SetFlags(fc.Flags().Add(astiav.FormatContextFlagCustomIo))
	// A source is data, never a pointer elsewhere: no protocol is allowed
	// for nested opens, so a playlist-like input (hls, concat, dash,
	// image sequences) cannot make FFmpeg read local files, pipes or URLs.
	opts := astiav.NewDictionary()
	defer opts.Free()
	opts.Set("protocol_whitelist", "none", 0)
	if err := fc.OpenInput(name, nil, opts); err != nil {
		fc.Free() // avformat_open_input already freed it; Free is a no-op then
		ioc.Free()
		return nil, fmt.Errorf("encode: open %s: not a media file FFmpeg can read: %w", name, err)
	}
	d := &demuxer{name: name, fc: fc, io: ioc}
	if err := fc.FindStreamInfo(nil); err != nil {
		d.Close()
		return nil, fmt.Errorf("encode: open %s: read stream info: %w", name, err)
	}
	return d, nil
}

// videoStream returns the first video stream, or an error naming the file.
func (d *demuxer) videoStream() (*astiav.Stream, error) {
	for _, s := range d.fc.Streams() {
		if s.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			return s, nil
		}
	}
	return nil, fmt.Errorf("encode: %s: %w", d.name, ErrNoVideo)
}

// Close closes the input and frees its AVIO context.
func (d *demuxer) Close() {
	d.fc.CloseInput()
	d.fc.Free()
	d.io.Free()
	if d.release != nil {
		d.release()
	}
}
