package encode

// Fields of FFmpeg structs that go-astiav v0.16.0 does not expose.

//#cgo pkg-config: libavutil
//#include <libavutil/frame.h>
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// cFrame is f's AVFrame.
func cFrame(f *astiav.Frame) *C.AVFrame { return (*C.AVFrame)(f.UnsafePointer()) }

// bestEffortTimestamp returns f's best_effort_timestamp: libavcodec's
// guess_correct_pts from the frame's pts and the dts of its packet, the
// timestamp the ffmpeg CLI gives a decoded frame.
func bestEffortTimestamp(f *astiav.Frame) int64 { return int64(cFrame(f).best_effort_timestamp) }

// interlacedFrame reports f's interlaced_frame and top_field_first flags.
func interlacedFrame(f *astiav.Frame) (interlaced, topFirst bool) {
	c := cFrame(f)
	return c.interlaced_frame != 0, c.top_field_first != 0
}

// firstPlane returns f's first plane in place, its height rows of stride
// bytes (nil for a frame without data or with rows stored bottom up). It
// is valid while f holds its buffer.
func firstPlane(f *astiav.Frame) (pix []byte, stride int) {
	c := cFrame(f)
	stride = int(c.linesize[0])
	if c.data[0] == nil || stride <= 0 || c.height <= 0 {
		return nil, 0
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(c.data[0])), stride*int(c.height)), stride
}
