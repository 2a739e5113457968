package quality

// Daubechies-2 analysis filters in Q15, libvmaf's dwt2_db2_coeffs_lo/hi
// (integer_adm.h). The low-pass taps sum to admLoSum; the high-pass taps sum
// to zero.
const (
	admLo0, admLo1, admLo2, admLo3 = 15826, 27411, 7345, -4240
	admHi0, admHi1, admHi2, admHi3 = -4240, -7345, 27411, -15826
	admLoSum                       = 46342
)

// admDWTIndices fills idx[0..3] (each of length (n+1)/2) with the four source
// rows (or columns) that output i of the DWT reads: 2i-1, 2i, 2i+1, 2i+2,
// with row 0 reading 1, 0, 1, 2 and indices past the end reflected as
// 2n-k-1. It mirrors libvmaf's dwt2_src_indices_filt for one direction; n
// must be at least 5 (see admMinSize).
func admDWTIndices(idx *[4][]int, n int) {
	half := (n + 1) / 2
	for k := range idx {
		idx[k] = idx[k][:half]
	}
	idx[0][0], idx[1][0], idx[2][0], idx[3][0] = 1, 0, 1, 2
	for i := 1; i < half; i++ {
		for k := 0; k < 4; k++ {
			v := 2*i - 1 + k
			if i >= half-2 && v >= n {
				v = 2*n - v - 1
			}
			idx[k][i] = v
		}
	}
}

// admSIMDLast reports whether libvmaf's AVX-512 horizontal pass, which
// runs over outputs 1..half-1 in blocks of block and leaves the remainder,
// (half-1) mod block, to scalar code, covers the last output half-1. The
// vector code indexes its source as 2j-1..2j+2 without the reflection at the
// right edge, so for that output it reads past the end of its row into the
// next row buffer. libvmaf's reference output comes from that code
// (adm_dwt2_8_avx512: block 32; adm_dwt2_16_avx512: 64;
// adm_dwt2_s123_combined_avx512: 8), so we read the same values.
func admSIMDLast(half, block int) bool {
	return half > 1 && (half-1)%block == 0
}

// admDWT0 is libvmaf's adm_dwt2_8 / adm_dwt2_16 (they are the same arithmetic
// with shift_VP = bpc): one level of the 2-D db2 DWT of a w×h plane of
// bpc-bit samples into four int16 bands of ((w+1)/2)×((h+1)/2), row stride
// (w+1)/2.
//
// Vertical pass (per column, Q15 taps, input re-centred around zero):
//
//	lo = (Σ lo_k·s_k − 46342·2^(bpc−1) + 2^(bpc−1)) >> bpc   (int16)
//	hi = (Σ hi_k·s_k + 2^(bpc−1)) >> bpc                     (int16)
//
// Horizontal pass: a = lo⊗lo, v = lo⊗hi, h = hi⊗lo, d = hi⊗hi, each
// (Σ tap_k·t_k + 32768) >> 16. All sums are int32 as in libvmaf. tmp holds
// the lo row then the hi row, as libvmaf's tmp_ref does, plus two entries
// that stay zero (see admSIMDLast).
//
// The AVX2 kernels do what they can when asm is set, with the AVX-512
// ones' help when avx512 is.
func admDWT0(src []uint16, w, h, bpc int, a, bv, bh, bd []int16, tmp []int16, iy, ix *[4][]int, asm, avx512 bool) {
	shiftVP := uint(bpc) & 31
	addVP := int32(1) << (bpc - 1)
	add := addVP - int32(admLoSum)*addVP // rounding and re-centring of the lo pass
	hw := (w + 1) / 2
	block := 64
	if bpc == 8 {
		block = 32
	}
	last := admSIMDLast(hw, block)
	tmp = tmp[:2*w+2]
	tmplo := tmp[:w]
	tmphi := tmp[w : 2*w]
	for i := 0; i < (h+1)/2; i++ {
		admDWT0Vertical(src[iy[0][i]*w:iy[0][i]*w+w], src[iy[1][i]*w:iy[1][i]*w+w],
			src[iy[2][i]*w:iy[2][i]*w+w], src[iy[3][i]*w:iy[3][i]*w+w], tmplo, tmphi, add, addVP, shiftVP, asm, avx512)
		oa := a[i*hw : i*hw+hw]
		ov := bv[i*hw : i*hw+hw]
		oh := bh[i*hw : i*hw+hw]
		od := bd[i*hw : i*hw+hw]
		admDWT0Horizontal(tmplo, oa, ov, asm, avx512)
		admDWT0Horizontal(tmphi, oh, od, asm, avx512)
		// The ends go through the mirrored index tables (or libvmaf's
		// vector read, admSIMDLast).
		for _, j := range [2]int{0, hw - 1} {
			j0, j1, j2, j3 := ix[0][j], ix[1][j], ix[2][j], ix[3][j]
			if last && j == hw-1 {
				j0, j1, j2, j3 = 2*j-1, 2*j, 2*j+1, 2*j+2
			}
			s0, s1, s2, s3 := int32(tmp[j0]), int32(tmp[j1]), int32(tmp[j2]), int32(tmp[j3])
			oa[j] = int16((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + 32768) >> 16)
			ov[j] = int16((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + 32768) >> 16)
			s0, s1, s2, s3 = int32(tmp[w+j0]), int32(tmp[w+j1]), int32(tmp[w+j2]), int32(tmp[w+j3])
			oh[j] = int16((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + 32768) >> 16)
			od[j] = int16((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + 32768) >> 16)
		}
	}
}

