package quality

import "math"

// admNeighbours returns the previous and next index of i in 0..n-1 as
// libvmaf's ADM_CM_THRESH_* macros mirror them: 1 before index 0 (reflection
// without repeating the edge) and n-1 after index n-1 (edge repeated).
func admNeighbours(i, n int) (int, int) {
	switch {
	case i == 0:
		return 1, 1
	case i == n-1:
		return n - 2, n - 1
	}
	return i - 1, i + 1
}

// admCMShifts are the rounding shifts of one band in libvmaf's adm_cm /
// i4_adm_cm: the threshold is shifted left by sub, x² is rounded right by
// sq, x³ by cub.
type admCMShifts struct {
	sub    uint
	addSq  int64
	sq     uint
	addCub int64
	cub    uint
}

// cube is ADM_CM_ACCUM_ROUND / I4_ADM_CM_ACCUM_ROUND: the masked
// coefficient max(|x| − thr<<sub, 0) cubed with libvmaf's rounding (int32
// square, int64 cube).
func (s *admCMShifts) cube(x, thr int32) int64 {
	x = abs32(x) - thr<<(s.sub&31)
	x = max(x, 0)
	sq := int32((int64(x)*int64(x) + s.addSq) >> (s.sq & 63))
	return (int64(sq)*int64(x) + s.addCub) >> (s.cub & 63)
}

// admCMConsts is what admCMRow0AVX2 reads: a band's csf weight and
// admCMShifts, plus 2^(63−cub) for its arithmetic 64-bit shift.
type admCMConsts struct {
	rf     int32 // scale 0; scales 1..3 use rf64
	_      int32
	sub    uint64
	addSq  int64
	sq     uint64
	addCub int64
	cub    uint64
	bias   int64
	rf64   int64 // the Q32 weight of scales 1..3 (its low dword is read as rf there)
}

func (s *admCMShifts) consts(rf int32) admCMConsts {
	return admCMConsts{rf: rf, sub: uint64(s.sub), addSq: s.addSq, sq: uint64(s.sq), addCub: s.addCub, cub: uint64(s.cub), bias: int64(uint64(1) << (63 - s.cub))}
}

// admCMRow123 sums the cubes of one band of one row of i4_adm_cm:
// x = (src·rf + 2^27) >> 28 against the thresholds thr.
func admCMRow123(src []int32, thr []int32, s *admCMShifts, k *admCMConsts, asm bool) int64 {
	thr = thr[:len(src)]
	var sum int64
	done := 0
	if asm && s.sub == 0 { // the vector kernel has i4_adm_cm's zero threshold shift
		k.rf = int32(k.rf64)
		sum, done = admCMRow123Asm(src, thr, k)
	}
	rf := k.rf64
	for j := done; j < len(src); j++ {
		sum += s.cube(int32((int64(src[j])*rf+1<<27)>>28), thr[j])
	}
	return sum
}

// admCMRow0 sums the cubes of one band of one row of adm_cm (scale 0):
// x = src·rf against the thresholds thr, with the AVX2 kernel's help when
// asm is set and the AVX-512 one's when avx512 also is.
func admCMRow0(src []int16, thr []int32, s *admCMShifts, k *admCMConsts, asm, avx512 bool) int64 {
	thr = thr[:len(src)]
	var sum int64
	done := 0
	if asm {
		sum, done = admCMRow0Asm(src, thr, k, avx512)
	}
	rf := k.rf
	for j := done; j < len(src); j++ {
		sum += s.cube(int32(src[j])*rf, thr[j])
	}
	return sum
}

// admCMLayout is the loop geometry shared by adm_cm and i4_adm_cm: the
// admInner region, the columns whose vertical sums it reads, the row shift.
type admCMLayout struct {
	left, top, right, bottom int
	vl, vr                   int // columns of the vertical 3-sums needed
	jl, jr                   int // columns with both neighbours inside the band
	shiftInner               uint32
	addInner                 int64
}

