package quality

import (
	"fmt"
	"math"
)

// Watson et al. 1997 ("Visibility of Wavelet Quantization Noise") luma
// model of libvmaf's integer_adm.h: dwt_7_9_YCbCr_threshold[0] and
// dwt_7_9_basis_function_amplitudes, as floats.
var (
	admWatsonA  float32 = 0.495
	admWatsonK  float32 = 0.466
	admWatsonF0 float32 = 0.401
	admWatsonG          = [4]float32{1.501, 1.0, 0.534, 1.0}
	admBasisAmp         = [4][4]float32{
		{0.62171, 0.67234, 0.72709, 0.67234},
		{0.34537, 0.41317, 0.49428, 0.41317},
		{0.18004, 0.22727, 0.28688, 0.22727},
		{0.091401, 0.11792, 0.15214, 0.11792},
	}
)

// Default viewing model and weights of libvmaf's integer adm
// (integer_adm.h, the options table of integer_adm.c).
const (
	admNormViewDist     = 3.0
	admRefDisplayHeight = 1080
	admNoiseWeight      = 0.03125
	admDLMWeight        = 0.5
)

// admView is the viewing model that sets the csf weights: adm_csf_mode,
// adm_norm_view_dist and adm_ref_display_height.
type admView struct {
	mode int
	nvd  float64
	rdh  int
}

// check refuses what libvmaf refuses (extract's EINVAL below 3·1080
// picture heights, a blended CSF without a table for the view) and the
// Barten mode rung does not implement.
func (v admView) check() error {
	if v.nvd*float64(v.rdh) < admNormViewDist*admRefDisplayHeight {
		return fmt.Errorf("%w: adm_norm_view_dist·adm_ref_display_height = %g·%d is below 3·1080, which libvmaf's 16-bit ADM cannot handle", errADMOptions, v.nvd, v.rdh)
	}
	switch v.mode {
	case 0:
		return nil
	case 2, 3:
		if _, ok := admBlendedCSF(v.mode, v.rdh, v.nvd); !ok {
			return fmt.Errorf("%w: adm_csf_mode %d has no table for adm_ref_display_height %d at adm_norm_view_dist %g", errADMOptions, v.mode, v.rdh, v.nvd)
		}
		return nil
	}
	return fmt.Errorf("%w: adm_csf_mode %d (Barten) is not implemented", errADMOptions, v.mode)
}

// rfactor returns the csf weights {h, v, d} of scale lambda: 1/Q of the
// Watson model at this view (mode 0), or the blended table's (modes 2, 3;
// libvmaf's barten_watson_blend_csf and _mae, theta 0 for h and v, 1 for d).
func (v admView) rfactor(lambda int) [3]float32 {
	if v.mode == 0 {
		f1 := 1.0 / admQuantStepAt(lambda, 1, v.nvd, v.rdh)
		f2 := 1.0 / admQuantStepAt(lambda, 2, v.nvd, v.rdh)
		return [3]float32{f1, f1, f2}
	}
	t, _ := admBlendedCSF(v.mode, v.rdh, v.nvd)
	return [3]float32{t[0][lambda], t[0][lambda], t[1][lambda]}
}

// rfactor0 is adm_csf's i_rfactor for scale 0: libvmaf's hard-coded
// constants for the default Watson view, else (uint16)(rf·2^21) for h and v
// and (uint16)(rf·2^23) for d.
func (v admView) rfactor0(rf [3]float32) [3]int32 {
	if math.Abs(v.nvd*float64(v.rdh)-admNormViewDist*admRefDisplayHeight) < 1e-8 && v.mode == 0 {
		return admRFactor0
	}
	return [3]int32{
		int32(uint16(float64(rf[0]) * (1 << 21))),
		int32(uint16(float64(rf[1]) * (1 << 21))),
		int32(uint16(float64(rf[2]) * (1 << 23))),
	}
}

