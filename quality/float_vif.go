package quality

import (
	"fmt"
	"math"
)

// FloatVIF is libvmaf's "float_vif" feature extractor (float_vif.c, vif.c,
// vif_tools.c) with its default options (vif_enhn_gain_limit 100,
// kernelscale 1, sigma_nsq 2, no prescale): visual information fidelity of
// the luma planes at four scales, in single precision. Samples are offset
// by -128 (and first divided by 2^(bpc-8) above 8 bit). At scale s the
// picture is filtered with a Gaussian of 17, 9, 5 or 3 taps (sigma = taps/5,
// edges mirrored); scales 1..3 are the previous scale filtered with their
// own kernel and decimated 2:1. Per sample, with μ, σ² and σ_rd the filtered
// statistics and σ_nsq = 2:
//
//	g    = σ_rd / (σr² + 1e-10),  σv² = σd² - g σ_rd   (with libvmaf's clamps)
//	num  = log2(1 + g² σr² / (σv² + σ_nsq)),  den = log2(1 + σr² / σ_nsq)
//	     (num = 1 - σd²·4/255², den = 1 where σr² < σ_nsq)
//
// with libvmaf's polynomial log2 (VIF_OPT_FAST_LOG2), summed in float row by
// row. It records vif_scale0..vif_scale3 = num_s/den_s, the names libvmaf's
// JSON gives VMAF_feature_vif_scale0_score.. (alias.c), as the model
// vmaf_float_v0.6.1 uses them.
//
// A FloatVIF holds only scratch buffers: use one per goroutine.
type FloatVIF struct {
	ref, dis    []float32    // luma, offset by -128
	refS, disS  []float32    // the current scale (decimated)
	mu1, mu2    []float32    // filtered samples
	rr, dd, rd  []float32    // filtered squares and products
	tmp         []float32    // vertical pass of the filter
	filters     [4][]float32 // Gaussian of each scale
	gainLimit   float32      // vif_enhn_gain_limit
	sigmaNsq    float64      // vif_sigma_nsq
	sigmaMaxInv float32      // sigma_nsq² / 255²
	scaleNames  [4]string
	numDen      [8]float64 // num and den of each scale, as libvmaf's scores[]
}

// NewFloatVIF returns a float_vif extractor.
func NewFloatVIF() *FloatVIF {
	v := &FloatVIF{gainLimit: 100, sigmaNsq: 2}
	// sigma_max_inv = powf(vif_sigma_nsq, 2.0f) / (255.0*255.0), in float.
	v.sigmaMaxInv = float32(float64(float32(v.sigmaNsq*v.sigmaNsq)) / (255.0 * 255.0))
	for s := range v.filters {
		v.filters[s] = fvifFilter(s)
		v.scaleNames[s] = fmt.Sprintf("vif_scale%d", s)
	}
	return v
}

