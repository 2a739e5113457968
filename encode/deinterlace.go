package encode

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asticode/go-astiav"
)

// deinterlaceFilter is the filter an interlaced source goes through before
// encoding: bwdif, one frame out per frame in (send_frame), the field
// order from each frame, every frame deinterlaced, as
// `-vf bwdif=mode=send_frame:parity=auto:deint=all` in the ffmpeg CLI.
const deinterlaceFilter = "bwdif=mode=send_frame:parity=auto:deint=all"

// deinterlacer runs decoded frames through deinterlaceFilter. bwdif looks
// at the frames before and after the one it outputs, so each output comes
// one frame after its input, and the last at flush. Timestamps pass
// through unchanged.
type deinterlacer struct {
	name  string
	graph *filterGraph
	out   *astiav.Frame   // the frame pull returns, owned here
	tb    astiav.Rational // of the frames pushed and pulled
}

// newDeinterlacer builds buffer -> bwdif -> buffersink for frames like f
// (size, pixel format) in time base tb.
func newDeinterlacer(name string, f *astiav.Frame, tb, sar astiav.Rational) (*deinterlacer, error) {
	if sar.Num() <= 0 || sar.Den() <= 0 {
		sar = astiav.NewRational(1, 1)
	}
	args := astiav.FilterArgs{
		"video_size":   strconv.Itoa(f.Width()) + "x" + strconv.Itoa(f.Height()),
		"pix_fmt":      strconv.Itoa(int(f.PixelFormat())),
		"time_base":    tb.String(),
		"pixel_aspect": sar.String(),
	}
	g, err := newFilterGraph("buffer", args, "buffersink", deinterlaceFilter)
	if err != nil {
		return nil, fmt.Errorf("encode: %s: deinterlace %q: %w", name, deinterlaceFilter, err)
	}
	return &deinterlacer{name: name, graph: g, out: astiav.AllocFrame(), tb: tb}, nil
}

// push sends f (nil at the end flushes) into the filter; f is not kept.
func (d *deinterlacer) push(f *astiav.Frame) error {
	if err := d.graph.push(f, true); err != nil {
		return fmt.Errorf("encode: %s: deinterlace: %w", d.name, err)
	}
	return nil
}

// pull returns the next deinterlaced frame (valid until the next call),
// or nil when the filter needs more input or is done.
func (d *deinterlacer) pull() (*astiav.Frame, error) {
	d.out.Unref()
	err := d.graph.pull(d.out)
	if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("encode: %s: deinterlace: %w", d.name, err)
	}
	// bwdif doubles the time base (for its field-rate mode): back to the
	// source's.
	if pts := d.out.Pts(); pts != astiav.NoPtsValue {
		d.out.SetPts(astiav.RescaleQ(pts, d.graph.sinkTimeBase(), d.tb))
	}
	return d.out, nil
}

func (d *deinterlacer) close() {
	if d.out != nil {
		d.out.Free()
	}
	d.graph.close()
}
