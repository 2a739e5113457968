package quality

import (
	"fmt"
	"math"
)

// fadmLo and fadmHi are dwt2_db2_coeffs_lo_s and _hi_s (adm_tools.c): the
// Daubechies-2 analysis filters, in float.
var (
	fadmLo = [4]float32{0.482962913144690, 0.836516303737469, 0.224143868041857, -0.129409522550921}
	fadmHi = [4]float32{-0.129409522550921, -0.224143868041857, 0.836516303737469, -0.482962913144690}
)

// fadmOneBy30 and fadmOneBy15 are FLOAT_ONE_BY_30 and FLOAT_ONE_BY_15: double
// literals in adm_tools.c, so the products they enter are doubles.
const (
	fadmOneBy30 = 0.0333333351
	fadmOneBy15 = 0.0666666701
)

// FloatADM is libvmaf's "float_adm" feature extractor (float_adm.c, adm.c,
// adm_tools.c) with its default options (enhancement gain limit 100,
// Watson CSF for a 1080-line display seen from 3 heights, noise weight
// 1/32, p-norm 3): the detail loss measure of the luma planes over four
// scales of a Daubechies-2 wavelet decomposition, in single precision.
// At each scale the distorted detail bands t are split into the part r
// explained by the reference bands o (t scaled by a gain k = t/o in [0,1],
// or kept as is where the orientations differ by less than 1 degree, up to
// the gain limit) and the additive impairment a = t - r. Both are weighted
// by the CSF; r is masked by a 3x3 neighbourhood of |a| (contrast masking)
// and
//
//	num_s = Σ_θ (Σ max(|csf(r)| - mask(a), 0)³)^(1/3) + noise,
//	den_s = Σ_θ (Σ |csf(o)|³)^(1/3) + noise
//
// over the picture less a 10% border. It records adm2 = Σ num_s / Σ den_s,
// adm_scale0..3 = num_s/den_s, aim (the impairment masked by r, over Σ den_s,
// at most 1) and adm3 = (adm2 + 1 - aim)/2: libvmaf's JSON names for
// VMAF_feature_adm2_score and the others (alias.c), as vmaf_float_v0.6.1
// uses them. libvmaf divides with an approximate reciprocal refined by one
// Newton step (ADM_OPT_RECIP_DIVISION); this divides exactly.
//
// A FloatADM holds only scratch buffers: use one per goroutine.
type FloatADM struct {
	ref, dis   []float32
	src        [2][]float32    // the current scale's ref and dis (band a of the previous one)
	band       [2][4][]float32 // ref and dis bands a, h, v, d of this scale
	r, a       [3][]float32    // decoupled bands h, v, d
	csf, flt   [3][]float32    // CSF-weighted bands and |csf|/30
	tmpLo      []float32       // vertical low-pass of one row
	tmpHi      []float32       // vertical high-pass of one row
	indY, indX [4][]int        // source rows and columns of each output
	rfactor    [4][3]float32   // CSF weight per scale and orientation
	scaleNames [4]string
	numDen     [8]float64 // num and den of each scale, as libvmaf's scores[]
	num, den   float64    // sums over the scales
	aimNum     float64
	aimDen     float64
}

// NewFloatADM returns a float_adm extractor.
func NewFloatADM() *FloatADM {
	m := &FloatADM{}
	for s := range m.rfactor {
		// adm_tools.c's dwt_quant_step is integer_adm.h's, same floats.
		m.rfactor[s] = admRFactor(s)
		m.scaleNames[s] = fmt.Sprintf("adm_scale%d", s)
	}
	return m
}

// fadmMinSize is the smallest side FloatADM accepts: the coarsest scale's
// bands must be at least 2 samples for the 3x3 masking neighbourhood.
const fadmMinSize = 32

