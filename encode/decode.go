package encode

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/asticode/go-astiav"
	"rung/quality"
)

// frameDecoder decodes the first video stream of a demuxer into frames in
// presentation order.
type frameDecoder struct {
	name    string
	d       *demuxer
	stream  *astiav.Stream
	cc      *astiav.CodecContext
	pkt     *astiav.Packet
	flushed bool // the demuxer is exhausted and the decoder was sent its flush packet
	// keep, when set, selects the packets (by pts) that are decoded; the
	// others are dropped unread by the decoder. Only for intra-only
	// streams, where every frame decodes on its own.
	keep func(pts int64) bool
	// damaged counts the packets the decoder refused (corrupt data); the
	// frames they held are missing from the output, as in the ffmpeg CLI.
	damaged int
	// prevPTS and step extrapolate the timestamp of a frame that has no
	// best-effort timestamp (the last frame of an AVI with B-frames): the
	// previous frame's plus the last gap between frames.
	prevPTS, step int64
	nominal       int64 // one frame at the stream's frame rate, in its time base
	// width and height are the stream's picture size: rung refuses a
	// stream whose size changes.
	width, height int
}

// maxDecodeErrors bounds the consecutive decode errors frameDecoder.next
// skips before it gives up on the input: damage is a few packets, a
// stream that fails every packet is not worth decoding to its end.
const maxDecodeErrors = 1000

// decoderFor picks the decoder of a codec: libdav1d for AV1 (FFmpeg's
// native AV1 decoder needs hardware), FFmpeg's default otherwise.
func decoderFor(id astiav.CodecID) *astiav.Codec {
	if id.Name() == "av1" {
		if c := astiav.FindDecoderByName("libdav1d"); c != nil {
			return c
		}
	}
	return astiav.FindDecoder(id)
}

// openFrameDecoder opens src and a decoder for its first video stream.
// threads is the decoder's thread count (0: FFmpeg chooses).
func openFrameDecoder(src Source, name string, threads int) (*frameDecoder, error) {
	d, err := openDemuxer(src, name)
	if err != nil {
		return nil, err
	}
	fd, err := newFrameDecoder(d, threads)
	if err != nil {
		d.Close()
		return nil, err
	}
	return fd, nil
}

func newFrameDecoder(d *demuxer, threads int) (*frameDecoder, error) {
	vs, err := d.videoStream()
	if err != nil {
		return nil, err
	}
	codec := decoderFor(vs.CodecParameters().CodecID())
	if codec == nil {
		return nil, fmt.Errorf("encode: %s: %w: no decoder for %s", d.name, ErrUnsupported, vs.CodecParameters().CodecID().Name())
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, fmt.Errorf("encode: %s: cannot allocate a %s decoder", d.name, codec.Name())
	}
	if err := vs.CodecParameters().ToCodecContext(cc); err != nil {
		cc.Free()
		return nil, fmt.Errorf("encode: %s: decoder parameters: %w", d.name, err)
	}
	cc.SetTimeBase(vs.TimeBase())
	cc.SetThreadCount(threads)
	if err := cc.Open(codec, nil); err != nil {
		cc.Free()
		return nil, fmt.Errorf("encode: %s: open %s decoder: %w", d.name, codec.Name(), err)
	}
	fd := &frameDecoder{name: d.name, d: d, stream: vs, cc: cc, pkt: astiav.AllocPacket(), prevPTS: astiav.NoPtsValue,
		width: vs.CodecParameters().Width(), height: vs.CodecParameters().Height()}
	rate := vs.AvgFrameRate()
	if rate.Num() <= 0 || rate.Den() <= 0 {
		rate = vs.RFrameRate()
	}
	if rate.Num() > 0 && rate.Den() > 0 {
		fd.nominal = astiav.RescaleQ(1, astiav.NewRational(rate.Den(), rate.Num()), vs.TimeBase())
	}
	return fd, nil
}

// seek positions the demuxer on the keyframe at or before pts. It must be
// called before the first frame is read.
func (fd *frameDecoder) seek(pts int64) error {
	if err := fd.d.fc.SeekFrame(fd.stream.Index(), pts, astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
		return fmt.Errorf("encode: %s: seek to pts %d: %w", fd.name, pts, err)
	}
	return nil
}