// admBlendedCSF returns barten_csf_tools.h's BLENDED_CSF table for the view
// (mode 2) or its _MAE twin (mode 3), indexed [theta][scale]; 2160 lines at
// 1.5 heights use the 1080-at-3 table (the same pixels per degree).
func admBlendedCSF(mode, rdh int, nvd float64) (*[2][4]float32, bool) {
	type view struct {
		rdh int
		nvd float64
	}
	if rdh == 2160 && nvd == 1.5 {
		rdh, nvd = 1080, 3
	}
	tables := map[view][2]*[2][4]float32{
		{1080, 3}: {{{0.01183, 0.025026, 0.04295, 0.058621}, {0.004302, 0.011778, 0.023918, 0.035901}},
			{{0.011249, 0.022606, 0.035930, 0.045673}, {0.004097, 0.010921, 0.021430, 0.031313}}},
		{1080, 5}: {{{0.004212, 0.014809, 0.029642, 0.047464}, {0.000984, 0.005852, 0.0146, 0.027574}},
			{{0.004052, 0.013939, 0.026298, 0.038833}, {0.000927, 0.005544, 0.013415, 0.024515}}},
		{2160, 3}: {{{0.00226, 0.01183, 0.025026, 0.04295}, {0.000479, 0.004302, 0.011778, 0.023918}},
			{{0.002166, 0.011249, 0.022606, 0.035930}, {0.000447, 0.004097, 0.010921, 0.021430}}},
		{2160, 5}: {{{0.000092, 0.004212, 0.014809, 0.029642}, {0.000050, 0.000984, 0.005852, 0.0146}},
			{{0.000077, 0.004052, 0.013939, 0.026298}, {0.000045, 0.000927, 0.005544, 0.013415}}},
		{720, 3}: {{{0.018715, 0.035637, 0.052798, 0.061509}, {0.007999, 0.018396, 0.031851, 0.037718}},
			{{0.017329, 0.030870, 0.042134, 0.047410}, {0.007509, 0.016707, 0.028072, 0.032722}}},
		{720, 5}: {{{0.010144, 0.022561, 0.040309, 0.05672}, {0.003463, 0.010282, 0.021839, 0.034641}},
			{{0.009689, 0.020577, 0.034162, 0.044523}, {0.003302, 0.009579, 0.019661, 0.030318}}},
		{480, 3}: {{{0.027961, 0.045875, 0.060275, 0.056234}, {0.013572, 0.026277, 0.036959, 0.034511}},
			{{0.024969, 0.037825, 0.046676, 0.043974}, {0.012511, 0.023424, 0.032139, 0.030166}}},
		{480, 5}: {{{0.016781, 0.032822, 0.05032, 0.061594}, {0.00691, 0.016545, 0.029917, 0.037777}},
			{{0.015665, 0.028766, 0.040612, 0.047483}, {0.006514, 0.015107, 0.026476, 0.032776}}},
	}
	t, ok := tables[view{rdh, nvd}]
	if !ok {
		return nil, false
	}
	return t[mode-2], true
}

// admQuantStep is libvmaf's dwt_quant_step for the luma model at scale
// lambda (0 finest) and orientation theta (1 = h/v, 2 = diagonal), with the
// default viewing distance and display height, float-rounded where libvmaf
// stores floats:
//
//	r = nvd·rdh·π/180
//	Q = 2a·10^(k·log10(2^(λ+1)·f0·g_θ / r)²) / A(λ, θ)
func admQuantStep(lambda, theta int) float32 {
	return admQuantStepAt(lambda, theta, admNormViewDist, admRefDisplayHeight)
}

// admQuantStepAt is admQuantStep at viewing distance nvd (picture heights)
// and display height rdh.
func admQuantStepAt(lambda, theta int, nvd float64, rdh int) float32 {
	r := float32(nvd * float64(rdh) * math.Pi / 180.0)
	x := float64(float64(math.Pow(2.0, float64(lambda+1))*float64(admWatsonF0)) * float64(admWatsonG[theta]))
	temp := float32(math.Log10(x / float64(r)))
	e := admWatsonK * temp * temp // float arithmetic in libvmaf too
	return float32(float64(2.0*float64(admWatsonA)) * math.Pow(10.0, float64(e)) / float64(admBasisAmp[lambda][theta]))
}

// admRFactor returns libvmaf's csf weights 1/Q for scale lambda: {h, v, d}.
func admRFactor(lambda int) [3]float32 {
	f1 := 1.0 / admQuantStep(lambda, 1)
	f2 := 1.0 / admQuantStep(lambda, 2)
	return [3]float32{f1, f1, f2}
}