// Extract records adm2, aim, adm3 and adm_scale0..3 of frame i.
func (m *FloatADM) Extract(ref, dis *Picture, i int, out *Scores) error {
	if err := floatCheck("float_adm", ref, dis, i, fadmMinSize); err != nil {
		return err
	}
	m.ref = floatLuma(m.ref, ref)
	m.dis = floatLuma(m.dis, dis)
	m.compute(ref.Width, ref.Height)

	// compute_adm: num and den below a size-relative floor count as 0.
	limit := 1e-10 * float64(ref.Width*ref.Height) / (1920.0 * 1080.0)
	num, den := m.num, m.den
	if num < limit {
		num = 0
	}
	if den < limit {
		den = 0
	}
	score, aim := 1.0, 0.0
	if den != 0 {
		score = num / den
		aim = min(m.aimNum/m.aimDen, 1)
	}
	out.Set("adm2", i, score)
	out.Set("aim", i, aim)
	out.Set("adm3", i, max(score*0.5+(1-aim)*0.5, 0))
	for s := 0; s < 4; s++ {
		out.Set(m.scaleNames[s], i, m.numDen[2*s]/m.numDen[2*s+1])
	}
	return nil
}

// compute mirrors compute_adm (adm.c) over the four scales.
func (m *FloatADM) compute(w, h int) {
	bw, bh := (w+1)/2, (h+1)/2
	n := bw * bh
	for k := range m.band {
		m.src[k] = growFloat32(m.src[k], n)
		for b := range m.band[k] {
			m.band[k][b] = growFloat32(m.band[k][b], n)
		}
	}
	for t := 0; t < 3; t++ {
		m.r[t] = growFloat32(m.r[t], n)
		m.a[t] = growFloat32(m.a[t], n)
		m.csf[t] = growFloat32(m.csf[t], n)
		m.flt[t] = growFloat32(m.flt[t], n)
	}
	m.tmpLo = growFloat32(m.tmpLo, w)
	m.tmpHi = growFloat32(m.tmpHi, w)
	for k := range m.indY {
		if cap(m.indY[k]) < bh {
			m.indY[k] = make([]int, bh)
		}
		if cap(m.indX[k]) < bw {
			m.indX[k] = make([]int, bw)
		}
	}
	m.num, m.den, m.aimNum, m.aimDen = 0, 0, 0, 0
	refSrc, disSrc := m.ref, m.dis
	for s := 0; s < 4; s++ {
		// dwt2_src_indices_filt_s: the integer ADM's index rule.
		admDWTIndices(&m.indY, h)
		admDWTIndices(&m.indX, w)
		m.dwt(refSrc, m.band[0], w, h)
		m.dwt(disSrc, m.band[1], w, h)
		w, h = (w+1)/2, (h+1)/2
		m.decouple(w, h)
		den := m.denScale(s, w, h)
		// num: r masked by the impairment a.
		m.applyCSF(m.a, s, w, h)
		num := m.cm(m.r, s, w, h, 1.0/32)
		// aim: a masked by r.
		m.applyCSF(m.r, s, w, h)
		aimNum := m.cm(m.a, s, w, h, 0)

		m.num += float64(num)
		m.den += float64(den)
		m.aimNum += float64(aimNum)
		m.aimDen += float64(den)
		m.numDen[2*s], m.numDen[2*s+1] = float64(num), float64(den)

		// The next scale decomposes band a; copy it out of the band buffers
		// the next dwt overwrites.
		copy(m.src[0][:w*h], m.band[0][0][:w*h])
		copy(m.src[1][:w*h], m.band[1][0][:w*h])
		refSrc, disSrc = m.src[0][:w*h], m.src[1][:w*h]
	}
}

