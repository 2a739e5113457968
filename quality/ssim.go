package quality

import "fmt"

// SSIM is libvmaf's "float_ssim" feature extractor (float_ssim.c, ssim.c,
// iqa/ssim_tools.c) with its default options: the mean structural
// similarity of the luma planes,
//
//	SSIM = mean over windows of l * c * s   (see iqaSSIM.run)
//
// with an 11x11 Gaussian window (sigma 1.5) over "valid" positions only,
// K1 = 0.01, K2 = 0.03 and L = 255 (samples above 8 bit are first divided
// by 2^(bpc-8)). Like libvmaf, it first downscales both pictures by
// scale = max(1, round(min(w, h) / 256)) with a scale x scale box filter
// taken at every scale-th sample (2 at 432 lines, 3 at 720, 4 at 1080), so
// the score is on a picture about 256 lines high. It records "float_ssim",
// rounded to float as libvmaf's is.
//
// An SSIM holds only scratch buffers: use one per goroutine.
type SSIM struct {
	ref, dis   []float32 // luma as floats
	sref, sdis []float32 // downscaled luma
	box        []float32 // scale x scale box filter of the downscaling
	cols       []int
	core       iqaSSIM
}

// NewSSIM returns a float_ssim extractor.
func NewSSIM() *SSIM {
	return &SSIM{}
}

// Extract records float_ssim of frame i.
func (e *SSIM) Extract(ref, dis *Picture, i int, out *Scores) error {
	if !ref.SameFormat(dis) {
		return fmt.Errorf("float_ssim: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	st, err := e.compute(ref, dis)
	if err != nil {
		return fmt.Errorf("float_ssim: frame %d: %w", i, err)
	}
	out.Set("float_ssim", i, float64(st.SSIM))
	return nil
}

// compute mirrors compute_ssim (ssim.c) with scale_override 0.
func (e *SSIM) compute(ref, dis *Picture) (iqaStats, error) {
	if ref.BitDepth < 8 || ref.BitDepth > 16 {
		return iqaStats{}, fmt.Errorf("unsupported bit depth %d", ref.BitDepth)
	}
	w, h := ref.Width, ref.Height
	scale := ssimScale(w, h)
	e.ref = iqaLuma(e.ref, ref)
	e.dis = iqaLuma(e.dis, dis)
	r, d := e.ref, e.dis
	if scale > 1 {
		if len(e.box) != scale*scale {
			e.box = make([]float32, scale*scale)
			for j := range e.box {
				e.box[j] = 1 / float32(scale*scale) // 1.0f/(scale*scale), in float
			}
		}
		k := e.box
		sw, sh := w/scale+w&1, h/scale+h&1
		e.sref = growFloat32(e.sref, sw*sh)
		e.sdis = growFloat32(e.sdis, sw*sh)
		if cap(e.cols) < scale*sw {
			e.cols = make([]int, scale*sw)
		}
		iqaDecimate(e.sref, r, w, h, scale, k, scale, e.cols)
		iqaDecimate(e.sdis, d, w, h, scale, k, scale, e.cols)
		r, d, w, h = e.sref, e.sdis, sw, sh
	}
	if w < iqaWindow || h < iqaWindow {
		return iqaStats{}, fmt.Errorf("picture %dx%d is smaller than the %dx%d SSIM window", ref.Width, ref.Height, iqaWindow, iqaWindow)
	}
	return e.core.run(r, d, w, h), nil
}

// ssimScale is compute_ssim's automatic scale: max(1, _round(min(w,h)/256))
// in float, where _round (iqa/math_utils.c) rounds halves away from zero.
func ssimScale(w, h int) int {
	a := float32(min(w, h)) / 256
	n := int(a)
	if float64(a-float32(n)) >= 0.5 {
		n++
	}
	return max(1, n)
}

// growFloat32 returns buf resliced to n, reallocated when too small.
func growFloat32(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}