// admRFactor0 is libvmaf's hard-coded Q21/Q21/Q23 scale-0 csf weight for the
// default viewing model (adm_csf, adm_cm: i_rfactor).
var admRFactor0 = [3]int32{admRFactor0H, admRFactor0H, admRFactor0D}

const (
	admRFactor0H = 36453 // h and v
	admRFactor0D = 49417 // d
)

// admRFactor123 is the Q32 csf weight of scales 1..3 (i4_adm_csf,
// i4_adm_cm: (uint32)(rfactor·2^32)).
func admRFactor123(lambda int) [3]uint32 {
	return admQ32(admRFactor(lambda))
}

// admQ32 is (uint32)(rf·2^32) per band.
func admQ32(rf [3]float32) [3]uint32 {
	var out [3]uint32
	for t := range out {
		out[t] = uint32(float64(rf[t]) * (1 << 32))
	}
	return out
}

// admCSFSums0 is libvmaf's adm_csf (scale 0) for one coefficient of each
// band, reduced to what adm_cm reads of it. The bands are weighted by the
// contrast sensitivity,
//
//	a_θ = int16((rf_θ·x_θ + add_θ) >> sh_θ)   (Q21/Q21/Q23 rf, sh 15/15/17, add 16384/16384/65535)
//
// and it returns, summed over the three bands (as adm_cm's threshold sums
// them), the filtered value flt = int16((4369·|a|+2048) >> 12) ≈ |a|/30 and
// the centre term int16((8738·|a|+2048) >> 12) ≈ |a|/15. libvmaf stores a_θ
// and flt_θ per band; only these sums are ever read.
func admCSFSums0(h, v, d int16, rf *[3]int32) (fsum, csum int32) {
	ah := admCSFAbs0(h, rf[0], 16384, 15)
	av := admCSFAbs0(v, rf[1], 16384, 15)
	ad := admCSFAbs0(d, rf[2], 65535, 17)
	return admFlt0(ah) + admFlt0(av) + admFlt0(ad), admCentre0(ah) + admCentre0(av) + admCentre0(ad)
}

// admCSFAbs0 is |a| for one band of admCSFSums0.
func admCSFAbs0(x int16, rf, add int32, sh uint) int32 {
	return abs32(int32(int16((rf*int32(x) + add) >> sh)))
}

// admFlt0 is adm_csf's filtered value int16((4369·|a| + 2048) >> 12).
func admFlt0(a int32) int32 { return int32(int16((4369*a + 2048) >> 12)) }

// admCentre0 is adm_cm's centre term int16((8738·|a| + 2048) >> 12).
func admCentre0(a int32) int32 { return int32(int16((8738*a + 2048) >> 12)) }

// admCSFSums123 is libvmaf's i4_adm_csf for scales 1..3, reduced as
// admCSFSums0: a_θ = int32((rf_θ·x_θ + 2^27) >> 28) with the Q32 factor rf_θ,
// flt = (143165577·|a| − 2^31) >> 32 and the centre term
// (286331153·|a| − 2^31) >> 32, each summed over the bands in int32 (as
// libvmaf's). The −2^31 is libvmaf's: its rounding constant 1u<<31 is
// stored in an int32_t.
func admCSFSums123(h, v, d int32, rf [3]uint32) (fsum, csum int32) {
	ah := int64(abs32(int32((int64(rf[0])*int64(h) + 1<<27) >> 28)))
	av := int64(abs32(int32((int64(rf[1])*int64(v) + 1<<27) >> 28)))
	ad := int64(abs32(int32((int64(rf[2])*int64(d) + 1<<27) >> 28)))
	fsum = int32((143165577*ah+admFltAdd)>>32) + int32((143165577*av+admFltAdd)>>32) + int32((143165577*ad+admFltAdd)>>32)
	csum = int32((286331153*ah+admFltAdd)>>32) + int32((286331153*av+admFltAdd)>>32) + int32((286331153*ad+admFltAdd)>>32)
	return fsum, csum
}

