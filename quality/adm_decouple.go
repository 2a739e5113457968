package quality

import (
	"encoding/binary"
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
// stride w) followed by its adm_csf of both results (reduced to the sums
// adm_cm reads, admCSFSums0). For each coefficient in the admBorder region
// it splits the distorted bands t into a restored part r = clamp(t/o, 0,
// 1)·o (k in Q15 from the 2^30/o table) and an additive-impairment part
// a = t − r. When the (h, v) orientation of t is within 1° of o's, r is
// instead min/max(r·egl, t) (enhancement gain). Each row is done in short
// passes (angles, one band at a time, csf sums) to keep the loops in
// registers.
func (a *ADM) admDecouple0(w, h int) {
	b := &a.s0
	left, top, right, bottom := admBorder(w, h)
	angle := a.angle[:right-left]
	for i := top; i < bottom; i++ {
		lo, hi := i*w+left, i*w+right
		set := admAngles16(b.ref[1][lo:hi], b.ref[2][lo:hi], b.dis[1][lo:hi], b.dis[2][lo:hi], angle, a.angleSet[:0], a.asm, a.avx512)
		for t := 0; t < 3; t++ {
			admRestoreRow16(b.ref[t+1][lo:hi], b.dis[t+1][lo:hi], angle, set, b.decR[t][lo:hi], b.decA[t][lo:hi], a.div, a.egl, a.asm, a.avx512)
		}
		admCSFRow0(b.decR[0][lo:hi], b.decR[1][lo:hi], b.decR[2][lo:hi], b.fR[lo:hi], b.cR[lo:hi], &a.rf0, a.asm, a.avx512)
		admCSFRow0(b.decA[0][lo:hi], b.decA[1][lo:hi], b.decA[2][lo:hi], b.fA[lo:hi], b.cA[lo:hi], &a.rf0, a.asm, a.avx512)
	}
}

// admAngles16 sets angle[j] to 1 where admAngleFlag holds for the reference
// (oh, ov) and distorted (th, tv) orientation vectors, else 0, and returns
// set with the indices of the 1s appended (they are rare). The AVX2 kernel
// does what it can when asm is set, or the AVX-512 one when avx512 also is.
func admAngles16(oh, ov, th, tv []int16, angle []byte, set []int32, asm, avx512 bool) []int32 {
	ov, th, tv, angle = ov[:len(oh)], th[:len(oh)], tv[:len(oh)], angle[:len(oh)]
	done, any := 0, false
	if asm {
		done, any = admAngles16Asm(oh, ov, th, tv, angle, avx512)
	}
	for j := done; j < len(oh); j++ {
		xoh, xov, xth, xtv := int32(oh[j]), int32(ov[j]), int32(th[j]), int32(tv[j])
		// Each product fits in int32; their sums need int64.
		otDP := int64(xoh*xth) + int64(xov*xtv)
		angle[j] = 0
		if otDP >= 0 && admAngleFlag(otDP, int64(xoh*xoh)+int64(xov*xov), int64(xth*xth)+int64(xtv*xtv)) {
			angle[j], any = 1, true
		}
	}
	if any {
		set = admAppendSet(set, angle)
	}
	return set
}

// admAppendSet appends to set the indices of the nonzero bytes of flags,
// skipping zero words eight bytes at a time.
func admAppendSet(set []int32, flags []byte) []int32 {
	j := 0
	for ; j+8 <= len(flags); j += 8 {
		if binary.LittleEndian.Uint64(flags[j:]) == 0 {
			continue
		}
		for k := j; k < j+8; k++ {
			if flags[k] != 0 {
				set = append(set, int32(k))
			}
		}
	}
	for ; j < len(flags); j++ {
		if flags[j] != 0 {
			set = append(set, int32(j))
		}
	}
	return set
}

// admRestoreRow16 is one band of one row of adm_decouple: restored r and
// impairment a = t − r from reference o and distorted t, with the AVX2
// kernel's help when asm is set and the AVX-512 one's when avx512 also is.
func admRestoreRow16(o, t []int16, angle []byte, set []int32, r, a []int16, div *[65537]int32, egl float64, asm, avx512 bool) {
	t, angle, r, a = t[:len(o)], angle[:len(o)], r[:len(o)], a[:len(o)]
	done := 0
	if asm {
		// The vector kernel leaves out the enhancement gain; the few
		// coefficients with aligned orientations (set) are redone below.
		done = admRestoreRow16Asm(o, t, r, a, div, avx512)
		for _, j := range set {
			if int(j) < done {
				r[j], a[j] = admRestore16(int32(o[j]), int32(t[j]), true, div, egl)
			}
		}
	}
	for j := done; j < len(o); j++ {
		r[j], a[j] = admRestore16(int32(o[j]), int32(t[j]), angle[j] != 0, div, egl)
	}
}

// admRestore16 is adm_decouple for one coefficient: restored r and
// impairment a = t − r.
func admRestore16(xo, xt int32, angle bool, div *[65537]int32, egl float64) (int16, int16) {
	k := admK16(xo, xt, div)
	y := int16((k*xo + 16384) >> 15)
	if angle && k > 0 && xo != 0 {
		y = int16(admGain(int64(y), int64(xt), int64(k), xo, egl))
	}
	return y, int16(xt - int32(y))
}

// admCSFRow0 stores admCSFSums0 of one row of three bands into f and c.
// The vector kernels (AVX2 when asm is set, with AVX-512 when avx512 also
// is) have the default viewing model's weights built in.
func admCSFRow0(bh, bv, bd []int16, f, c []int32, rf *[3]int32, asm, avx512 bool) {
	bv, bd, f, c = bv[:len(bh)], bd[:len(bh)], f[:len(bh)], c[:len(bh)]
	done := 0
	if asm && *rf == admRFactor0 {
		done = admCSFRow0Asm(bh, bv, bd, f, c, avx512)
	}
	for j := done; j < len(bh); j++ {
		f[j], c[j] = admCSFSums0(bh[j], bv[j], bd[j], rf)
	}
}

// admK16 is adm_decouple's Q15 ratio k = clamp(t/o, 0, 1) from the
// reciprocal table: (div[o]·t + 2^14) >> 15, 1 when o = 0.
func admK16(o, t int32, div *[65537]int32) int32 {
	if o == 0 {
		return 32768
	}
	k := int32((int64(div[uint16(o+32768)])*int64(t) + 16384) >> 15)
	return min(max(k, 0), 32768)
}

// admBest15 is libvmaf's get_best15_from32: the 15 most significant bits
// of x ≥ 32768, rounded, and the shift that dropped the rest.
func admBest15(x uint32) (uint16, int32) {
	k := 17 - int32(bits.LeadingZeros32(x))
	x = (x + (uint32(1) << (k - 1))) >> k
	return uint16(x), k
}

// admDecouple123 is libvmaf's adm_decouple_s123 (int32 bands, row stride w)
// followed by its i4_adm_csf of both results (admCSFSums123): as
// admDecouple0, but the division t/o uses the 15 leading bits of |o|
// (admBest15) and a correspondingly larger shift.
func (a *ADM) admDecouple123(w, h int, rf [3]uint32) {
	b := &a.s1
	left, top, right, bottom := admBorder(w, h)
	angle := a.angle[:right-left]
	for i := top; i < bottom; i++ {
		lo, hi := i*w+left, i*w+right
		set := admAngles32(b.ref[1][lo:hi], b.ref[2][lo:hi], b.dis[1][lo:hi], b.dis[2][lo:hi], angle, a.angleSet[:0], a.asm && a.avx512)
		for t := 0; t < 3; t++ {
			admRestoreRow32(b.ref[t+1][lo:hi], b.dis[t+1][lo:hi], angle, set, b.decR[t][lo:hi], b.decA[t][lo:hi], a.div, a.egl, a.asm, a.avx512)
		}
		admCSFRow123(b.decR[0][lo:hi], b.decR[1][lo:hi], b.decR[2][lo:hi], b.fR[lo:hi], b.cR[lo:hi], &rf, a.asm)
		admCSFRow123(b.decA[0][lo:hi], b.decA[1][lo:hi], b.decA[2][lo:hi], b.fA[lo:hi], b.cA[lo:hi], &rf, a.asm)
	}
}

// admAngles32 is admAngles16 for int32 bands, with the AVX-512 kernel's
// help when avx512 is set (there is no AVX2 one).
func admAngles32(oh, ov, th, tv []int32, angle []byte, set []int32, avx512 bool) []int32 {
	ov, th, tv, angle = ov[:len(oh)], th[:len(oh)], tv[:len(oh)], angle[:len(oh)]
	done, any := 0, false
	if avx512 {
		done, any = admAngles32Asm(oh, ov, th, tv, angle)
	}
	for j := done; j < len(oh); j++ {
		xoh, xov, xth, xtv := int64(oh[j]), int64(ov[j]), int64(th[j]), int64(tv[j])
		otDP := xoh*xth + xov*xtv
		angle[j] = 0
		if otDP >= 0 && admAngleFlag(otDP, xoh*xoh+xov*xov, xth*xth+xtv*xtv) {
			angle[j], any = 1, true
		}
	}
	if any {
		set = admAppendSet(set, angle)
	}
	return set
}

// admRestoreRow32 is admRestoreRow16 for int32 bands (adm_decouple_s123).
func admRestoreRow32(o, t []int32, angle []byte, set []int32, r, a []int32, div *[65537]int32, egl float64, asm, avx512 bool) {
	t, angle, r, a = t[:len(o)], angle[:len(o)], r[:len(o)], a[:len(o)]
	done := 0
	if asm {
		// The vector kernel leaves out the enhancement gain; the
		// coefficients with aligned orientations (set) are redone below.
		done = admRestoreRow32Asm(o, t, r, a, div, avx512)
		for _, j := range set {
			if int(j) < done {
				r[j], a[j] = admRestore32(o[j], t[j], true, div, egl)
			}
		}
	}
	for j := done; j < len(o); j++ {
		r[j], a[j] = admRestore32(o[j], t[j], angle[j] != 0, div, egl)
	}
}

// admRestore32 is adm_decouple_s123 for one coefficient: restored r and
// impairment a = t − r, the ratio t/o from the 15 leading bits of |o|.
func admRestore32(xo, xt int32, angle bool, div *[65537]int32, egl float64) (int32, int32) {
	var k int64 = 32768
	if xo != 0 {
		abs, sign := uint32(xo), int64(1)
		if xo < 0 {
			abs, sign = uint32(-xo), -1
		}
		msb, shift := abs, int32(0)
		if abs >= 32768 {
			m, sh := admBest15(abs)
			msb, shift = uint32(m), sh
		}
		round := int64(int32(1) << ((14 + shift) & 31))
		k = ((int64(div[msb+32768])*int64(xt))*sign + round) >> ((15 + shift) & 63)
		k = min(max(k, 0), 32768)
	}
	y := int32((k*int64(xo) + 16384) >> 15)
	if k > 0 && xo != 0 && angle {
		y = int32(admGain(int64(y), int64(xt), k, xo, egl))
	}
	return y, xt - y
}

// admCSFRow123 stores admCSFSums123 of one row of three bands into f and c.
func admCSFRow123(bh, bv, bd []int32, f, c []int32, rf *[3]uint32, asm bool) {
	bv, bd, f, c = bv[:len(bh)], bd[:len(bh)], f[:len(bh)], c[:len(bh)]
	done := 0
	if asm {
		done = admCSFRow123Asm(bh, bv, bd, f, c, rf)
	}
	for j := done; j < len(bh); j++ {
		f[j], c[j] = admCSFSums123(bh[j], bv[j], bd[j], *rf)
	}
}