// fvifFilter mirrors vif_get_filter with kernelscale 1: a normalized
// Gaussian of (1<<(4-scale))+1 taps, sigma taps/5, computed in float.
func fvifFilter(scale int) []float32 {
	n := 1<<(4-scale) + 1 // already odd and >= 3
	stdev := float32(n) / 5
	out := make([]float32, n)
	var sum float32
	k := (n - 1) / 2
	for i := range out {
		x := float32(i - k)
		// get_gaussian_pdf: exp(-0.5*(x-mean)/stdev*(x-mean)/stdev) in
		// double, 1/(stdev*sqrt(2π)) in double, each rounded to float.
		num := float32(math.Exp(-0.5 * float64(x) / float64(stdev) * float64(x) / float64(stdev)))
		den := float32(1 / (float64(stdev) * math.Sqrt(2*math.Pi)))
		out[i] = num / den
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// Extract records vif_scale0..3 of frame i.
func (v *FloatVIF) Extract(ref, dis *Picture, i int, out *Scores) error {
	// The 17-tap mirror needs 9 samples at scale 0, the 3-tap one 2 at scale 3.
	if err := floatCheck("float_vif", ref, dis, i, 16); err != nil {
		return err
	}
	v.compute(ref, dis)
	for s := 0; s < 4; s++ {
		out.Set(v.scaleNames[s], i, v.numDen[2*s]/v.numDen[2*s+1])
	}
	return nil
}

// compute mirrors compute_vif (vif.c) with VIF_OPT_HANDLE_BORDERS, filling
// v.numDen with num_s, den_s per scale.
func (v *FloatVIF) compute(ref, dis *Picture) {
	w, h := ref.Width, ref.Height
	n := w * h
	v.ref = floatLuma(v.ref, ref)
	v.dis = floatLuma(v.dis, dis)
	for _, b := range []*[]float32{&v.refS, &v.disS, &v.mu1, &v.mu2, &v.rr, &v.dd, &v.rd, &v.tmp} {
		*b = growFloat32(*b, n)
	}
	r, d := v.ref, v.dis
	for s := 0; s < 4; s++ {
		f := v.filters[s]
		if s > 0 {
			// Filter with this scale's kernel, keep every other sample.
			fconvolve(v.mu1, r, nil, v.tmp, w, h, f, fconvPlain)
			fconvolve(v.mu2, d, nil, v.tmp, w, h, f, fconvPlain)
			hw, hh := w/2, h/2
			for y := 0; y < hh; y++ {
				for x := 0; x < hw; x++ {
					v.refS[y*hw+x] = v.mu1[2*y*w+2*x]
					v.disS[y*hw+x] = v.mu2[2*y*w+2*x]
				}
			}
			w, h = hw, hh
			r, d = v.refS[:w*h], v.disS[:w*h]
		}
		fconvolve(v.mu1, r, nil, v.tmp, w, h, f, fconvPlain)
		fconvolve(v.mu2, d, nil, v.tmp, w, h, f, fconvPlain)
		fconvolve(v.rr, r, nil, v.tmp, w, h, f, fconvSquare)
		fconvolve(v.dd, d, nil, v.tmp, w, h, f, fconvSquare)
		fconvolve(v.rd, r, d, v.tmp, w, h, f, fconvProduct)
		num, den := v.statistic(w, h)
		v.numDen[2*s], v.numDen[2*s+1] = float64(num), float64(den)
	}
}

// statistic mirrors vif_statistic_s (vif_tools.c, 'matching_matlab' mode).
func (v *FloatVIF) statistic(w, h int) (num, den float32) {
	const eps = float32(1e-10)
	nsq := v.sigmaNsq
	for y := 0; y < h; y++ {
		mu1, mu2 := v.mu1[y*w:(y+1)*w], v.mu2[y*w:(y+1)*w]
		xx, yy, xy := v.rr[y*w:(y+1)*w], v.dd[y*w:(y+1)*w], v.rd[y*w:(y+1)*w]
		var rowNum, rowDen float32
		for x, m1 := range mu1 {
			m2 := mu2[x]
			s1 := xx[x] - float32(m1*m1)
			s2 := yy[x] - float32(m2*m2)
			s12 := xy[x] - float32(m1*m2)
			s1 = max(s1, 0)
			s2 = max(s2, 0)
			g := s12 / (s1 + eps)
			sv := s2 - float32(g*s12)
			if s1 < eps {
				g, sv, s1 = 0, s2, 0
			}
			if s2 < eps {
				g, sv = 0, 0
			}
			if g < 0 {
				sv, g = s2, 0
			}
			sv = max(sv, eps)
			g = min(g, v.gainLimit)
			// 1.0f + float/double is a double, rounded to float for log2f.
			// libvmaf takes both logs and then overrides them; the logs
			// have no side effects, so only the ones kept are taken.
			var numV, denV float32
			switch {
			case float64(s1) < nsq:
				numV = 1 - float32(s2*v.sigmaMaxInv)
				denV = 1
			case s12 < 0:
				denV = fvifLog2(float32(1 + float64(s1)/nsq))
			default:
				numV, denV = fvifLog2Pair(
					float32(1+float64(float32(float32(g*g)*s1))/(float64(sv)+nsq)),
					float32(1+float64(s1)/nsq))
			}
			rowNum += numV
			rowDen += denV
		}
		num += rowNum
		den += rowDen
	}
	return num, den
}

// fvifLog2Poly is log2_poly_s (vif_tools.c).
var fvifLog2Poly = [9]float32{
	-0.012671635276421, 0.064841182402670, -0.157048836463065, 0.257167726303123,
	-0.353800560300520, 0.480131410397451, -0.721314327952201, 1.442694803896991, 0,
}

// fvifLog2 mirrors log2f_approx (vif_tools.c, VIF_OPT_FAST_LOG2): the
// exponent plus a degree-8 polynomial in the mantissa minus one, evaluated
// by Horner's rule in float.
func fvifLog2(x float32) float32 {
	if x == 0 {
		return float32(math.Inf(-1))
	}
	if x < 0 {
		return float32(math.NaN())
	}
	e, t := fvifSplit(x)
	return e + fvifHorner(t)
}

// fvifLog2Pair is fvifLog2 of two positive numbers, the two Horner chains
// interleaved so the CPU runs them side by side.
func fvifLog2Pair(a, b float32) (float32, float32) {
	if !(a > 0 && b > 0) {
		return fvifLog2(a), fvifLog2(b)
	}
	ea, ta := fvifSplit(a)
	eb, tb := fvifSplit(b)
	p := &fvifLog2Poly
	pa, pb := p[0], p[0]
	pa, pb = float32(pa*ta)+p[1], float32(pb*tb)+p[1]
	pa, pb = float32(pa*ta)+p[2], float32(pb*tb)+p[2]
	pa, pb = float32(pa*ta)+p[3], float32(pb*tb)+p[3]
	pa, pb = float32(pa*ta)+p[4], float32(pb*tb)+p[4]
	pa, pb = float32(pa*ta)+p[5], float32(pb*tb)+p[5]
	pa, pb = float32(pa*ta)+p[6], float32(pb*tb)+p[6]
	pa, pb = float32(pa*ta)+p[7], float32(pb*tb)+p[7]
	pa, pb = float32(pa*ta)+p[8], float32(pb*tb)+p[8]
	return ea + pa, eb + pb
}

// fvifSplit returns the unbiased exponent of x, as a float, and its
// mantissa (in [1, 2)) minus one.
func fvifSplit(x float32) (exp, t float32) {
	u := math.Float32bits(x)
	exponent := int32((u & 0x7F800000) >> 23)
	remain := math.Float32frombits(u&0x007FFFFF | 0x3F800000)
	return float32(exponent - 127), remain - 1
}

// fvifHorner evaluates log2_poly_s at t as horner_s does: var = var*t + c
// from var = 0, each step rounded to float.
func fvifHorner(t float32) float32 {
	var acc float32
	for _, c := range fvifLog2Poly {
		acc = float32(acc*t) + c
	}
	return acc
}
