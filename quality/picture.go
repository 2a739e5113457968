// Package quality computes perceptual video-quality metrics in pure Go: the
// picture type and its readers (y4m, raw yuv), libvmaf's integer features
// (VIF, ADM, motion), libvmaf's JSON models and SVR prediction, pooling, a
// streaming parallel scorer and libvmaf-compatible writers.
package quality

import "fmt"

// ChromaFormat is the chroma subsampling of a planar picture.
type ChromaFormat int

// Chroma formats, named after their y4m C tags.
const (
	Chroma420 ChromaFormat = iota
	Chroma422
	Chroma444
	Chroma400 // luma only (y4m "Cmono")
)

// String returns the y4m-style name of the format ("420", "422", "444", "mono").
func (c ChromaFormat) String() string {
	switch c {
	case Chroma420:
		return "420"
	case Chroma422:
		return "422"
	case Chroma444:
		return "444"
	case Chroma400:
		return "mono"
	}
	return fmt.Sprintf("ChromaFormat(%d)", int(c))
}

// Shifts returns the horizontal and vertical chroma subsampling shifts.
func (c ChromaFormat) Shifts() (sx, sy int) {
	switch c {
	case Chroma420:
		return 1, 1
	case Chroma422:
		return 1, 0
	}
	return 0, 0
}

// Picture is one planar YUV frame. Samples of every bit depth are stored as
// uint16, one per element, row after row with no padding: plane p has
// PlaneWidth(p)*PlaneHeight(p) samples. A Chroma400 picture has empty chroma
// planes.
type Picture struct {
	Width, Height int          // luma size in samples
	BitDepth      int          // bits per sample, 8..16
	Chroma        ChromaFormat // subsampling of Planes[1] and Planes[2]
	Planes        [3][]uint16  // Y, Cb, Cr
}

// NewPicture allocates a picture with zeroed planes.
func NewPicture(width, height, bitDepth int, chroma ChromaFormat) *Picture {
	p := &Picture{Width: width, Height: height, BitDepth: bitDepth, Chroma: chroma}
	for i := range p.Planes {
		p.Planes[i] = make([]uint16, p.PlaneWidth(i)*p.PlaneHeight(i))
	}
	return p
}

// PlaneWidth returns the width in samples of plane i (0 = Y).
func (p *Picture) PlaneWidth(i int) int {
	if i == 0 {
		return p.Width
	}
	if p.Chroma == Chroma400 {
		return 0
	}
	sx, _ := p.Chroma.Shifts()
	return (p.Width + (1<<sx - 1)) >> sx
}

// PlaneHeight returns the height in samples of plane i (0 = Y).
func (p *Picture) PlaneHeight(i int) int {
	if i == 0 {
		return p.Height
	}
	if p.Chroma == Chroma400 {
		return 0
	}
	_, sy := p.Chroma.Shifts()
	return (p.Height + (1<<sy - 1)) >> sy
}

// SameFormat reports whether q has p's size, bit depth and chroma format.
func (p *Picture) SameFormat(q *Picture) bool {
	return p.Width == q.Width && p.Height == q.Height && p.BitDepth == q.BitDepth && p.Chroma == q.Chroma
}

// mirrorIndex reflects row or column index i of a length-n axis into
// [0, n) about the edge samples without repeating them (-1 → 1, n → n-2):
// -i for i < 0, 2(n-1)-i for i >= n. It is how libvmaf's integer motion
// (mirror), integer VIF (pad_top_and_bottom, PADDING_SQ_DATA) and float
// convolutions (convolution_edge_s) extend a picture; one reflection, so
// |overhang| must stay below n.
func mirrorIndex(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// Format describes the picture as "WxH 420 8-bit".
func (p *Picture) Format() string {
	return fmt.Sprintf("%dx%d %s %d-bit", p.Width, p.Height, p.Chroma, p.BitDepth)
}