// next decodes the next frame into f (which it unrefs first) and sets its
// pts to FFmpeg's best-effort timestamp, the one the ffmpeg CLI uses (a
// frame of an AVI with B-frames has no pts of its own); a frame without
// even that gets the previous frame's plus the last frame gap. It returns
// io.EOF after the last frame. Packets the decoder refuses are counted in
// damaged and skipped, as the ffmpeg CLI does.
func (fd *frameDecoder) next(f *astiav.Frame) error {
	f.Unref()
	for errs := 0; ; {
		err := fd.cc.ReceiveFrame(f)
		switch {
		case err == nil:
			if f.Width() != fd.width || f.Height() != fd.height {
				return fmt.Errorf("encode: %s: %w: the picture size changes mid-stream, from %dx%d to %dx%d", fd.name, ErrUnsupported, fd.width, fd.height, f.Width(), f.Height())
			}
			fd.stamp(f)
			return nil
		case errors.Is(err, astiav.ErrEof):
			return io.EOF
		case !errors.Is(err, astiav.ErrEagain):
			if errs++; errs > maxDecodeErrors {
				return fmt.Errorf("encode: %s: decode: %w", fd.name, err)
			}
			fd.damaged++
			continue
		}
		if err := fd.feed(); err != nil {
			return err
		}
	}
}

// stamp sets f's pts to its best-effort timestamp, extrapolated when
// FFmpeg has none.
func (fd *frameDecoder) stamp(f *astiav.Frame) {
	ts := bestEffortTimestamp(f)
	if ts == astiav.NoPtsValue && fd.prevPTS != astiav.NoPtsValue {
		step := fd.step
		if step <= 0 {
			step = max(1, fd.nominal)
		}
		ts = fd.prevPTS + step
	}
	if ts != astiav.NoPtsValue {
		if fd.prevPTS != astiav.NoPtsValue && ts > fd.prevPTS {
			fd.step = ts - fd.prevPTS
		}
		fd.prevPTS = ts
	}
	f.SetPts(ts)
}