func newADMCMLayout(w, h int) admCMLayout {
	var l admCMLayout
	l.left, l.top, l.right, l.bottom = admInner(w, h)
	l.vl, l.vr = max(l.left-1, 0), min(l.right+1, w)
	l.jl, l.jr = max(l.left, 1), min(l.right, w-1)
	l.shiftInner = uint32(math.Ceil(math.Log2(float64(h))))
	l.addInner = int64(uint32(math.Pow(2, float64(l.shiftInner-1))))
	return l
}

// thresholds fills thr[j] for j in [left, right) of row i with libvmaf's
// masking threshold
//
//	thr = Σ_θ ( Σ_{3×3 \ centre} flt_θ + |a_θ(centre)|/15 )
//	    = box3×3(fsum) − fsum(centre) + csum(centre)
//
// with neighbours mirrored as admNeighbours. The int32 sums wrap as
// libvmaf's do, so the regrouping is exact. vsum is scratch of length w.
func (l *admCMLayout) thresholds(fsum, csum []int32, w, h, i int, vsum, thr []int32, asm bool) {
	im, ip := admNeighbours(i, h)
	fm := fsum[im*w : im*w+w]
	f0 := fsum[i*w : i*w+w]
	fp := fsum[ip*w : ip*w+w]
	c0 := csum[i*w : i*w+w]
	{
		a, b, c, v := fm[l.vl:l.vr], f0[l.vl:l.vr], fp[l.vl:l.vr], vsum[l.vl:l.vr]
		b, c, v = b[:len(a)], c[:len(a)], v[:len(a)]
		done := 0
		if asm {
			done = admAdd3Asm(a, b, c, v)
		}
		for j := done; j < len(a); j++ {
			v[j] = a[j] + b[j] + c[j]
		}
	}
	if l.left == 0 {
		thr[0] = vsum[1] + vsum[0] + vsum[1] - f0[0] + c0[0]
		thr[w-1] = vsum[w-2] + vsum[w-1] + vsum[w-1] - f0[w-1] + c0[w-1]
	}
	if l.jr <= l.jl {
		return
	}
	vm := vsum[l.jl-1 : l.jr-1]
	v0 := vsum[l.jl:l.jr]
	vp := vsum[l.jl+1 : l.jr+1]
	ff := f0[l.jl:l.jr]
	cc := c0[l.jl:l.jr]
	t := thr[l.jl:l.jr]
	v0, vp, ff, cc, t = v0[:len(vm)], vp[:len(vm)], ff[:len(vm)], cc[:len(vm)], t[:len(vm)]
	done := 0
	if asm {
		done = admThrAsm(vsum[l.jl-1:l.jr+1], ff, cc, t)
	}
	for j := done; j < len(vm); j++ {
		t[j] = vm[j] + v0[j] + vp[j] - ff[j] + cc[j]
	}
}

