package encode

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/asticode/go-astiav"
	"rung/quality"
)

// planarYUV matches the names of FFmpeg's planar YUV and gray pixel formats
// that quality.Picture can hold: yuv420p, yuvj444p, yuv422p10le, gray, gray10le.
var planarYUV = regexp.MustCompile(`^(yuvj?(420|422|444)p|gray)(\d+)?(le)?$`)

// pixelLayout is what a planar pixel format means for a quality.Picture.
type pixelLayout struct {
	BitDepth int
	Chroma   quality.ChromaFormat
}

// layoutOf returns the layout of pf, or ok false when pf is not planar YUV
// or gray in native (little-endian) order.
func layoutOf(pf astiav.PixelFormat) (pixelLayout, bool) {
	m := planarYUV.FindStringSubmatch(pf.Name())
	if m == nil {
		return pixelLayout{}, false
	}
	l := pixelLayout{BitDepth: 8, Chroma: quality.Chroma400}
	switch m[2] {
	case "420":
		l.Chroma = quality.Chroma420
	case "422":
		l.Chroma = quality.Chroma422
	case "444":
		l.Chroma = quality.Chroma444
	}
	if m[3] != "" {
		d, _ := strconv.Atoi(m[3])
		if d <= 8 || m[4] == "" {
			return pixelLayout{}, false
		}
		l.BitDepth = d
	}
	return l, true
}

// pixelFormatFor returns FFmpeg's planar pixel format for a bit depth and
// chroma format (yuv420p, yuv420p10le, gray10le, ...).
func pixelFormatFor(bitDepth int, chroma quality.ChromaFormat) (astiav.PixelFormat, error) {
	name := "gray"
	if chroma != quality.Chroma400 {
		name = "yuv" + chroma.String() + "p"
	}
	if bitDepth != 8 {
		name += strconv.Itoa(bitDepth) + "le"
	}
	pf := astiav.FindPixelFormatByName(name)
	if pf == astiav.PixelFormatNone {
		return pf, fmt.Errorf("%w: pixel format %s", ErrUnsupported, name)
	}
	return pf, nil
}
