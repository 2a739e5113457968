package quality

import (
	"math"
	"math/bits"
)

// admDivLookup is libvmaf's div_lookup (integer_adm.h div_lookup_generator):
// entry 32768+i holds 2^30/i (truncated) and entry 32768-i its negation, for
// i in 1..32768; entry 32768 is 0.
func admDivLookup() *[65537]int32 {
	var t [65537]int32
	for i := 1; i <= 32768; i++ {
		r := int32((1 << 30) / i)
		t[32768+i] = r
		t[32768-i] = -r
	}
	return &t
}

// admCos1DegSq is cos(1°)² computed in double and stored as a float, as
// libvmaf's adm_decouple does.
var admCos1DegSq = float64(float32(math.Cos(1.0*math.Pi/180.0) * math.Cos(1.0*math.Pi/180.0)))

// admAngleFlag reports whether the (h, v) orientation vectors of the
// reference (oh, ov) and distorted (th, tv) coefficients are within 1° of
// each other, evaluated exactly as libvmaf does: the int64 dot product and
// squared magnitudes are converted to float, divided by 4096 in double and
// compared as
//
//	dp ≥ 0 && dp² ≥ cos²(1°)·|o|²·|t|²
func admAngleFlag(otDP, oMagSq, tMagSq int64) bool {
	dp := float64(float32(otDP)) / 4096.0
	if !(dp >= 0) {
		return false
	}
	lhs := float64(dp * dp)
	rhs := float64(float64(admCos1DegSq*(float64(float32(oMagSq))/4096.0)) * (float64(float32(tMagSq)) / 4096.0))
	return lhs >= rhs
}

// admBorder returns the region [left, right) × [top, bottom) over which
// libvmaf's decouple and csf stages run: the centre of the w×h band without a
// 10% border, widened by one coefficient (two on the far side) for the 3×3
// filter of the masking stage, clamped to the band.
func admBorder(w, h int) (left, top, right, bottom int) {
	left = int(float64(float64(w)*0.1) - 0.5 - 1)
	top = int(float64(float64(h)*0.1) - 0.5 - 1)
	right = w - left + 2
	bottom = h - top + 2
	left = max(left, 0)
	top = max(top, 0)
	right = min(right, w)
	bottom = min(bottom, h)
	return
}

// admInner returns the region [left, right) × [top, bottom) over which
// libvmaf's csf_den and cm stages accumulate: the w×h band without a 10%
// border on each side.
func admInner(w, h int) (left, top, right, bottom int) {
	left = int(float64(float64(w)*0.1) - 0.5)
	top = int(float64(float64(h)*0.1) - 0.5)
	return left, top, w - left, h - top
}

// admGain applies libvmaf's enhancement-gain limit to a restored coefficient
// rst (of sign given by the float product k/32768·o/64) against the
// distorted coefficient t: min(rst·egl, t) for a positive product and
// max(rst·egl, t) for a negative one, computed in double and truncated.
func admGain(rst, t, kPos, o int64, egl float64) float64 {
	r := float64(rst) * egl
	if kPos > 0 && o > 0 {
		return math.Min(r, float64(t))
	}
	if kPos > 0 && o < 0 {
		return math.Max(r, float64(t))
	}
	return float64(rst)
}

// admDecouple0 is libvmaf's adm_decouple for scale 0 (int16 bands, row
// stride w). For each coefficient in the admBorder region it splits the
// distorted bands t into a restored part r = clamp(t/o, 0, 1)·o (k in Q15
// from the 2^30/o table) and an additive-impairment part a = t − r. When the
// (h, v) orientation of t is within 1° of o's, r is instead min/max(r·egl, t)
// (enhancement gain).
func (a *ADM) admDecouple0(w, h int) {
	b := &a.s0
	div := a.div
	egl := a.egl
	left, top, right, bottom := admBorder(w, h)
	for i := top; i < bottom; i++ {
		for j := left; j < right; j++ {
			k := i*w + j
			oh, ov, od := int32(b.ref[1][k]), int32(b.ref[2][k]), int32(b.ref[3][k])
			th, tv, td := int32(b.dis[1][k]), int32(b.dis[2][k]), int32(b.dis[3][k])
			otDP := int64(oh)*int64(th) + int64(ov)*int64(tv)
			oMag := int64(oh)*int64(oh) + int64(ov)*int64(ov)
			tMag := int64(th)*int64(th) + int64(tv)*int64(tv)
			angle := admAngleFlag(otDP, oMag, tMag)

			rh := admRestore16(oh, th, div, angle, egl)
			rv := admRestore16(ov, tv, div, angle, egl)
			rd := admRestore16(od, td, div, angle, egl)
			b.decR[0][k], b.decR[1][k], b.decR[2][k] = rh, rv, rd
			b.decA[0][k] = int16(int32(th) - int32(rh))
			b.decA[1][k] = int16(int32(tv) - int32(rv))
			b.decA[2][k] = int16(int32(td) - int32(rd))
		}
	}
}