// admDWT0Vertical is the vertical pass of admDWT0 over one output row:
// source rows r0..r3 into the lo and hi rows.
func admDWT0Vertical(r0, r1, r2, r3 []uint16, lo, hi []int16, addLo, addHi int32, sh uint, asm, avx512 bool) {
	r1, r2, r3 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)]
	lo, hi = lo[:len(r0)], hi[:len(r0)]
	sh &= 31
	done := 0
	if asm {
		done = admDWT0VerticalAsm(r0, r1, r2, r3, lo, hi, addLo, addHi, sh, avx512)
	}
	for j := done; j < len(r0); j++ {
		s0, s1, s2, s3 := int32(r0[j]), int32(r1[j]), int32(r2[j]), int32(r3[j])
		lo[j] = int16((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + addLo) >> sh)
		hi[j] = int16((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + addHi) >> sh)
	}
}

// admDWT0Horizontal is the horizontal pass of admDWT0 over outputs
// 1..len(lp)-2 of one row of vertical-pass output t: lp = t⊗lo, hp = t⊗hi.
// Output j reads t[2j-1..2j+2] with no mirroring.
func admDWT0Horizontal(t, lp, hp []int16, asm, avx512 bool) {
	hp = hp[:len(lp)]
	done := 0
	if asm {
		done = admDWT0HorizontalAsm(t, lp, hp, avx512)
	}
	for j := 1 + done; j < len(lp)-1; j++ {
		l := t[2*j-1 : 2*j+3]
		s0, s1, s2, s3 := int32(l[0]), int32(l[1]), int32(l[2]), int32(l[3])
		lp[j] = int16((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + 32768) >> 16)
		hp[j] = int16((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + 32768) >> 16)
	}
}

// Rounding of libvmaf's adm_dwt2_s123_combined for scales 1, 2 and 3
// (index scale-1): vertical pass (x + addVP) >> shiftVP, horizontal pass
// (x + addHP) >> shiftHP, on int64 sums stored as int32.
var (
	admAddVP   = [3]int64{0, 32768, 32768}
	admShiftVP = [3]uint{0, 16, 16}
	admAddHP   = [3]int64{16384, 32768, 16384}
	admShiftHP = [3]uint{15, 16, 15}
)

// admDWT123 is libvmaf's adm_dwt2_s123_combined: the db2 DWT of the w×h
// int32 approximation bands ref and dis (row stride w) of the previous scale
// into four int32 bands each of ((w+1)/2)×((h+1)/2), row stride (w+1)/2,
// with int64 accumulation and the per-scale rounding above. tmp is laid out
// as libvmaf's tmp_ref: lo and hi rows of ref, then of dis, each w long; it
// must persist across scales, since the last output of admSIMDLast reads
// past them into what the previous scale left there. The AVX2 kernels do
// what they can when asm is set, with the AVX-512 ones' help when avx512
// is (the vertical pass of scales 2 and 3, which have no AVX2 kernel, and
// the horizontal pass).
func admDWT123(ref, dis []int32, w, h, scale int, rb, db *[4][]int32, tmp []int32, iy, ix *[4][]int, asm, avx512 bool) {
	addVP, shVP := admAddVP[scale-1], admShiftVP[scale-1]
	hw := (w + 1) / 2
	addHP, shHP := admAddHP[scale-1], admShiftHP[scale-1]
	k := [2]admDWTConsts{
		{c: [4]int32{admLo0, admLo1, admLo2, admLo3}, add: addHP, sh: uint64(shHP), bias: 1 << (63 - shHP)},
		{c: [4]int32{admHi0, admHi1, admHi2, admHi3}, add: addHP, sh: uint64(shHP), bias: 1 << (63 - shHP)},
	}
	vasm := asm && scale == 1
	v512 := asm && avx512 && scale > 1
	for i := 0; i < (h+1)/2; i++ {
		admDWT123Vertical(ref, w, iy, i, tmp[:w], tmp[w:2*w], addVP, shVP, vasm, v512)
		admDWT123Vertical(dis, w, iy, i, tmp[2*w:3*w], tmp[3*w:4*w], addVP, shVP, vasm, v512)
		admDWT123Horizontal(tmp, 0, w, hw, i, scale, rb, ix, &k, asm, avx512)
		admDWT123Horizontal(tmp, 2*w, w, hw, i, scale, db, ix, &k, asm, avx512)
	}
}