// admCM0 is libvmaf's adm_cm for scale 0 (int16 bands, row stride w): the
// contrast-masked 3-norm of the bands of src over the admInner region. Each
// coefficient x_θ = src_θ·rf_θ (Q21/Q21/Q23) is reduced by the masking
// threshold (admCMLayout.thresholds over the csf sums of the other
// decomposition) shifted to x's Q format (<<10, <<10, <<12), clamped at 0,
// then cubed with libvmaf's rounding shifts: x² >> 29 (30 for d),
// ·x >> ceil(log2(w)−4) (−3 for d), each row's sum >> ceil(log2(h)). The
// result is
//
//	Σ_θ ( powf(Σ x³ / 2^(52|57 − shifts), 1/3) + powf(area·nw, 1/3) )
//
// with noise weight nw (0 for AIM). vsum and thr are scratch of length w.
func admCM0(src *[3][]int16, fsum, csum []int32, w, h int, rf *[3]int32, nw float64, vsum, thr []int32, asm, avx512 bool) float32 {
	shiftCubH := uint32(math.Ceil(math.Log2(float64(w)) - 4))
	shiftCubD := uint32(math.Ceil(math.Log2(float64(w)) - 3))
	sh := admCMShifts{10, 1 << 28, 29, int64(uint32(math.Pow(2, float64(shiftCubH-1)))), uint(shiftCubH)}
	sd := admCMShifts{12, 1 << 29, 30, int64(uint32(math.Pow(2, float64(shiftCubD-1)))), uint(shiftCubD)}
	l := newADMCMLayout(w, h)

	kh, kv, kd := sh.consts(rf[0]), sh.consts(rf[1]), sd.consts(rf[2])
	var acc [3]int64
	for i := l.top; i < l.bottom; i++ {
		l.thresholds(fsum, csum, w, h, i, vsum, thr, asm)
		t := thr[l.left:l.right]
		ih := admCMRow0(src[0][i*w+l.left:i*w+l.right], t, &sh, &kh, asm, avx512)
		iv := admCMRow0(src[1][i*w+l.left:i*w+l.right], t, &sh, &kv, asm, avx512)
		id := admCMRow0(src[2][i*w+l.left:i*w+l.right], t, &sd, &kd, asm, avx512)
		acc[0] += (ih + l.addInner) >> l.shiftInner
		acc[1] += (iv + l.addInner) >> l.shiftInner
		acc[2] += (id + l.addInner) >> l.shiftInner
	}
	conv := [3]uint32{52 - shiftCubH, 52 - shiftCubH, 57 - shiftCubD}
	var fa [3]float32
	for t := range fa {
		fa[t] = float32(float64(acc[t]) / math.Pow(2, float64(conv[t]-l.shiftInner)))
	}
	return admNumSum(fa, (l.bottom-l.top)*(l.right-l.left), nw)
}

// admNumSum finishes a cm stage: Σ_θ (powf(acc_θ, 1/3) + powf(area·nw, 1/3))
// in float, in libvmaf's order.
func admNumSum(fa [3]float32, area int, nw float64) float32 {
	add := admPowf(float32(float64(area) * nw))
	h := admPowf(fa[0]) + add
	v := admPowf(fa[1]) + add
	d := admPowf(fa[2]) + add
	return h + v + d
}

// admCM123 is libvmaf's i4_adm_cm for scales 1..3 (int32 bands, row stride
// w): as admCM0 with x_θ = (src_θ·rf_θ + 2^27) >> 28 (Q32 factor), the int32
// centre term of admCSFSums123, no threshold shift, x² rounded >> 30, ·x
// rounded >> ceil(log2(w)), rows >> ceil(log2(h)), and final scales
// 2^(45|39|36 − shifts) per scale.
func admCM123(src *[3][]int32, fsum, csum []int32, scale, w, h int, rf [3]uint32, nw float64, vsum, thr []int32, asm bool) float32 {
	shiftCub := uint32(math.Ceil(math.Log2(float64(w))))
	s := admCMShifts{0, 1 << 29, 30, int64(uint32(math.Pow(2, float64(shiftCub-1)))), uint(shiftCub)}
	l := newADMCMLayout(w, h)
	final := float32(math.Pow(2, float64([3]uint32{45, 39, 36}[scale-1]-shiftCub-l.shiftInner)))
	var k [3]admCMConsts
	for t := range k {
		k[t] = s.consts(0)
		k[t].rf64 = int64(rf[t])
	}
	// The vector kernel multiplies signed dwords; libvmaf's Q32 weights are
	// far below 2^31.
	asm = asm && rf[0] < 1<<31 && rf[1] < 1<<31 && rf[2] < 1<<31

	var acc [3]int64
	for i := l.top; i < l.bottom; i++ {
		l.thresholds(fsum, csum, w, h, i, vsum, thr, asm)
		t := thr[l.left:l.right]
		for b := range acc {
			inner := admCMRow123(src[b][i*w+l.left:i*w+l.right], t, &s, &k[b], asm)
			acc[b] += (inner + l.addInner) >> l.shiftInner
		}
	}
	var fa [3]float32
	for t := range fa {
		// libvmaf divides int64 by float: the division is done in float.
		fa[t] = float32(acc[t]) / final
	}
	return admNumSum(fa, (l.bottom-l.top)*(l.right-l.left), nw)
}