// admFltAdd is libvmaf's add_bef_shift_flt: (1u << 31) stored in an int32_t.
const admFltAdd = -(1 << 31)

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// admCSFDen0 is libvmaf's adm_csf_den_scale (scale 0): the csf-weighted
// 3-norm of the reference h, v and d bands over the admInner region plus the
// noise floor, summed over the three bands:
//
//	Σ_θ ( (Σ|ref_θ|³ · rf_θ³ / 2^18)^(1/3) + (area·0.03125)^(1/3) )
//
// with per-row uint64 sums shifted right by max(0, ceil(log2(area)) − 20),
// rounded, as libvmaf does.
func admCSFDen0(ref *[4][]int16, w, h int, rf [3]float32, nw float64, asm bool) float32 {
	left, top, right, bottom := admInner(w, h)
	area := (bottom - top) * (right - left)
	shift := int32(math.Ceil(math.Log2(float64(area)) - 20))
	shift = max(shift, 0)
	var add uint64
	if shift > 0 {
		add = 1 << (shift - 1)
	}
	var acc [3]uint64
	for i := top; i < bottom; i++ {
		var inner [3]uint64
		for t := 0; t < 3; t++ {
			row := ref[t+1][i*w+left : i*w+right]
			var s uint64
			done := 0
			if asm {
				s, done = admCubeSum16Asm(row)
			}
			for _, v := range row[done:] {
				x := uint64(uint16(abs32(int32(v))))
				s += x * x * x
			}
			inner[t] = s
		}
		for t := range acc {
			acc[t] += (inner[t] + add) >> shift
		}
	}
	scale := math.Pow(2, float64(18-shift))
	return admDenSum(acc, scale, rf, area, nw)
}

// admDenSum finishes a csf_den stage: csf_θ = (acc_θ/scale)·rf_θ³ in double,
// then Σ_θ (powf(csf_θ, 1/3) + powf(area·nw, 1/3)) in float, nw the noise
// weight (adm_noise_weight).
func admDenSum(acc [3]uint64, scale float64, rf [3]float32, area int, nw float64) float32 {
	add := admPowf(float32(float64(area) * nw))
	var d [3]float32
	for t := range d {
		r := float64(rf[t])
		csf := float64(float64(acc[t])/scale) * float64(float64(r*r)*r)
		d[t] = admPowf(float32(csf)) + add
	}
	return d[0] + d[1] + d[2]
}

// admDenConsts is what admCubeSum32AVX2 reads: adm_csf_den_s123's
// rounding adds and shifts. Band values at scales 1..3 stay far below 2^31
// in magnitude, as its square-then-shift needs.
type admDenConsts struct {
	addSq, shSq, addCub, shCub uint64
}

// admCSFDen123 is libvmaf's adm_csf_den_s123 (scales 1..3): as admCSFDen0
// on int32 bands, with each |x|³ computed as ((x² + 2^s) >> s)·|x| (s =
// 31, 30, 31 per scale; libvmaf's rounding add equals 2^s) rounded right by
// ceil(log2(width)), and each row sum by ceil(log2(height)).
func admCSFDen123(ref *[4][]int32, scale, w, h int, rf [3]float32, nw float64, asm bool) float32 {
	shiftSq := [3]uint32{31, 30, 31}[scale-1]
	convert := [3]uint32{32, 27, 23}[scale-1]
	addSq := uint64(uint32(1) << shiftSq)
	left, top, right, bottom := admInner(w, h)
	shiftCub := uint32(math.Ceil(math.Log2(float64(right - left))))
	addCub := uint64(uint32(math.Pow(2, float64(shiftCub-1))))
	shiftAcc := uint32(math.Ceil(math.Log2(float64(bottom - top))))
	addAcc := uint64(uint32(math.Pow(2, float64(shiftAcc-1))))
	k := admDenConsts{addSq: addSq, shSq: uint64(shiftSq), addCub: addCub, shCub: uint64(shiftCub)}
	var acc [3]uint64
	for i := top; i < bottom; i++ {
		for t := 0; t < 3; t++ {
			row := ref[t+1][i*w+left : i*w+right]
			var s uint64
			done := 0
			if asm {
				s, done = admCubeSum32Asm(row, &k)
			}
			for _, v := range row[done:] {
				x := uint64(uint32(abs32(v)))
				s += (((x*x+addSq)>>shiftSq)*x + addCub) >> shiftCub
			}
			acc[t] += (s + addAcc) >> shiftAcc
		}
	}
	sc := math.Pow(2, float64(convert-shiftAcc-shiftCub))
	return admDenSum(acc, sc, rf, (bottom-top)*(right-left), nw)
}
