package encode

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asticode/go-astiav"
)

// encoder is an opened video encoder for one chunk.
type encoder struct {
	cc  *astiav.CodecContext
	pkt *astiav.Packet
}

// newEncoder opens the encoder of s for the source described by info: the
// output size (Height, width by aspect ratio), 4:2:0 at the settings' bit
// depth, a time base of one frame, the source's colour description, and
// global headers so that chunks concatenate into MP4.
func newEncoder(info *Info, s Settings) (*encoder, error) {
	v := info.Video
	codec := astiav.FindEncoderByName(codecs[s.Codec].encoder)
	if codec == nil {
		return nil, fmt.Errorf("encode: %w %q", ErrUnknownCodec, s.Codec)
	}
	pf, err := pixelFormatFor(s.bitDepth(), 0)
	if err != nil {
		return nil, fmt.Errorf("encode: %s: %w", s.Codec, err)
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, fmt.Errorf("encode: cannot allocate a %s encoder", codec.Name())
	}
	w, h := encodeSize(v, s)
	cc.SetWidth(w)
	cc.SetHeight(h)
	cc.SetPixelFormat(pf)
	tb := encoderTimeBase(v)
	cc.SetFramerate(astiav.NewRational(tb.Den, tb.Num))
	cc.SetTimeBase(tb.av())
	sar := v.SAR // an anamorphic source stays anamorphic: same display aspect
	if sar.Num <= 0 || sar.Den <= 0 {
		sar = Rational{1, 1}
	}
	cc.SetSampleAspectRatio(sar.av())
	if s.Keyint > 0 {
		cc.SetGopSize(s.Keyint)
	}
	cc.SetThreadCount(s.Threads)
	cc.SetFlags(cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	opts, err := s.options()
	if err != nil {
		cc.Free()
		return nil, err
	}
	defer opts.Free()
	setColor(opts, v)
	if err := cc.Open(codec, opts); err != nil {
		cc.Free()
		return nil, fmt.Errorf("encode: open %s encoder (%dx%d %s): %w", codec.Name(), w, h, pf.Name(), err)
	}
	return &encoder{cc: cc, pkt: astiav.AllocPacket()}, nil
}

// encodeSize is the picture size of an encode: the settings' height
// (width by the source's aspect ratio) or the source's size, rounded down
// to even numbers, which 4:2:0 encoders need (a 1279x719 source is encoded
// at 1278x718, as scale=trunc(iw/2)*2:trunc(ih/2)*2 would).
func encodeSize(v *VideoInfo, s Settings) (int, int) {
	w, h := outputSize(v.Width, v.Height, 0, s.Height) // Height 0 keeps the source's size
	return max(2, w&^1), max(2, h&^1)
}

// encoderTimeBase is the time base of a chunk's encoder: one frame at the
// source's average rate (or its time base when the rate is unknown). A
// chunk's frame k has pts k in it.
func encoderTimeBase(v *VideoInfo) Rational {
	if v.FrameRate.Num <= 0 || v.FrameRate.Den <= 0 {
		return v.TimeBase
	}
	return Rational{v.FrameRate.Den, v.FrameRate.Num}
}

// setColor passes the source's colour description (when known) to the
// encoder through its AVCodecContext options.
func setColor(opts *astiav.Dictionary, v *VideoInfo) {
	rng := v.ColorRange
	if strings.HasPrefix(v.PixelFormat, "yuvj") {
		// swscale turns full-range JPEG YUV (MJPEG) into limited-range
		// yuv420p for the encoder: the output is limited range.
		rng = "tv"
	}
	for k, val := range map[string]string{
		"color_range": rng, "color_primaries": v.ColorPrimaries,
		"color_trc": v.ColorTransfer, "colorspace": v.ColorMatrix,
	} {
		if val != "unknown" && val != "" && val[0] != 'u' {
			opts.Set(k, val, 0)
		}
	}
}

// send encodes f (nil flushes the encoder) and hands every packet the
// encoder returns to write.
func (e *encoder) send(f *astiav.Frame, write func(*astiav.Packet) error) error {
	if err := e.cc.SendFrame(f); err != nil {
		return fmt.Errorf("encode: encoder: send frame: %w", err)
	}
	for {
		err := e.cc.ReceivePacket(e.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("encode: encoder: %w", err)
		}
		err = write(e.pkt)
		e.pkt.Unref()
		if err != nil {
			return err
		}
	}
}

func (e *encoder) close() {
	e.pkt.Free()
	e.cc.Free()
}
