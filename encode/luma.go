package encode

import "github.com/asticode/go-astiav"

// lumaSampler turns decoded frames into the scene detector's luma block
// sums, for lumaSums and the streaming encode alike: the sums of swscale's
// gray picture of the frame (full-range 8-bit; limited-range Y is
// expanded).
//
// For sources with 8-bit luma in their first plane it learns swscale's
// gray value of each Y value from the frames swscale converts, and sums
// the frame's own luma through that table instead, which gives the same
// sums for a fraction of the work. A frame holding a Y value not yet
// seen goes through swscale (and teaches its values); should two pixels
// of equal Y ever come out different, the table is dropped for good.
type lumaSampler struct {
	sc    *scaler
	block int
	buf   []byte

	direct bool               // the table may be used
	format astiav.PixelFormat // of the last frame
	planar bool               // format has 8-bit luma in its first plane (directLuma)
	lut    [256]int64         // gray value of each Y value; lumaUnknown where not seen
	y      []byte             // the frame's luma plane, in place
	stride int                // of y
	col    []int64            // per column, the sum over the rows of a block
}

// lumaUnknown marks a Y value not seen yet: one in a block makes its sum
// negative, as 255 per sample of any block cannot make up for it.
const lumaUnknown = -1 << 40

// directLuma lists the pixel formats whose first plane is 8-bit luma,
// one byte per sample.
var directLuma = map[string]bool{
	"yuv420p": true, "yuvj420p": true, "yuv422p": true, "yuvj422p": true, "yuv444p": true, "yuvj444p": true,
	"yuv440p": true, "yuvj440p": true, "yuv411p": true, "yuvj411p": true, "yuv410p": true,
	"yuva420p": true, "yuva422p": true, "yuva444p": true, "nv12": true, "nv21": true, "nv16": true, "nv24": true,
}

func newLumaSampler(v *VideoInfo) *lumaSampler {
	l := &lumaSampler{sc: newScaler(v.Width, v.Height, astiav.FindPixelFormatByName("gray")), block: sceneBlock(v), direct: true, format: astiav.PixelFormatNone}
	for i := range l.lut {
		l.lut[i] = lumaUnknown
	}
	return l
}

// sums returns the block sums of frame's luma (a new slice).
func (l *lumaSampler) sums(frame *astiav.Frame) ([]int32, error) {
	if pf := frame.PixelFormat(); pf != l.format {
		l.format, l.planar = pf, directLuma[pf.Name()]
	}
	direct := l.direct && l.planar
	if direct {
		l.y, l.stride = firstPlane(frame)
		direct = l.y != nil && l.stride >= frame.Width()
	}
	if direct {
		if s, ok := l.tableSums(frame.Width(), frame.Height()); ok {
			return s, nil
		}
	}
	f, err := l.sc.convert(frame)
	if err != nil {
		return nil, err
	}
	if l.buf, err = frameBytes(f, l.buf); err != nil {
		return nil, err
	}
	if direct && f.Width() == frame.Width() && f.Height() == frame.Height() {
		l.learn(f.Width(), f.Height())
	}
	return blockSums(nil, l.buf, f.Width(), f.Height(), l.block), nil
}

// tableSums is blockSums of the gray picture, from l.y through the
// table; false when a block holds a Y value the table lacks. Each block
// row is summed per column first, then across each block's columns.
func (l *lumaSampler) tableSums(w, h int) ([]int32, bool) {
	block := l.block
	bw, bh := w/block, h/block
	n := bw * block
	if len(l.col) < n {
		l.col = make([]int64, n)
	}
	col, lut := l.col[:n], &l.lut
	out := make([]int32, bw*bh)
	for by := range bh {
		clear(col)
		for y := by * block; y < (by+1)*block; y++ {
			row := l.y[y*l.stride : y*l.stride+n]
			col := col[:len(row)]
			for x, p := range row {
				col[x] += lut[p]
			}
		}
		for bx := range bw {
			var s int64
			for _, c := range col[bx*block : (bx+1)*block] {
				s += c
			}
			if s < 0 {
				return nil, false
			}
			out[by*bw+bx] = int32(s)
		}
	}
	return out, true
}

// learn records the gray value swscale gave each Y value of l.y (in
// l.buf, w x h), and drops the table if a Y value maps to two.
func (l *lumaSampler) learn(w, h int) {
	for y := range h {
		row, gray := l.y[y*l.stride:y*l.stride+w], l.buf[y*w:(y+1)*w]
		for x, p := range row {
			g := int64(gray[x])
			switch l.lut[p] {
			case g:
			case lumaUnknown:
				l.lut[p] = g
			default:
				l.direct = false
				return
			}
		}
	}
}

func (l *lumaSampler) free() { l.sc.free() }