// feed sends the decoder the next packet of the video stream, or the flush
// packet at the end of the input.
func (fd *frameDecoder) feed() error {
	if fd.flushed {
		return io.EOF
	}
	for {
		err := fd.d.fc.ReadFrame(fd.pkt)
		if errors.Is(err, astiav.ErrEof) {
			fd.flushed = true
			if err := fd.cc.SendPacket(nil); err != nil {
				return fmt.Errorf("encode: %s: flush decoder: %w", fd.name, err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("encode: %s: read packet: %w", fd.name, err)
		}
		if fd.pkt.StreamIndex() != fd.stream.Index() || (fd.keep != nil && !fd.keep(fd.pkt.Pts())) {
			fd.pkt.Unref()
			continue
		}
		err = fd.cc.SendPacket(fd.pkt)
		fd.pkt.Unref()
		if err != nil && !errors.Is(err, astiav.ErrEagain) {
			// A packet the decoder refuses is damage: skip it, as the
			// ffmpeg CLI does; the frame it held is missing.
			fd.damaged++
			if fd.damaged > maxDecodeErrors {
				return fmt.Errorf("encode: %s: decode packet: %w", fd.name, err)
			}
			continue
		}
		return nil
	}
}

// Close frees the decoder and closes the input.
func (fd *frameDecoder) Close() {
	fd.pkt.Free()
	fd.cc.Free()
	fd.d.Close()
}

// DecodeOptions chooses the pictures a Decoder yields.
type DecodeOptions struct {
	// Width and Height scale every picture to this size with bicubic
	// swscale (flags bicubic+accurate_rnd+bitexact). Zero keeps the
	// source's size; one of them zero keeps the aspect ratio (even size).
	Width, Height int
	// BitDepth is 8 or 10; zero keeps the source's (8 for 8-bit sources,
	// 10 for deeper ones).
	BitDepth int
	// Chroma420 forces 4:2:0 output; otherwise 4:2:2 and 4:4:4 sources
	// keep their subsampling.
	Chroma420 bool
	// Threads is the decoder's thread count; zero lets FFmpeg choose.
	Threads int
	// Info, when set (from Probe of the same input), gives the exact frame
	// count in Info().Frames.
	Info *Info
	// Deinterlace runs a source that Info says is interlaced through the
	// bwdif an encode of it goes through (deinterlaceFilter), so that the
	// encode is scored against the pictures it was made from.
	Deinterlace bool
}

// Decoder reads a video with FFmpeg and yields quality pictures. It
// implements quality.TimedReader.
type Decoder struct {
	fd     *frameDecoder
	sc     *scaler
	frame  *astiav.Frame
	buf    []byte
	info   quality.VideoInfo
	pts    int64        // of the last picture read (stream time base)
	closer func() error // releases the Source when the Decoder opened it

	deint   *VideoInfo    // the interlaced source's, when its frames go through bwdif
	di      *deinterlacer // built from the first frame
	flushed bool          // the deinterlacer has had its end
}

var _ quality.TimedReader = (*Decoder)(nil)

// Time returns the presentation time in seconds of the last picture
// ReadPicture returned: its best-effort timestamp in the stream's time
// base (frameDecoder.next).
func (d *Decoder) Time() float64 {
	tb := d.fd.stream.TimeBase()
	return float64(d.pts) * float64(tb.Num()) / float64(tb.Den())
}

// OpenVideo opens the first video stream of src (called name in errors)
// for decoding into quality pictures.
func OpenVideo(ctx context.Context, src Source, name string, opts DecodeOptions) (*Decoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fd, err := openFrameDecoder(src, name, opts.Threads)
	if err != nil {
		return nil, err
	}
	dec, err := newDecoder(fd, opts)
	if err != nil {
		fd.Close()
		return nil, err
	}
	return dec, nil
}

// OpenFile probes and opens a local file or URL for decoding, so that
// Info().Frames is exact.
func OpenFile(ctx context.Context, url string, opts DecodeOptions) (*Decoder, error) {
	src, closeSrc, err := OpenSource(url)
	if err != nil {
		return nil, err
	}
	if opts.Info == nil {
		info, err := Probe(ctx, src, url)
		if err != nil {
			closeSrc()
			return nil, err
		}
		opts.Info = info
	}
	dec, err := OpenVideo(ctx, src, url, opts)
	if err != nil {
		closeSrc()
		return nil, err
	}
	dec.closer = closeSrc
	return dec, nil
}

func newDecoder(fd *frameDecoder, opts DecodeOptions) (*Decoder, error) {
	cp := fd.stream.CodecParameters()
	srcLayout, ok := layoutOf(cp.PixelFormat())
	if !ok {
		srcLayout = pixelLayout{BitDepth: 8, Chroma: quality.Chroma420}
		if cp.PixelFormat() == astiav.PixelFormatNone {
			return nil, fmt.Errorf("encode: %s: %w: unknown pixel format", fd.name, ErrUnsupported)
		}
	}
	out := srcLayout
	switch opts.BitDepth {
	case 0:
		if out.BitDepth > 8 {
			out.BitDepth = 10
		}
	case 8, 10:
		out.BitDepth = opts.BitDepth
	default:
		return nil, fmt.Errorf("encode: %s: %w: bit depth %d (want 8 or 10)", fd.name, ErrUnsupported, opts.BitDepth)
	}
	if opts.Chroma420 || out.Chroma == quality.Chroma400 {
		out.Chroma = quality.Chroma420
	}
	pf, err := pixelFormatFor(out.BitDepth, out.Chroma)
	if err != nil {
		return nil, fmt.Errorf("encode: %s: %w", fd.name, err)
	}
	w, h := outputSize(cp.Width(), cp.Height(), opts.Width, opts.Height)
	info := quality.VideoInfo{Width: w, Height: h, BitDepth: out.BitDepth, Chroma: out.Chroma, Frames: -1}
	if r := fd.stream.AvgFrameRate(); r.Num() > 0 && r.Den() > 0 {
		info.FrameRateNum, info.FrameRateDen = r.Num(), r.Den()
	}
	if opts.Info != nil && opts.Info.Video != nil {
		info.Frames = opts.Info.Video.Frames
	} else if n := fd.stream.NbFrames(); n > 0 {
		info.Frames = int(n)
	}
	d := &Decoder{
		fd:    fd,
		sc:    newScaler(w, h, pf),
		frame: astiav.AllocFrame(),
		info:  info,
	}
	if v := opts.Info; opts.Deinterlace && v != nil && v.Video != nil && v.Video.Interlaced() {
		d.deint = v.Video
	}
	return d, nil
}

// outputSize resolves a requested size against the source's: zero keeps
// the source's; one zero dimension keeps the aspect ratio, rounded to even.
func outputSize(srcW, srcH, w, h int) (int, int) {
	switch {
	case w == 0 && h == 0:
		return srcW, srcH
	case w == 0:
		return max(2, (srcW*h/srcH+1)&^1), h
	case h == 0:
		return w, max(2, (srcH*w/srcW+1)&^1)
	}
	return w, h
}

// Info describes the pictures ReadPicture yields.
func (d *Decoder) Info() quality.VideoInfo { return d.info }

// ReadPicture decodes the next picture into p, which must have the
// format Info describes. It returns io.EOF after the last picture.
func (d *Decoder) ReadPicture(p *quality.Picture) error {
	if p.Width != d.info.Width || p.Height != d.info.Height || p.BitDepth != d.info.BitDepth || p.Chroma != d.info.Chroma {
		return fmt.Errorf("encode: %s: picture is %s, stream is %s", d.fd.name, p.Format(), d.info.Format())
	}
	df, err := d.nextFrame()
	if err != nil {
		return err
	}
	d.pts = df.Pts()
	f, err := d.sc.convert(df)
	if err != nil {
		return fmt.Errorf("encode: %s: %w", d.fd.name, err)
	}
	return d.copyPicture(f, p)
}

// nextFrame returns the next decoded frame, deinterlaced when d.deint is
// set (bwdif gives one frame per frame, one frame late, the last at its
// flush), or io.EOF.
func (d *Decoder) nextFrame() (*astiav.Frame, error) {
	if d.deint == nil {
		return d.frame, d.fd.next(d.frame)
	}
	for {
		if d.di != nil {
			if f, err := d.di.pull(); f != nil || err != nil {
				return f, err
			}
		}
		if d.flushed {
			return nil, io.EOF
		}
		err := d.fd.next(d.frame)
		if errors.Is(err, io.EOF) {
			d.flushed = true
			if d.di != nil {
				if err := d.di.push(nil); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if d.di == nil {
			if d.di, err = newDeinterlacer(d.fd.name, d.frame, d.fd.stream.TimeBase(), d.deint.SAR.av()); err != nil {
				return nil, err
			}
		}
		if err := d.di.push(d.frame); err != nil {
			return nil, err
		}
	}
}

// copyPicture copies the planes of f (in the output pixel format) into p.
func (d *Decoder) copyPicture(f *astiav.Frame, p *quality.Picture) error {
	var err error
	if d.buf, err = frameBytes(f, d.buf); err != nil {
		return fmt.Errorf("encode: %s: %w", d.fd.name, err)
	}
	b := d.buf
	for i := range p.Planes {
		dst := p.Planes[i]
		if d.info.BitDepth == 8 {
			for j := range dst {
				dst[j] = uint16(b[j])
			}
			b = b[len(dst):]
			continue
		}
		for j := range dst {
			dst[j] = binary.LittleEndian.Uint16(b[2*j:])
		}
		b = b[2*len(dst):]
	}
	return nil
}

// frameBytes copies the planes of f, packed without padding, into buf
// (grown when too small) and returns them.
func frameBytes(f *astiav.Frame, buf []byte) ([]byte, error) {
	n, err := f.ImageBufferSize(1)
	if err != nil {
		return nil, fmt.Errorf("frame size: %w", err)
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := f.ImageCopyToBuffer(buf, 1); err != nil {
		return nil, fmt.Errorf("copy frame: %w", err)
	}
	return buf, nil
}

// Close releases the decoder, and the Source when OpenFile opened it.
func (d *Decoder) Close() error {
	if d.di != nil {
		d.di.close()
	}
	d.sc.free()
	d.frame.Free()
	d.fd.Close()
	if d.closer != nil {
		return d.closer()
	}
	return nil
}

// frameIndex returns the presentation index of pts in v.PTS, or -1.
func frameIndex(v *VideoInfo, pts int64) int {
	i, found := slices.BinarySearch(v.PTS, pts)
	if !found {
		return -1
	}
	return i
}