// admRestore16 is one band's restored coefficient in libvmaf's adm_decouple.
func admRestore16(o, t int32, div *[65537]int32, angle bool, egl float64) int16 {
	var tk int32
	if o == 0 {
		tk = 32768
	} else {
		tk = int32((int64(div[o+32768])*int64(t) + 16384) >> 15)
	}
	k := min(max(tk, 0), 32768)
	rst := int16((k*o + 16384) >> 15)
	if angle {
		rst = int16(admGain(int64(rst), int64(t), int64(k), int64(o), egl))
	}
	return rst
}

// admBest15 is libvmaf's get_best15_from32: the 15 most significant bits
// of x ≥ 32768, rounded, and the shift that dropped the rest.
func admBest15(x uint32) (uint16, int32) {
	k := 17 - int32(bits.LeadingZeros32(x))
	x = (x + (uint32(1) << (k - 1))) >> k
	return uint16(x), k
}

// admDecouple123 is libvmaf's adm_decouple_s123 (int32 bands, row stride w):
// as admDecouple0, but the division t/o uses the 15 leading bits of |o|
// (admBest15) and a correspondingly larger shift.
func (a *ADM) admDecouple123(w, h int) {
	b := &a.s1
	div := a.div
	egl := a.egl
	left, top, right, bottom := admBorder(w, h)
	for i := top; i < bottom; i++ {
		for j := left; j < right; j++ {
			k := i*w + j
			oh, ov, od := b.ref[1][k], b.ref[2][k], b.ref[3][k]
			th, tv, td := b.dis[1][k], b.dis[2][k], b.dis[3][k]
			otDP := int64(oh)*int64(th) + int64(ov)*int64(tv)
			oMag := int64(oh)*int64(oh) + int64(ov)*int64(ov)
			tMag := int64(th)*int64(th) + int64(tv)*int64(tv)
			angle := admAngleFlag(otDP, oMag, tMag)

			rh := admRestore32(oh, th, div, angle, egl)
			rv := admRestore32(ov, tv, div, angle, egl)
			rd := admRestore32(od, td, div, angle, egl)
			b.decR[0][k], b.decR[1][k], b.decR[2][k] = rh, rv, rd
			b.decA[0][k] = th - rh
			b.decA[1][k] = tv - rv
			b.decA[2][k] = td - rd
		}
	}
}

// admRestore32 is one band's restored coefficient in libvmaf's
// adm_decouple_s123.
func admRestore32(o, t int32, div *[65537]int32, angle bool, egl float64) int32 {
	var tk int64
	if o == 0 {
		tk = 32768
	} else {
		abs := uint32(o)
		sign := int64(1)
		if o < 0 {
			abs = uint32(-o)
			sign = -1
		}
		msb, shift := uint16(abs), int32(0)
		if abs >= 32768 {
			msb, shift = admBest15(abs)
		}
		round := int64(int32(1) << (14 + shift))
		tk = ((int64(div[int(msb)+32768])*int64(t))*sign + round) >> (15 + shift)
	}
	k := min(max(tk, 0), 32768)
	rst := int32((k*int64(o) + 16384) >> 15)
	if angle {
		rst = int32(admGain(int64(rst), int64(t), k, int64(o), egl))
	}
	return rst
}
