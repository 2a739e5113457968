package quality

import (
	"fmt"
	"math"
)

// PSNROptions are the options of libvmaf's psnr extractor. The zero value is
// libvmaf's default: all three planes, no MSE output, peak (1<<bpc)-1 and a
// clamp of 6*bpc+12 dB.
type PSNROptions struct {
	LumaOnly       bool    // psnr_y only (libvmaf enable_chroma=false); implied for 4:0:0
	MSE            bool    // also record mse_y, mse_cb, mse_cr (enable_mse)
	ReducedHBDPeak bool    // peak 255<<(bpc-8) instead of (1<<bpc)-1 (reduced_hbd_peak)
	MinSSE         float64 // when > 0, clamp at ceil(10*log10(peak²*n/MinSSE)) instead (min_sse)
}

// PSNR is libvmaf's "psnr" feature extractor (libvmaf/src/feature/integer_psnr.c):
// per plane p,
//
//	mse_p  = Σ (ref - dis)² / (w_p * h_p)
//	psnr_p = min(10 * log10(peak² / max(mse_p, 1e-16)), psnr_max)
//
// with integer sums, peak = 255 for 8-bit input and (1<<bpc)-1 above (see
// PSNROptions), and psnr_max = 6*bpc+12 dB (60 dB at 8 bit, 72 dB at 10 bit)
// unless MinSSE is set. It records psnr_y, psnr_cb and psnr_cr. A PSNR keeps
// no state between frames; use one per goroutine all the same.
type PSNR struct {
	opt PSNROptions
}

var psnrNames = [3]string{"psnr_y", "psnr_cb", "psnr_cr"}
var psnrMSENames = [3]string{"mse_y", "mse_cb", "mse_cr"}

// NewPSNR returns a PSNR extractor with the given options.
func NewPSNR(opt PSNROptions) *PSNR {
	return &PSNR{opt: opt}
}

// Extract records psnr_y, psnr_cb and psnr_cr (and mse_* when asked) of
// frame i. ref and dis must have the same format, 8 to 16 bit.
func (e *PSNR) Extract(ref, dis *Picture, i int, out *Scores) error {
	if !ref.SameFormat(dis) {
		return fmt.Errorf("psnr: frame %d: reference %s, distorted %s: %w", i, ref.Format(), dis.Format(), ErrMismatch)
	}
	bpc := ref.BitDepth
	if bpc < 8 || bpc > 16 {
		return fmt.Errorf("psnr: frame %d: unsupported bit depth %d", i, bpc)
	}
	planes := 3
	if e.opt.LumaOnly || ref.Chroma == Chroma400 {
		planes = 1
	}
	peak := e.peak(bpc)
	for p := 0; p < planes; p++ {
		w, h := ref.PlaneWidth(p), ref.PlaneHeight(p)
		n := float64(w * h)
		mse := float64(psnrSSE(ref.Planes[p][:w*h], dis.Planes[p][:w*h])) / n
		v := math.Min(10*math.Log10(peak*peak/math.Max(mse, 1e-16)), e.maxDB(p, bpc, peak, ref))
		out.Set(psnrNames[p], i, v)
		if e.opt.MSE {
			out.Set(psnrMSENames[p], i, mse)
		}
	}
	return nil
}

// peak is libvmaf's s->peak: (1<<bpc)-1, or 255<<(bpc-8) with
// ReducedHBDPeak; both are 255 at 8 bit, the value integer_psnr.c's 8-bit
// path hard-codes.
func (e *PSNR) peak(bpc int) float64 {
	if e.opt.ReducedHBDPeak {
		return float64(int(255) << (bpc - 8))
	}
	return float64(int(1)<<bpc - 1)
}

// maxDB is libvmaf's psnr_max[p] (integer_psnr.c init): 6*bpc+12, or with
// min_sse the ceiling of the PSNR of that SSE spread over the plane, where
// the plane size is w/2 or h/2 (rounded down) for subsampled chroma.
func (e *PSNR) maxDB(p, bpc int, peak float64, pic *Picture) float64 {
	if e.opt.MinSSE == 0 {
		return float64(6*bpc + 12)
	}
	w, h := pic.Width, pic.Height
	if p > 0 {
		if pic.Chroma != Chroma444 {
			w /= 2
		}
		if pic.Chroma == Chroma420 {
			h /= 2
		}
	}
	mse := e.opt.MinSSE / float64(w*h)
	return math.Ceil(10 * math.Log10(peak*peak/mse))
}

// psnrSSE returns Σ (a-b)², exact in 64 bits for any picture up to 2^32
// samples of 16 bits.
func psnrSSE(a, b []uint16) uint64 {
	b = b[:len(a)]
	var sse uint64
	for j, x := range a {
		d := int64(x) - int64(b[j])
		sse += uint64(d * d)
	}
	return sse
}