// admDWTConsts is what admDWTRow64AVX2 reads: one filter's taps, the
// rounding add and shift, and 2^(63−sh) for its arithmetic 64-bit shift
// (admDWTRow64AVX512 takes the first three as arguments).
type admDWTConsts struct {
	c    [4]int32
	add  int64
	sh   uint64
	bias int64
}

// admDWT123Vertical is the vertical pass of one row of admDWT123, with the
// scale-1 AVX2 kernel's help when asm is set or the AVX-512 one's (any
// scale) when avx512 is.
func admDWT123Vertical(src []int32, w int, iy *[4][]int, i int, lo, hi []int32, add int64, sh uint, asm, avx512 bool) {
	r0 := src[iy[0][i]*w : iy[0][i]*w+w]
	r1 := src[iy[1][i]*w : iy[1][i]*w+w]
	r2 := src[iy[2][i]*w : iy[2][i]*w+w]
	r3 := src[iy[3][i]*w : iy[3][i]*w+w]
	r1, r2, r3 = r1[:len(r0)], r2[:len(r0)], r3[:len(r0)]
	lo, hi = lo[:len(r0)], hi[:len(r0)]
	sh &= 63
	done := 0
	switch {
	case avx512:
		done = admDWT123VerticalAsm512(r0, r1, r2, r3, lo, hi, add, sh)
	case asm:
		// Scale 1 only: no rounding or shift, so int32 arithmetic is exact.
		done = admDWT1VerticalAsm(r0, r1, r2, r3, lo, hi)
	}
	for j := done; j < len(r0); j++ {
		s0, s1, s2, s3 := int64(r0[j]), int64(r1[j]), int64(r2[j]), int64(r3[j])
		lo[j] = int32((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + add) >> sh)
		hi[j] = int32((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + add) >> sh)
	}
}

// admDWT123Horizontal is the horizontal pass of row i of admDWT123 for the
// image whose lo row starts at tmp[base] (its hi row at tmp[base+w]).
func admDWT123Horizontal(tmp []int32, base, w, hw, i, scale int, out *[4][]int32, ix *[4][]int, k *[2]admDWTConsts, asm, avx512 bool) {
	addHP, shHP := admAddHP[scale-1], admShiftHP[scale-1]&63
	last := admSIMDLast(hw, 8)
	oa := out[0][i*hw : i*hw+hw]
	oh := out[1][i*hw : i*hw+hw]
	ov := out[2][i*hw : i*hw+hw]
	od := out[3][i*hw : i*hw+hw]
	oh, ov, od = oh[:len(oa)], ov[:len(oa)], od[:len(oa)]
	lo := tmp[base : base+w]
	hi := tmp[base+w : base+2*w]
	done := 0
	if asm {
		done = admDWTRow64Asm(lo, oa, &k[0], avx512)
		admDWTRow64Asm(lo, ov, &k[1], avx512)
		admDWTRow64Asm(hi, oh, &k[0], avx512)
		admDWTRow64Asm(hi, od, &k[1], avx512)
	}
	for j := 1 + done; j < hw-1; j++ {
		l := lo[2*j-1 : 2*j+3]
		s0, s1, s2, s3 := int64(l[0]), int64(l[1]), int64(l[2]), int64(l[3])
		oa[j] = int32((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + addHP) >> shHP)
		ov[j] = int32((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + addHP) >> shHP)
		g := hi[2*j-1 : 2*j+3]
		s0, s1, s2, s3 = int64(g[0]), int64(g[1]), int64(g[2]), int64(g[3])
		oh[j] = int32((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + addHP) >> shHP)
		od[j] = int32((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + addHP) >> shHP)
	}
	// The ends use the mirrored index tables, or (admSIMDLast) libvmaf's
	// unmirrored vector read, which runs on into the next row buffer.
	lo, hi = tmp[base:], tmp[base+w:]
	for _, j := range [2]int{0, hw - 1} {
		j0, j1, j2, j3 := ix[0][j], ix[1][j], ix[2][j], ix[3][j]
		if last && j == hw-1 {
			j0, j1, j2, j3 = 2*j-1, 2*j, 2*j+1, 2*j+2
		}
		s0, s1, s2, s3 := int64(lo[j0]), int64(lo[j1]), int64(lo[j2]), int64(lo[j3])
		oa[j] = int32((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + addHP) >> shHP)
		ov[j] = int32((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + addHP) >> shHP)
		s0, s1, s2, s3 = int64(hi[j0]), int64(hi[j1]), int64(hi[j2]), int64(hi[j3])
		oh[j] = int32((admLo0*s0 + admLo1*s1 + admLo2*s2 + admLo3*s3 + addHP) >> shHP)
		od[j] = int32((admHi0*s0 + admHi1*s1 + admHi2*s2 + admHi3*s3 + addHP) >> shHP)
	}
}