// dwt mirrors adm_dwt2_s: one level of the 2-D Daubechies-2 transform of
// src (w x h) into bands a, h, v, d of (w+1)/2 x (h+1)/2, each tap sum a
// float in filter order.
func (m *FloatADM) dwt(src []float32, band [4][]float32, w, h int) {
	bw, bh := (w+1)/2, (h+1)/2
	lo, hi := m.tmpLo[:w], m.tmpHi[:w]
	for i := 0; i < bh; i++ {
		r0 := src[m.indY[0][i]*w : m.indY[0][i]*w+w]
		r1 := src[m.indY[1][i]*w : m.indY[1][i]*w+w]
		r2 := src[m.indY[2][i]*w : m.indY[2][i]*w+w]
		r3 := src[m.indY[3][i]*w : m.indY[3][i]*w+w]
		for j := range lo {
			s0, s1, s2, s3 := r0[j], r1[j], r2[j], r3[j]
			lo[j] = float32(float32(float32(fadmLo[0]*s0)+float32(fadmLo[1]*s1))+float32(fadmLo[2]*s2)) + float32(fadmLo[3]*s3)
			hi[j] = float32(float32(float32(fadmHi[0]*s0)+float32(fadmHi[1]*s1))+float32(fadmHi[2]*s2)) + float32(fadmHi[3]*s3)
		}
		ba, bhh, bv, bd := band[0][i*bw:(i+1)*bw], band[1][i*bw:(i+1)*bw], band[2][i*bw:(i+1)*bw], band[3][i*bw:(i+1)*bw]
		for j := 0; j < bw; j++ {
			j0, j1, j2, j3 := m.indX[0][j], m.indX[1][j], m.indX[2][j], m.indX[3][j]
			s0, s1, s2, s3 := lo[j0], lo[j1], lo[j2], lo[j3]
			ba[j] = float32(float32(float32(fadmLo[0]*s0)+float32(fadmLo[1]*s1))+float32(fadmLo[2]*s2)) + float32(fadmLo[3]*s3)
			bv[j] = float32(float32(float32(fadmHi[0]*s0)+float32(fadmHi[1]*s1))+float32(fadmHi[2]*s2)) + float32(fadmHi[3]*s3)
			s0, s1, s2, s3 = hi[j0], hi[j1], hi[j2], hi[j3]
			bhh[j] = float32(float32(float32(fadmLo[0]*s0)+float32(fadmLo[1]*s1))+float32(fadmLo[2]*s2)) + float32(fadmLo[3]*s3)
			bd[j] = float32(float32(float32(fadmHi[0]*s0)+float32(fadmHi[1]*s1))+float32(fadmHi[2]*s2)) + float32(fadmHi[3]*s3)
		}
	}
}

// decouple mirrors adm_decouple_s (ADM_OPT_AVOID_ATAN) with gain limit 100
// over the admBorder region, which adm_decouple_s and adm_csf_s share with
// the integer ADM.
func (m *FloatADM) decouple(w, h int) {
	cos1degSq := float32(admCos1DegSq)
	const eps = float32(1e-30)
	const gainLimit = 100.0
	left, top, right, bottom := admBorder(w, h)
	ref, dis := m.band[0], m.band[1]
	for i := top; i < bottom; i++ {
		for j := left; j < right; j++ {
			p := i*w + j
			oh, ov, od := ref[1][p], ref[2][p], ref[3][p]
			th, tv, td := dis[1][p], dis[2][p], dis[3][p]
			kh := fadmClamp01(th / (oh + eps))
			kv := fadmClamp01(tv / (ov + eps))
			kd := fadmClamp01(td / (od + eps))
			rh, rv, rd := kh*oh, kv*ov, kd*od

			otDP := float32(oh*th) + float32(ov*tv)
			oMag := float32(oh*oh) + float32(ov*ov)
			tMag := float32(th*th) + float32(tv*tv)
			angle := otDP >= 0 && float32(otDP*otDP) >= float32(float32(cos1degSq*oMag)*tMag)
			if angle {
				rh = fadmEnhance(rh, th, gainLimit)
				rv = fadmEnhance(rv, tv, gainLimit)
				rd = fadmEnhance(rd, td, gainLimit)
			}
			m.r[0][p], m.r[1][p], m.r[2][p] = rh, rv, rd
			m.a[0][p], m.a[1][p], m.a[2][p] = th-rh, tv-rv, td-rd
		}
	}
}

func fadmClamp01(k float32) float32 {
	if k < 0 {
		return 0
	}
	if k > 1 {
		return 1
	}
	return k
}

// fadmEnhance lets a restored coefficient grow up to gain times, but no
// further than the distorted one, where the orientations agree; the product
// is a double in libvmaf.
func fadmEnhance(r, t float32, gain float64) float32 {
	switch {
	case r > 0:
		return float32(min(float64(r)*gain, float64(t)))
	case r < 0:
		return float32(max(float64(r)*gain, float64(t)))
	}
	return r
}

