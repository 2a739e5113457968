package quality

import (
	"errors"
	"fmt"
	"math"
)

// ErrTooSmall is wrapped by the error of a feature that cannot be computed
// at the picture's size (libvmaf then records no value for that feature).
var ErrTooSmall = errors.New("picture too small for the feature")

// msssimScales is SCALES (ssim_tools.h), the depth of the MS-SSIM pyramid.
const msssimScales = 5

// msssimLPFLen is LPF_LEN (ms_ssim.c).
const msssimLPFLen = 9

// msssimLPF is g_lpf (ms_ssim.c): the 9x9 low-pass filter (9/7 biorthogonal
// wavelet) applied, as a 2-D kernel, before each 2:1 decimation.
var msssimLPF = [msssimLPFLen * msssimLPFLen]float32{
	0.000714, -0.000450, -0.002090, 0.007132, 0.016114, 0.007132, -0.002090, -0.000450, 0.000714,
	-0.000450, 0.000283, 0.001316, -0.004490, -0.010146, -0.004490, 0.001316, 0.000283, -0.000450,
	-0.002090, 0.001316, 0.006115, -0.020867, -0.047149, -0.020867, 0.006115, 0.001316, -0.002090,
	0.007132, -0.004490, -0.020867, 0.071207, 0.160885, 0.071207, -0.020867, -0.004490, 0.007132,
	0.016114, -0.010146, -0.047149, 0.160885, 0.363505, 0.160885, -0.047149, -0.010146, 0.016114,
	0.007132, -0.004490, -0.020867, 0.071207, 0.160885, 0.071207, -0.020867, -0.004490, 0.007132,
	-0.002090, 0.001316, 0.006115, -0.020867, -0.047149, -0.020867, 0.006115, 0.001316, -0.002090,
	-0.000450, 0.000283, 0.001316, -0.004490, -0.010146, -0.004490, 0.001316, 0.000283, -0.000450,
	0.000714, -0.000450, -0.002090, 0.007132, 0.016114, 0.007132, -0.002090, -0.000450, 0.000714,
}

// Per-scale exponents (g_alphas, g_betas, g_gammas in ms_ssim.c), floats.
var (
	msssimAlphas = [msssimScales]float32{0, 0, 0, 0, 0.1333}
	msssimBetas  = [msssimScales]float32{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}
	msssimGammas = [msssimScales]float32{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}
)

// MSSSIM is libvmaf's "float_ms_ssim" feature extractor (float_ms_ssim.c,
// ms_ssim.c) with its default options: Wang's multi-scale SSIM of the luma
// planes,
//
//	MS-SSIM = Π_{j=0..4} l_j^α_j * c_j^β_j * s_j^γ_j
//
// where l_j, c_j and s_j are the mean luminance, contrast and structure
// terms of the default SSIM (iqaSSIM.run) at scale j, scale j+1 is scale j
// filtered with the 9x9 wavelet low-pass and decimated 2:1 (borders
// reflected), and the exponents are Wang's (α is 0 but at the coarsest
// scale). Samples above 8 bit are divided by 2^(bpc-8) first. It records
// "float_ms_ssim". A picture whose coarsest scale would be smaller than the
// 11x11 window (any side below 176) has no score: Extract then returns an
// error wrapping ErrTooSmall, as libvmaf prints "scale below 1x1".
//
// An MSSSIM holds only scratch buffers: use one per goroutine.
type MSSSIM struct {
	ref, dis [msssimScales][]float32 // the two pyramids
	cols     []int
	core     iqaSSIM
}

// NewMSSSIM returns a float_ms_ssim extractor.
func NewMSSSIM() *MSSSIM {
	return &MSSSIM{}
}

// Extract records float_ms_ssim of frame i.
func (e *MSSSIM) Extract(ref, dis *Picture, i int, out *Scores) error {
	if !ref.SameFormat(dis) {
		return fmt.Errorf("float_ms_ssim: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	v, err := e.compute(ref, dis)
	if err != nil {
		return fmt.Errorf("float_ms_ssim: frame %d: %w", i, err)
	}
	out.Set("float_ms_ssim", i, v)
	return nil
}

// compute mirrors compute_ms_ssim (ms_ssim.c) with default arguments.
func (e *MSSSIM) compute(ref, dis *Picture) (float64, error) {
	if ref.BitDepth < 8 || ref.BitDepth > 16 {
		return 0, fmt.Errorf("unsupported bit depth %d", ref.BitDepth)
	}
	w, h := ref.Width, ref.Height
	// libvmaf's size check halves with truncation, the pyramid with ceiling.
	for j, cw, ch := 0, w, h; j < msssimScales; j, cw, ch = j+1, cw/2, ch/2 {
		if cw < iqaWindow || ch < iqaWindow {
			return 0, fmt.Errorf("%dx%d: scale %d would be %dx%d, below the %dx%d window (libvmaf: scale below 1x1): %w",
				w, h, j, cw, ch, iqaWindow, iqaWindow, ErrTooSmall)
		}
	}
	e.ref[0] = iqaLuma(e.ref[0], ref)
	e.dis[0] = iqaLuma(e.dis[0], dis)
	if cap(e.cols) < msssimLPFLen*(w/2+1) {
		e.cols = make([]int, msssimLPFLen*(w/2+1))
	}
	cw, ch := w, h
	for j := 1; j < msssimScales; j++ {
		sw, sh := cw/2+cw&1, ch/2+ch&1
		e.ref[j] = growFloat32(e.ref[j], sw*sh)
		e.dis[j] = growFloat32(e.dis[j], sw*sh)
		iqaDecimate(e.ref[j], e.ref[j-1], cw, ch, 2, msssimLPF[:], msssimLPFLen, e.cols)
		iqaDecimate(e.dis[j], e.dis[j-1], cw, ch, 2, msssimLPF[:], msssimLPFLen, e.cols)
		cw, ch = sw, sh
	}
	ms := 1.0
	cw, ch = w, h
	for j := 0; j < msssimScales; j++ {
		st := e.core.run(e.ref[j], e.dis[j], cw, ch)
		ms *= math.Pow(float64(st.L), float64(msssimAlphas[j])) *
			math.Pow(float64(st.C), float64(msssimBetas[j])) *
			math.Pow(float64(st.S), float64(msssimGammas[j]))
		if math.IsInf(ms, 1) {
			return 0, fmt.Errorf("%dx%d: MS-SSIM is infinite at scale %d", w, h, j)
		}
		cw, ch = cw/2+cw&1, ch/2+ch&1
	}
	return ms, nil
}
