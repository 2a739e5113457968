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

// admGain applies libvmaf's enhancement-gain limit when the orientations
// agree (admAngleFlag) to a restored coefficient rst with float sign
// k/32768·o/64 (positive iff k > 0 and o > 0): min(rst·egl, t) for a positive
// one, max(rst·egl, t) for a negative one, computed in double and truncated
// by the caller.
func admGain(rst, t int64, k int64, o int32, egl float64) float64 {
	r := float64(rst) * egl
	switch {
	case k <= 0 || o == 0:
		return float64(rst)
	case o > 0:
		if ft := float64(t); !(r < ft) {
			return ft
		}
	default:
		if ft := float64(t); !(r > ft) {
			return ft
		}
	}
	return r
}

// admDecouple0 is libvmaf's adm_decouple for scale 0 (int16 bands, row
// stride w) followed by its adm_csf of both results (fused, see admCSFSums0).
// For each coefficient in the admBorder region it splits the distorted
// bands t into a restored part r = clamp(t/o, 0, 1)·o (k in Q15 from the
// 2^30/o table) and an additive-impairment part a = t − r. When the (h, v)
// orientation of t is within 1° of o's, r is instead min/max(r·egl, t)
// (enhancement gain).
func (a *ADM) admDecouple0(w, h int) {
	b := &a.s0
	div := a.div
	egl := a.egl
	left, top, right, bottom := admBorder(w, h)
	for i := top; i < bottom; i++ {
		lo, hi := i*w+left, i*w+right
		oh, ov, od := b.ref[1][lo:hi], b.ref[2][lo:hi], b.ref[3][lo:hi]
		th, tv, td := b.dis[1][lo:hi], b.dis[2][lo:hi], b.dis[3][lo:hi]
		rh, rv, rd := b.decR[0][lo:hi], b.decR[1][lo:hi], b.decR[2][lo:hi]
		ah, av, ad := b.decA[0][lo:hi], b.decA[1][lo:hi], b.decA[2][lo:hi]
		fR, cR, fA, cA := b.fR[lo:hi], b.cR[lo:hi], b.fA[lo:hi], b.cA[lo:hi]
		n := len(oh)
		ov, od, th, tv, td = ov[:n], od[:n], th[:n], tv[:n], td[:n]
		rh, rv, rd, ah, av, ad = rh[:n], rv[:n], rd[:n], ah[:n], av[:n], ad[:n]
		fR, cR, fA, cA = fR[:n], cR[:n], fA[:n], cA[:n]
		for j := 0; j < n; j++ {
			xoh, xov, xod := int32(oh[j]), int32(ov[j]), int32(od[j])
			xth, xtv, xtd := int32(th[j]), int32(tv[j]), int32(td[j])
			angle := false
			// Each product fits in int32; their sums need int64.
			if otDP := int64(xoh*xth) + int64(xov*xtv); otDP >= 0 {
				angle = admAngleFlag(otDP, int64(xoh*xoh)+int64(xov*xov), int64(xth*xth)+int64(xtv*xtv))
			}
			yh := admRestore16(xoh, xth, div, angle, egl)
			yv := admRestore16(xov, xtv, div, angle, egl)
			yd := admRestore16(xod, xtd, div, angle, egl)
			rh[j], rv[j], rd[j] = yh, yv, yd
			zh, zv, zd := int16(xth-int32(yh)), int16(xtv-int32(yv)), int16(xtd-int32(yd))
			ah[j], av[j], ad[j] = zh, zv, zd
			fR[j], cR[j] = admCSFSums0(yh, yv, yd)
			fA[j], cA[j] = admCSFSums0(zh, zv, zd)
		}
	}
}

// admRestore16 is one band's restored coefficient in libvmaf's adm_decouple.
func admRestore16(o, t int32, div *[65537]int32, angle bool, egl float64) int16 {
	k := int32(32768)
	if o != 0 {
		k = int32((int64(div[uint16(o+32768)])*int64(t) + 16384) >> 15)
		k = min(max(k, 0), 32768)
	}
	rst := int16((k*o + 16384) >> 15)
	if angle && k > 0 && o != 0 {
		rst = int16(admGain(int64(rst), int64(t), int64(k), o, egl))
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

// admDecouple123 is libvmaf's adm_decouple_s123 (int32 bands, row stride w)
// followed by its i4_adm_csf of both results (fused, see admCSFSums123): as
// admDecouple0, but the division t/o uses the 15 leading bits of |o|
// (admBest15) and a correspondingly larger shift.
func (a *ADM) admDecouple123(w, h int, rf [3]uint32) {
	b := &a.s1
	div := a.div
	egl := a.egl
	left, top, right, bottom := admBorder(w, h)
	for i := top; i < bottom; i++ {
		lo, hi := i*w+left, i*w+right
		oh, ov, od := b.ref[1][lo:hi], b.ref[2][lo:hi], b.ref[3][lo:hi]
		th, tv, td := b.dis[1][lo:hi], b.dis[2][lo:hi], b.dis[3][lo:hi]
		rh, rv, rd := b.decR[0][lo:hi], b.decR[1][lo:hi], b.decR[2][lo:hi]
		ah, av, ad := b.decA[0][lo:hi], b.decA[1][lo:hi], b.decA[2][lo:hi]
		fR, cR, fA, cA := b.fR[lo:hi], b.cR[lo:hi], b.fA[lo:hi], b.cA[lo:hi]
		n := len(oh)
		ov, od, th, tv, td = ov[:n], od[:n], th[:n], tv[:n], td[:n]
		rh, rv, rd, ah, av, ad = rh[:n], rv[:n], rd[:n], ah[:n], av[:n], ad[:n]
		fR, cR, fA, cA = fR[:n], cR[:n], fA[:n], cA[:n]
		for j := 0; j < n; j++ {
			xoh, xov, xod := oh[j], ov[j], od[j]
			xth, xtv, xtd := th[j], tv[j], td[j]
			angle := false
			if otDP := int64(xoh)*int64(xth) + int64(xov)*int64(xtv); otDP >= 0 {
				oMag := int64(xoh)*int64(xoh) + int64(xov)*int64(xov)
				tMag := int64(xth)*int64(xth) + int64(xtv)*int64(xtv)
				angle = admAngleFlag(otDP, oMag, tMag)
			}
			yh := admRestore32(xoh, xth, div, angle, egl)
			yv := admRestore32(xov, xtv, div, angle, egl)
			yd := admRestore32(xod, xtd, div, angle, egl)
			rh[j], rv[j], rd[j] = yh, yv, yd
			zh, zv, zd := xth-yh, xtv-yv, xtd-yd
			ah[j], av[j], ad[j] = zh, zv, zd
			fR[j], cR[j] = admCSFSums123(yh, yv, yd, rf)
			fA[j], cA[j] = admCSFSums123(zh, zv, zd, rf)
		}
	}
}

// admRestore32 is one band's restored coefficient in libvmaf's
// adm_decouple_s123.
func admRestore32(o, t int32, div *[65537]int32, angle bool, egl float64) int32 {
	var k int64 = 32768
	if o != 0 {
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
		round := int64(int32(1) << ((14 + shift) & 31))
		k = ((int64(div[int(msb)+32768])*int64(t))*sign + round) >> ((15 + shift) & 63)
		k = min(max(k, 0), 32768)
	}
	rst := int32((k*int64(o) + 16384) >> 15)
	if angle && k > 0 && o != 0 {
		rst = int32(admGain(int64(rst), int64(t), k, o, egl))
	}
	return rst
}