// denScale mirrors adm_csf_den_scale_s: Σ_θ (Σ |rfactor_θ o_θ|³)^(1/3) + noise
// over the reference bands.
func (m *FloatADM) denScale(s, w, h int) float32 {
	left, top, right, bottom := admInner(w, h)
	rf := m.rfactor[s]
	var acc [3]float32
	for i := top; i < bottom; i++ {
		var inner [3]float32
		for t := 0; t < 3; t++ {
			row := m.band[0][t+1][i*w : (i+1)*w]
			f := rf[t]
			for j := left; j < right; j++ {
				v := f * row[j]
				if v < 0 {
					v = -v
				}
				inner[t] += float32(float32(v*v) * v)
			}
		}
		for t := range acc {
			acc[t] += inner[t]
		}
	}
	noise := fadmNoise(right-left, bottom-top, 1.0/32)
	return fadmCubeRoot(acc[0]) + noise + (fadmCubeRoot(acc[1]) + noise) + (fadmCubeRoot(acc[2]) + noise)
}

// fadmCubeRoot is powf(x, 1.0f/3.0) as libvmaf calls it: the exponent is
// 1/3 rounded to float.
func fadmCubeRoot(x float32) float32 {
	return float32(math.Pow(float64(x), float64(float32(1.0/3.0))))
}

// fadmNoise mirrors get_noise_constant: powf(w*h*weight, 1/3).
func fadmNoise(w, h int, weight float64) float32 {
	return fadmCubeRoot(float32(float64(w*h) * weight))
}

// applyCSF mirrors adm_csf_s on bands src: m.csf = rfactor*src and
// m.flt = |m.csf|/30 (a double product rounded to float).
func (m *FloatADM) applyCSF(src [3][]float32, s, w, h int) {
	left, top, right, bottom := admBorder(w, h)
	for t := 0; t < 3; t++ {
		f := m.rfactor[s][t]
		for i := top; i < bottom; i++ {
			for j := left; j < right; j++ {
				p := i*w + j
				v := f * src[t][p]
				m.csf[t][p] = v
				m.flt[t][p] = float32(fadmOneBy30 * math.Abs(float64(v)))
			}
		}
	}
}

// cm mirrors adm_cm_s with p-norm 3: for each band sample x of src weighted
// by the CSF, max(|x| - thr, 0)³ summed per row in float, where thr is
// ADM_CM_THRESH_S_*: over the three orientations, the 3x3 neighbourhood of
// m.flt (|csf|/30) with its centre replaced by |m.csf|/15, rows reflected at
// the top and left (-1 → 1) and repeated at the bottom and right. It
// returns Σ_θ (Σ ...)^(1/3) + noise(weight).
func (m *FloatADM) cm(src [3][]float32, s, w, h int, weight float64) float32 {
	left, top, right, bottom := admInner(w, h)
	rows, cols := max(top, 0), max(left, 0)
	rowe, cole := min(bottom, h), min(right, w)
	rf := m.rfactor[s]
	var acc [3]float32
	for i := rows; i < rowe; i++ {
		up, down := i-1, i+1
		if up < 0 {
			up = 1
		}
		if down >= h {
			down = h - 1
		}
		var inner [3]float32
		for j := cols; j < cole; j++ {
			l, r := j-1, j+1
			if l < 0 {
				l = 1
			}
			if r >= w {
				r = w - 1
			}
			var thr float32
			for t := 0; t < 3; t++ {
				f, c := m.flt[t], m.csf[t]
				var sum float32
				sum += f[up*w+l]
				sum += f[up*w+j]
				sum += f[up*w+r]
				sum += f[i*w+l]
				sum = float32(float64(sum) + fadmOneBy15*math.Abs(float64(c[i*w+j])))
				sum += f[i*w+r]
				sum += f[down*w+l]
				sum += f[down*w+j]
				sum += f[down*w+r]
				thr += sum
			}
			p := i*w + j
			for t := 0; t < 3; t++ {
				x := src[t][p] * rf[t]
				if x < 0 {
					x = -x
				}
				x -= thr
				if x < 0 {
					x = 0
				}
				inner[t] += float32(float32(x*x) * x)
			}
		}
		for t := range acc {
			acc[t] += inner[t]
		}
	}
	noise := fadmNoise(right-left, bottom-top, weight)
	return fadmCubeRoot(acc[0]) + noise + (fadmCubeRoot(acc[1]) + noise) + (fadmCubeRoot(acc[2]) + noise)
}
