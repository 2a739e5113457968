package encode

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/asticode/go-astiav"
)

// sceneWidth is about the width of the luma the scene detector compares:
// like av-scenechange's fast mode, detection runs on a downscaled picture.
const sceneWidth = 256

// SceneOptions tunes the scene-change detector.
type SceneOptions struct {
	// Threshold is the mean absolute luma difference (8-bit scale) between
	// consecutive downscaled frames above which a cut may be declared;
	// 0 means 12.
	Threshold float64
	// Window is how many previous differences the adaptive test averages;
	// a cut also needs a difference of at least twice that average
	// (motion raises every difference, a cut only one). 0 means 5.
	Window int
}

func (o SceneOptions) withDefaults() SceneOptions {
	if o.Threshold == 0 {
		o.Threshold = 12
	}
	if o.Window == 0 {
		o.Window = 5
	}
	return o
}

// FrameDifferences decodes the source's luma, averages it over square
// blocks to about sceneWidth samples across, and returns for every frame
// i > 0 the mean absolute difference to frame i-1 on the 8-bit scale
// (d[0] is 0).
func FrameDifferences(ctx context.Context, src Source, info *Info) ([]float64, error) {
	v := info.Video
	fd, err := openFrameDecoder(src, info.Name, 0)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	gray := astiav.FindPixelFormatByName("gray")
	sc := newScaler(v.Width, v.Height, gray) // luma only; a plain copy for 8-bit YUV
	defer sc.free()
	frame := astiav.AllocFrame()
	defer frame.Free()
	block := max(1, (v.Width+sceneWidth-1)/sceneWidth)
	var buf []byte
	var cur, prev []int32
	diffs := make([]float64, 0, v.Frames)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := fd.next(frame)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		f, err := sc.convert(frame)
		if err != nil {
			return nil, fmt.Errorf("encode: %s: %w", info.Name, err)
		}
		n, err := f.ImageBufferSize(1)
		if err != nil {
			return nil, fmt.Errorf("encode: %s: frame size: %w", info.Name, err)
		}
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		if _, err := f.ImageCopyToBuffer(buf[:n], 1); err != nil {
			return nil, fmt.Errorf("encode: %s: copy frame: %w", info.Name, err)
		}
		cur = blockSums(cur, buf[:n], f.Width(), f.Height(), block)
		if prev == nil {
			diffs = append(diffs, 0)
		} else {
			diffs = append(diffs, meanAbsDiff(cur, prev)/float64(block*block))
		}
		cur, prev = prev, cur
	}
	return diffs, nil
}

// blockSums sums a w x h 8-bit plane over block x block squares (partial
// blocks at the right and bottom edges are dropped) into dst.
func blockSums(dst []int32, plane []byte, w, h, block int) []int32 {
	bw, bh := w/block, h/block
	dst = append(dst[:0], make([]int32, bw*bh)...)
	for y := 0; y < bh*block; y++ {
		row := plane[y*w : y*w+bw*block]
		out := dst[(y/block)*bw : (y/block+1)*bw]
		for x, s := range row {
			out[x/block] += int32(s)
		}
	}
	return dst
}

// meanAbsDiff returns the mean absolute difference of two block-sum arrays.
func meanAbsDiff(a, b []int32) float64 {
	var sum int64
	for i, x := range a {
		d := int64(x) - int64(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

// SceneCuts returns the frames that begin a new scene: i such that
// diffs[i] >= Threshold and diffs[i] >= 2x the mean of the Window
// differences before it.
func SceneCuts(diffs []float64, opts SceneOptions) []int {
	opts = opts.withDefaults()
	var cuts []int
	for i := 1; i < len(diffs); i++ {
		if diffs[i] < opts.Threshold {
			continue
		}
		lo := max(1, i-opts.Window)
		var sum float64
		for _, d := range diffs[lo:i] {
			sum += d
		}
		if n := i - lo; n > 0 && diffs[i] < 2*sum/float64(n) {
			continue
		}
		cuts = append(cuts, i)
	}
	return cuts
}
