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
	name      string
	graph     *astiav.FilterGraph
	src, sink *astiav.FilterContext
	out       *astiav.Frame   // the frame pull returns, owned here
	tb        astiav.Rational // of the frames pushed and pulled
}

// newDeinterlacer builds buffer -> bwdif -> buffersink for frames like f
// (size, pixel format) in time base tb.
func newDeinterlacer(name string, f *astiav.Frame, tb, sar astiav.Rational) (*deinterlacer, error) {
	d := &deinterlacer{name: name, graph: astiav.AllocFilterGraph(), tb: tb}
	ok := false
	defer func() {
		if !ok {
			d.close()
		}
	}()
	if sar.Num() <= 0 || sar.Den() <= 0 {
		sar = astiav.NewRational(1, 1)
	}
	args := astiav.FilterArgs{
		"video_size":   strconv.Itoa(f.Width()) + "x" + strconv.Itoa(f.Height()),
		"pix_fmt":      strconv.Itoa(int(f.PixelFormat())),
		"time_base":    tb.String(),
		"pixel_aspect": sar.String(),
	}
	var err error
	if d.src, err = d.graph.NewFilterContext(astiav.FindFilterByName("buffer"), "in", args); err != nil {
		return nil, fmt.Errorf("encode: %s: deinterlace source: %w", name, err)
	}
	if d.sink, err = d.graph.NewFilterContext(astiav.FindFilterByName("buffersink"), "out", nil); err != nil {
		return nil, fmt.Errorf("encode: %s: deinterlace sink: %w", name, err)
	}
	outputs, inputs := astiav.AllocFilterInOut(), astiav.AllocFilterInOut()
	defer outputs.Free()
	defer inputs.Free()
	outputs.SetName("in")
	outputs.SetFilterContext(d.src)
	outputs.SetPadIdx(0)
	inputs.SetName("out")
	inputs.SetFilterContext(d.sink)
	inputs.SetPadIdx(0)
	if err := d.graph.Parse(deinterlaceFilter, inputs, outputs); err != nil {
		return nil, fmt.Errorf("encode: %s: filter %q: %w", name, deinterlaceFilter, err)
	}
	if err := d.graph.Configure(); err != nil {
		return nil, fmt.Errorf("encode: %s: filter %q: %w", name, deinterlaceFilter, err)
	}
	d.out = astiav.AllocFrame()
	ok = true
	return d, nil
}

// push sends f (nil at the end flushes) into the filter; f is not kept.
func (d *deinterlacer) push(f *astiav.Frame) error {
	flags := astiav.NewBuffersrcFlags(astiav.BuffersrcFlagKeepRef)
	if f == nil {
		flags = astiav.NewBuffersrcFlags()
	}
	if err := d.src.BuffersrcAddFrame(f, flags); err != nil {
		return fmt.Errorf("encode: %s: deinterlace: %w", d.name, err)
	}
	return nil
}

// pull returns the next deinterlaced frame (valid until the next call),
// or nil when the filter needs more input or is done.
func (d *deinterlacer) pull() (*astiav.Frame, error) {
	d.out.Unref()
	err := d.sink.BuffersinkGetFrame(d.out, astiav.NewBuffersinkFlags())
	if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("encode: %s: deinterlace: %w", d.name, err)
	}
	// bwdif doubles the time base (for its field-rate mode): back to the
	// source's.
	if pts := d.out.Pts(); pts != astiav.NoPtsValue {
		d.out.SetPts(astiav.RescaleQ(pts, d.sink.Inputs()[0].TimeBase(), d.tb))
	}
	return d.out, nil
}

func (d *deinterlacer) close() {
	if d.out != nil {
		d.out.Free()
	}
	if d.graph != nil {
		d.graph.Free()
	}
}
