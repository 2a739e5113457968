package encode

import (
	"fmt"

	"github.com/asticode/go-astiav"
)

// swscale flags absent from go-astiav v0.16.0 (libswscale/swscale.h).
const (
	swsAccurateRnd = astiav.SoftwareScaleContextFlag(0x40000) // SWS_ACCURATE_RND
	swsBitexact    = astiav.SoftwareScaleContextFlag(0x80000) // SWS_BITEXACT
)

// resizeFlags are the swscale flags of a size change: bicubic with
// accurate rounding and bit-exact output, as
// `-vf scale=W:H:flags=bicubic+accurate_rnd+bitexact` in the ffmpeg CLI
// (the upscaling Netflix's and our reference data use).
var resizeFlags = astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBicubic, swsAccurateRnd, swsBitexact)

// convertFlags are the flags of a pixel-format-only conversion: plain
// bicubic, what the ffmpeg CLI uses for the scaler it inserts for -pix_fmt.
var convertFlags = astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBicubic)

// scaler converts decoded frames to one size and pixel format with swscale.
// It is created on the first frame and rebuilt if the input format changes.
type scaler struct {
	dstW, dstH int
	dstFmt     astiav.PixelFormat
	srcW, srcH int
	srcFmt     astiav.PixelFormat
	ctx        *astiav.SoftwareScaleContext
	dst        *astiav.Frame
}

func newScaler(w, h int, pf astiav.PixelFormat) *scaler {
	return &scaler{dstW: w, dstH: h, dstFmt: pf}
}

// convert returns src itself when it already has the target format, or
// the converted frame, owned by the scaler and valid until the next call.
// The next call writes into the same picture buffer, so that decoding
// allocates none per frame; a caller that hands the frame to an owner
// that may keep a reference (an encoder) unrefs it afterwards, and the
// next call then allocates a new buffer.
func (s *scaler) convert(src *astiav.Frame) (*astiav.Frame, error) {
	if src.Width() == s.dstW && src.Height() == s.dstH && src.PixelFormat() == s.dstFmt {
		return src, nil
	}
	if s.ctx == nil || src.Width() != s.srcW || src.Height() != s.srcH || src.PixelFormat() != s.srcFmt {
		s.free()
		flags := convertFlags
		if src.Width() != s.dstW || src.Height() != s.dstH {
			flags = resizeFlags
		}
		ctx, err := astiav.CreateSoftwareScaleContext(src.Width(), src.Height(), src.PixelFormat(), s.dstW, s.dstH, s.dstFmt, flags)
		if err != nil {
			return nil, fmt.Errorf("swscale %dx%d %s to %dx%d %s: %w", src.Width(), src.Height(), src.PixelFormat().Name(), s.dstW, s.dstH, s.dstFmt.Name(), err)
		}
		s.ctx, s.srcW, s.srcH, s.srcFmt = ctx, src.Width(), src.Height(), src.PixelFormat()
		s.dst = astiav.AllocFrame()
	}
	s.dst.SetWidth(s.dstW)
	s.dst.SetHeight(s.dstH)
	s.dst.SetPixelFormat(s.dstFmt)
	if err := s.ctx.ScaleFrame(src, s.dst); err != nil {
		return nil, fmt.Errorf("swscale: %w", err)
	}
	s.dst.SetPts(src.Pts())
	return s.dst, nil
}

// free releases the swscale context and the output frame.
func (s *scaler) free() {
	if s.ctx != nil {
		s.ctx.Free()
		s.ctx = nil
	}
	if s.dst != nil {
		s.dst.Free()
		s.dst = nil
	}
}
