package quality

import (
	"fmt"
	"math"
	"testing"
)

// The straightforward ADM csf and cm kernels, written as libvmaf's C code
// reads (one 3×3 neighbourhood per coefficient and band). They were checked
// equal to libvmaf's output on every reference pair before the production
// kernels were restructured, and now check those kernels on random bands.

// admRefBands16 are the scale-0 bands of the reference pipeline, with
// libvmaf's per-band csf outputs.
type admRefBands16 struct {
	ref, dis               [4][]int16
	decR, decA, csfA, csfF [3][]int16
}

// admRefBands32 is admRefBands16 for scales 1..3.
type admRefBands32 struct {
	ref, dis               [4][]int32
	decR, decA, csfA, csfF [3][]int32
}

// admRefCSF0 is libvmaf's adm_csf (scale 0): over the admBorder region it
// weights each band of src by the contrast sensitivity (Q21/Q23 factor,
// rounding shifts 15/15/17 with adds 16384/16384/65535) into dst and stores
// |dst|/30 (4369/2^17, rounded) into flt.
func admRefCSF0(src, dst, flt *[3][]int16, w, h int) {
	shifts := [3]uint{15, 15, 17}
	adds := [3]int32{16384, 16384, 65535}
	left, top, right, bottom := admBorder(w, h)
	for t := 0; t < 3; t++ {
		rf, sh, add := admRFactor0[t], shifts[t], adds[t]
		for i := top; i < bottom; i++ {
			s := src[t][i*w+left : i*w+right]
			d := dst[t][i*w+left : i*w+right]
			f := flt[t][i*w+left : i*w+right]
			for j := range s {
				v := int16((rf*int32(s[j]) + add) >> sh)
				d[j] = v
				f[j] = int16((4369*abs32(int32(v)) + 2048) >> 12)
			}
		}
	}
}

// admRefCSF123 is libvmaf's i4_adm_csf for scales 1..3: dst = (rf·src + 2^27)
// >> 28 with the Q32 factor rf, and flt = (143165577·|dst| − 2^31) >> 32.
// The −2^31 is libvmaf's: its rounding constant 1u<<31 is stored in an
// int32_t.
func admRefCSF123(src, dst, flt *[3][]int32, rf [3]uint32, w, h int) {
	left, top, right, bottom := admBorder(w, h)
	for t := 0; t < 3; t++ {
		r := int64(rf[t])
		for i := top; i < bottom; i++ {
			s := src[t][i*w+left : i*w+right]
			d := dst[t][i*w+left : i*w+right]
			f := flt[t][i*w+left : i*w+right]
			for j := range s {
				v := int32((r*int64(s[j]) + 1<<27) >> 28)
				d[j] = v
				f[j] = int32((143165577*int64(abs32(v)) + admFltAdd) >> 32)
			}
		}
	}
}

// admRefCM0 is libvmaf's adm_cm for scale 0 (int16 bands, row stride w): the
// contrast-masked 3-norm of the bands of src over the admInner region. Each
// coefficient x_θ = src_θ·rf_θ (Q21/Q21/Q23) is reduced by the masking
// threshold
//
//	thr = Σ_θ ( Σ_{3×3 \ centre} flt_θ + |a_θ(centre)|/15 )
//
// (a = csf output, flt = |a|/30; neighbours mirrored as admNeighbours),
// shifted to x's Q format (<<10, <<10, <<12), clamped at 0, then cubed with
// libvmaf's rounding shifts: x² >> 29 (30 for d), ·x >> ceil(log2(w)−4)
// (−3 for d), each row's sum >> ceil(log2(h)). The result is
//
//	Σ_θ ( powf(Σ x³ / 2^(52|57 − shifts), 1/3) + powf(area·nw, 1/3) )
//
// with noise weight nw (0 for AIM).
func admRefCM0(src, csfA, csfF *[3][]int16, w, h int, nw float64) float32 {
	shiftSub := [3]uint{10, 10, 12}
	shiftSq := [3]uint{29, 29, 30}
	addSq := [3]int64{1 << 28, 1 << 28, 1 << 29}
	shiftCubH := uint32(math.Ceil(math.Log2(float64(w)) - 4))
	shiftCubD := uint32(math.Ceil(math.Log2(float64(w)) - 3))
	shiftCub := [3]uint32{shiftCubH, shiftCubH, shiftCubD}
	var addCub [3]int64
	for t := range addCub {
		addCub[t] = int64(uint32(math.Pow(2, float64(shiftCub[t]-1))))
	}
	shiftInner := uint32(math.Ceil(math.Log2(float64(h))))
	addInner := int64(uint32(math.Pow(2, float64(shiftInner-1))))

	left, top, right, bottom := admInner(w, h)
	var acc [3]int64
	for i := top; i < bottom; i++ {
		im, ip := admNeighbours(i, h)
		var inner [3]int64
		for j := left; j < right; j++ {
			jm, jp := admNeighbours(j, w)
			var thr int32
			for t := 0; t < 3; t++ {
				f := csfF[t]
				r0, r1, r2 := im*w, i*w, ip*w
				c := int32(int16((8738*abs32(int32(csfA[t][r1+j])) + 2048) >> 12))
				thr += int32(f[r0+jm]) + int32(f[r0+j]) + int32(f[r0+jp]) +
					int32(f[r1+jm]) + c + int32(f[r1+jp]) +
					int32(f[r2+jm]) + int32(f[r2+j]) + int32(f[r2+jp])
			}
			for t := 0; t < 3; t++ {
				x := int32(src[t][i*w+j]) * admRFactor0[t]
				x = abs32(x) - thr<<shiftSub[t]
				x = max(x, 0)
				sq := int32((int64(x)*int64(x) + addSq[t]) >> shiftSq[t])
				inner[t] += (int64(sq)*int64(x) + addCub[t]) >> shiftCub[t]
			}
		}
		for t := range acc {
			acc[t] += (inner[t] + addInner) >> shiftInner
		}
	}
	conv := [3]uint32{52, 52, 57}
	var fa [3]float32
	for t := range fa {
		fa[t] = float32(float64(acc[t]) / math.Pow(2, float64(conv[t]-shiftCub[t]-shiftInner)))
	}
	return admNumSum(fa, (bottom-top)*(right-left), nw)
}

// admRefCM123 is libvmaf's i4_adm_cm for scales 1..3 (int32 bands, row stride
// w): as admRefCM0 with x_θ = (src_θ·rf_θ + 2^27) >> 28 (Q32 factor), centre
// term (286331153·|a| − 2^31) >> 32 (libvmaf's int32-stored 1u<<31 again),
// no threshold shift, x² rounded >> 30, ·x rounded >> ceil(log2(w)), rows
// >> ceil(log2(h)), and final scales 2^(45|39|36 − shifts) per scale.
func admRefCM123(src, csfA, csfF *[3][]int32, scale, w, h int, rf [3]uint32, nw float64) float32 {
	shiftCub := uint32(math.Ceil(math.Log2(float64(w))))
	addCub := int64(uint32(math.Pow(2, float64(shiftCub-1))))
	shiftInner := uint32(math.Ceil(math.Log2(float64(h))))
	addInner := int64(uint32(math.Pow(2, float64(shiftInner-1))))
	final := float32(math.Pow(2, float64([3]uint32{45, 39, 36}[scale-1]-shiftCub-shiftInner)))

	left, top, right, bottom := admInner(w, h)
	var acc [3]int64
	for i := top; i < bottom; i++ {
		im, ip := admNeighbours(i, h)
		var inner [3]int64
		for j := left; j < right; j++ {
			jm, jp := admNeighbours(j, w)
			var thr int32
			for t := 0; t < 3; t++ {
				f := csfF[t]
				r0, r1, r2 := im*w, i*w, ip*w
				c := int32((286331153*int64(abs32(csfA[t][r1+j])) + admFltAdd) >> 32)
				thr += f[r0+jm] + f[r0+j] + f[r0+jp] +
					f[r1+jm] + c + f[r1+jp] +
					f[r2+jm] + f[r2+j] + f[r2+jp]
			}
			for t := 0; t < 3; t++ {
				x := int32((int64(src[t][i*w+j])*int64(rf[t]) + 1<<27) >> 28)
				x = abs32(x) - thr
				x = max(x, 0)
				sq := int32((int64(x)*int64(x) + 1<<29) >> 30)
				inner[t] += (int64(sq)*int64(x) + addCub) >> shiftCub
			}
		}
		for t := range acc {
			acc[t] += (inner[t] + addInner) >> shiftInner
		}
	}
	var fa [3]float32
	for t := range fa {
		// libvmaf divides int64 by float: the division is done in float.
		fa[t] = float32(acc[t]) / final
	}
	return admNumSum(fa, (bottom-top)*(right-left), nw)
}

// admRefGain is the enhancement-gain step as first written.
func admRefGain(rst, t, kPos, o int64, egl float64) float64 {
	r := float64(rst) * egl
	if kPos > 0 && o > 0 {
		return math.Min(r, float64(t))
	}
	if kPos > 0 && o < 0 {
		return math.Max(r, float64(t))
	}
	return float64(rst)
}

// admRefDecouple0 is libvmaf's adm_decouple for scale 0 (int16 bands, row
// stride w). For each coefficient in the admBorder region it splits the
// distorted bands t into a restored part r = clamp(t/o, 0, 1)·o (k in Q15
// from the 2^30/o table) and an additive-impairment part a = t − r. When the
// (h, v) orientation of t is within 1° of o's, r is instead min/max(r·egl, t)
// (enhancement gain).
func admRefDecouple0(b *admRefBands16, div *[65537]int32, egl float64, w, h int) {
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

			rh := admRefRestore16(oh, th, div, angle, egl)
			rv := admRefRestore16(ov, tv, div, angle, egl)
			rd := admRefRestore16(od, td, div, angle, egl)
			b.decR[0][k], b.decR[1][k], b.decR[2][k] = rh, rv, rd
			b.decA[0][k] = int16(int32(th) - int32(rh))
			b.decA[1][k] = int16(int32(tv) - int32(rv))
			b.decA[2][k] = int16(int32(td) - int32(rd))
		}
	}
}

// admRefRestore16 is one band's restored coefficient in libvmaf's adm_decouple.
func admRefRestore16(o, t int32, div *[65537]int32, angle bool, egl float64) int16 {
	var tk int32
	if o == 0 {
		tk = 32768
	} else {
		tk = int32((int64(div[o+32768])*int64(t) + 16384) >> 15)
	}
	k := min(max(tk, 0), 32768)
	rst := int16((k*o + 16384) >> 15)
	if angle {
		rst = int16(admRefGain(int64(rst), int64(t), int64(k), int64(o), egl))
	}
	return rst
}

// admRefDecouple123 is libvmaf's adm_decouple_s123 (int32 bands, row stride w):
// as admRefDecouple0, but the division t/o uses the 15 leading bits of |o|
// (admBest15) and a correspondingly larger shift.
func admRefDecouple123(b *admRefBands32, div *[65537]int32, egl float64, w, h int) {
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

			rh := admRefRestore32(oh, th, div, angle, egl)
			rv := admRefRestore32(ov, tv, div, angle, egl)
			rd := admRefRestore32(od, td, div, angle, egl)
			b.decR[0][k], b.decR[1][k], b.decR[2][k] = rh, rv, rd
			b.decA[0][k] = th - rh
			b.decA[1][k] = tv - rv
			b.decA[2][k] = td - rd
		}
	}
}

// admRefRestore32 is one band's restored coefficient in libvmaf's
// adm_decouple_s123.
func admRefRestore32(o, t int32, div *[65537]int32, angle bool, egl float64) int32 {
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
		rst = int32(admRefGain(int64(rst), int64(t), k, int64(o), egl))
	}
	return rst
}

// admRefCompute is integer_compute_adm written with the reference kernels
// above and the production DWT (a plain transform, checked against
// libvmaf's output directly).
func admRefCompute(ref, dis []uint16, w, h, bpc int, egl float64) admResult {
	a := NewADM(ADMOptions{EnhnGainLimit: egl})
	a.alloc(w, h)
	n0 := ((w + 1) / 2) * ((h + 1) / 2)
	var b admRefBands16
	var c admRefBands32
	for k := 0; k < 4; k++ {
		b.ref[k], b.dis[k] = make([]int16, n0), make([]int16, n0)
		c.ref[k], c.dis[k] = make([]int32, n0), make([]int32, n0)
	}
	for k := 0; k < 3; k++ {
		b.decR[k], b.decA[k], b.csfA[k], b.csfF[k] = make([]int16, n0), make([]int16, n0), make([]int16, n0), make([]int16, n0)
		c.decR[k], c.decA[k], c.csfA[k], c.csfF[k] = make([]int32, n0), make([]int32, n0), make([]int32, n0), make([]int32, n0)
	}
	var r admResult
	var num, den, aimNum float64
	admDWTIndices(&a.iy, h)
	admDWTIndices(&a.ix, w)
	admDWT0(ref, w, h, bpc, b.ref[0], b.ref[2], b.ref[1], b.ref[3], a.tmp16, &a.iy, &a.ix, false, false)
	admDWT0(dis, w, h, bpc, b.dis[0], b.dis[2], b.dis[1], b.dis[3], a.tmp16, &a.iy, &a.ix, false, false)
	w, h = (w+1)/2, (h+1)/2
	aRef, aDis := make([]int32, w*h), make([]int32, w*h)
	for k := range aRef {
		aRef[k], aDis[k] = int32(b.ref[0][k]), int32(b.dis[0][k])
	}
	admRefDecouple0(&b, a.div, a.egl, w, h)
	d0 := admCSFDen0(&b.ref, w, h, a.rf[0], a.nw, false)
	admRefCSF0(&b.decA, &b.csfA, &b.csfF, w, h)
	n0s := admRefCM0(&b.decR, &b.csfA, &b.csfF, w, h, admNoiseWeight)
	admRefCSF0(&b.decR, &b.csfF, &b.csfA, w, h)
	a0 := admRefCM0(&b.decA, &b.csfF, &b.csfA, w, h, 0)
	num, den, aimNum = float64(n0s), float64(d0), float64(a0)
	r.num[0], r.den[0] = n0s, d0
	for s := 1; s < 4; s++ {
		admDWTIndices(&a.iy, h)
		admDWTIndices(&a.ix, w)
		admDWT123(aRef[:w*h], aDis[:w*h], w, h, s, &c.ref, &c.dis, a.tmp32, &a.iy, &a.ix, false, false)
		w, h = (w+1)/2, (h+1)/2
		copy(aRef, c.ref[0][:w*h])
		copy(aDis, c.dis[0][:w*h])
		admRefDecouple123(&c, a.div, a.egl, w, h)
		dn := admCSFDen123(&c.ref, s, w, h, a.rf[s], a.nw, false)
		admRefCSF123(&c.decA, &c.csfA, &c.csfF, a.rf123[s], w, h)
		nm := admRefCM123(&c.decR, &c.csfA, &c.csfF, s, w, h, a.rf123[s], admNoiseWeight)
		admRefCSF123(&c.decR, &c.csfF, &c.csfA, a.rf123[s], w, h)
		am := admRefCM123(&c.decA, &c.csfF, &c.csfA, s, w, h, a.rf123[s], 0)
		num += float64(nm)
		den += float64(dn)
		aimNum += float64(am)
		r.num[s], r.den[s] = nm, dn
	}
	r.aim = aimNum / den
	r.score = num / den
	r.numSum, r.denSum = num, den
	return r
}

// TestADMKernelsMatchReference compares the production pipeline with the
// reference kernels on random pictures of many sizes (odd, even, the
// smallest, border cases), 8 to 16 bit and several gain limits, for noisy
// and for near-identical pairs (where the enhancement gain applies), and
// on the first frame pair of three of libvmaf's inputs (8-bit 160x90 and
// 768x432, 10-bit 1280x720), whole and cut to awkward widths. Each runs
// with the pure-Go loops, the AVX2 kernels and the AVX2 kernels with the
// generated AVX-512 ones (where the CPU has them). The widths leave every
// kernel a remainder at some scale: the AVX-512 scale-0 vertical pass
// takes blocks of 32 columns, its horizontal pass and the decouple, csf
// and cm rows 16, the scale 1..3 horizontal pass 8 outputs, the AVX2
// kernels 8 or 4.
func TestADMKernelsMatchReference(t *testing.T) {
	sizes := [][2]int{{33, 33}, {34, 35}, {47, 40}, {64, 48}, {65, 66}, {95, 41}, {100, 90}, {129, 37}, {160, 90}, {241, 121}, {303, 34}, {481, 321}}
	for _, sz := range sizes {
		for _, bpc := range []int{8, 10, 12, 16} {
			for _, egl := range []float64{1, 100, 2.5} {
				for seed := uint32(1); seed <= 2; seed++ {
					name := fmt.Sprintf("%dx%d/%dbit/egl%g/seed%d", sz[0], sz[1], bpc, egl, seed)
					ref := admTestPicture(sz[0], sz[1], bpc, seed)
					dis := admTestPicture(sz[0], sz[1], bpc, seed+7)
					if seed == 2 {
						// Near-identical pictures exercise the gain limit.
						copy(dis.Planes[0], ref.Planes[0])
						for i := 0; i < len(dis.Planes[0]); i += 7 {
							dis.Planes[0][i] ^= 3
						}
					}
					checkADMKernels(t, name, ref, dis, egl)
				}
			}
		}
	}
	t.Run("real", func(t *testing.T) {
		for _, p := range realKernelPairs(t) {
			checkADMKernels(t, p.name, p.ref, p.dis, admDefaultEGL)
		}
	})
}

// checkADMKernels runs compute on the luma planes of ref and dis with
// each kernel set (pure Go, AVX2, AVX2 with AVX-512) and reports any
// result that differs from admRefCompute's.
func checkADMKernels(t *testing.T, label string, ref, dis *Picture, egl float64) {
	t.Helper()
	w, h, bpc := ref.Width, ref.Height, ref.BitDepth
	want := admRefCompute(ref.Planes[0], dis.Planes[0], w, h, bpc, egl)
	for _, k := range []struct{ asm, avx512 bool }{{false, false}, {admAVX2, false}, {admAVX2, admAVX512}} {
		a := NewADM(ADMOptions{EnhnGainLimit: egl})
		a.asm, a.avx512 = k.asm, k.avx512
		a.alloc(w, h)
		if got := a.compute(ref.Planes[0], dis.Planes[0], w, h, bpc); got != want {
			t.Errorf("%s asm %v avx512 %v: got %+v, reference %+v", label, k.asm, k.avx512, got, want)
		}
	}
}

// TestADMRestoreRowsMatch compares the decouple row kernels with their Go
// loops on extreme coefficients: tiny and huge references against large
// distorted values (ratios far outside [0, 1], where libvmaf clamps the
// int64 quotient), zeros, and both signs.
func TestADMRestoreRowsMatch(t *testing.T) {
	div := admDivLookup()
	x := uint64(88172645463325252)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	pick32 := func() int32 {
		switch next() % 6 {
		case 0:
			return 0
		case 1:
			return int32(next()%7) - 3
		case 2:
			return int32(next()%(1<<16)) - 1<<15
		case 3:
			return int32(next()%(1<<31)) - 1<<30
		case 4:
			// Up to 2^31 − 1 in magnitude, where get_best15_from32
			// shifts by 16.
			if v := int32(next() % (1 << 31)); next()%2 == 0 {
				return -v
			} else {
				return v
			}
		}
		return int32(next()%(1<<26)) - 1<<25
	}
	const n = 1003
	o32, t32 := make([]int32, n), make([]int32, n)
	o16, t16 := make([]int16, n), make([]int16, n)
	angle := make([]byte, n)
	for j := range o32 {
		o32[j], t32[j] = pick32(), pick32()
		o16[j], t16[j] = int16(next()), int16(next())
		if next()%5 == 0 {
			o16[j] = int16(next() % 3)
		}
		angle[j] = byte(next() % 2)
	}
	set := admAppendSet(nil, angle)
	for _, egl := range []float64{1, 100} {
		r2, a2 := make([]int32, n), make([]int32, n)
		admRestoreRow32(o32, t32, angle, set, r2, a2, div, egl, false, false)
		for _, avx512 := range []bool{false, admAVX512} {
			r1, a1 := make([]int32, n), make([]int32, n)
			admRestoreRow32(o32, t32, angle, set, r1, a1, div, egl, admAVX2, avx512)
			for j := range r1 {
				if r1[j] != r2[j] || a1[j] != a2[j] {
					t.Fatalf("int32 egl %g avx512 %v j %d o %d t %d: r %d a %d, Go %d %d", egl, avx512, j, o32[j], t32[j], r1[j], a1[j], r2[j], a2[j])
				}
			}
		}
		s2, b2 := make([]int16, n), make([]int16, n)
		admRestoreRow16(o16, t16, angle, set, s2, b2, div, egl, false, false)
		for _, avx512 := range []bool{false, admAVX512} {
			s1, b1 := make([]int16, n), make([]int16, n)
			admRestoreRow16(o16, t16, angle, set, s1, b1, div, egl, admAVX2, avx512)
			for j := range s1 {
				if s1[j] != s2[j] || b1[j] != b2[j] {
					t.Fatalf("int16 egl %g avx512 %v j %d o %d t %d: r %d a %d, Go %d %d", egl, avx512, j, o16[j], t16[j], s1[j], b1[j], s2[j], b2[j])
				}
			}
		}
	}
}

// admRand is a xorshift generator for the kernel tests.
type admRand uint64

func (r *admRand) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = admRand(x)
	return x
}

// i32 returns an int32 of random magnitude (zero, tiny, int16-sized or up
// to 2^31−1), either sign; never math.MinInt32.
func (r *admRand) i32() int32 {
	var v int32
	switch r.next() % 5 {
	case 0:
		return 0
	case 1:
		v = int32(r.next() % 4)
	case 2:
		v = int32(r.next() % (1 << 15))
	case 3:
		v = int32(r.next() % (1 << 31))
	default:
		v = int32(r.next() % (1 << 24))
	}
	if r.next()%2 == 0 {
		v = -v
	}
	return v
}

// TestADMVectorKernelsMatchGo runs every vector kernel and its Go loop on
// the same extreme inputs (full-range int16 and int32, lengths that leave
// the AVX-512 kernels' blocks of 32, 16 or 8 a remainder for the AVX2 ones
// and the Go tails) and requires equal outputs, with the AVX2 kernels alone
// and with the generated AVX-512 ones. Without AVX2 (or AVX-512) both sides
// are the Go loops (or the AVX2 kernels).
func TestADMVectorKernelsMatchGo(t *testing.T) {
	for _, avx512 := range []bool{false, admAVX512} {
		testADMVectorKernels(t, avx512)
	}
}

// testADMVectorKernels is TestADMVectorKernelsMatchGo for one kernel set.
func testADMVectorKernels(t *testing.T, avx512 bool) {
	r := admRand(0x9e3779b97f4a7c15)
	for _, n := range []int{1, 7, 8, 9, 16, 23, 31, 33, 47, 64, 65, 71, 100, 129, 203} {
		i16 := func() []int16 {
			s := make([]int16, n)
			for j := range s {
				s[j] = int16(r.next())
			}
			return s
		}
		i32 := func() []int32 {
			s := make([]int32, n)
			for j := range s {
				s[j] = r.i32()
			}
			return s
		}
		name := func(k string) string { return fmt.Sprintf("%s n=%d avx512 %v", k, n, avx512) }

		// Scale-0 DWT passes (16-bit input: every result fits in int16).
		var rows [4][]uint16
		for k := range rows {
			rows[k] = make([]uint16, n)
			for j := range rows[k] {
				rows[k][j] = uint16(r.next())
			}
		}
		add := int32(1<<15) - admLoSum*(1<<15)
		lo1, hi1, lo2, hi2 := make([]int16, n), make([]int16, n), make([]int16, n), make([]int16, n)
		admDWT0Vertical(rows[0], rows[1], rows[2], rows[3], lo1, hi1, add, 1<<15, 16, admAVX2, avx512)
		admDWT0Vertical(rows[0], rows[1], rows[2], rows[3], lo2, hi2, add, 1<<15, 16, false, false)
		admCheckEqual(t, name("admDWT0Vertical"), lo1, lo2, hi1, hi2)
		if n >= 4 {
			src, hw := i16(), (n+1)/2
			p1, q1, p2, q2 := make([]int16, hw), make([]int16, hw), make([]int16, hw), make([]int16, hw)
			admDWT0Horizontal(src, p1, q1, admAVX2, avx512)
			admDWT0Horizontal(src, p2, q2, false, false)
			admCheckEqual(t, name("admDWT0Horizontal"), p1, p2, q1, q2)
		}

		// Scale-1..3 DWT passes.
		var iy [4][]int
		for k := range iy {
			iy[k] = make([]int, 1)
			iy[k][0] = k
		}
		src := make([]int32, 4*n)
		for j := range src {
			src[j] = r.i32()
		}
		for s := 1; s <= 3; s++ {
			l1, h1, l2, h2 := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
			admDWT123Vertical(src, n, &iy, 0, l1, h1, admAddVP[s-1], admShiftVP[s-1], admAVX2 && s == 1, avx512)
			admDWT123Vertical(src, n, &iy, 0, l2, h2, admAddVP[s-1], admShiftVP[s-1], false, false)
			admCheckEqual(t, name(fmt.Sprintf("admDWT123Vertical scale %d", s)), l1, l2, h1, h2)
			if n < 5 {
				continue
			}
			hw := (n + 1) / 2
			var ix [4][]int
			for k := range ix {
				ix[k] = make([]int, hw)
			}
			admDWTIndices(&ix, n)
			tmp := append(append([]int32(nil), src[:2*n]...), 0, 0)
			var o1, o2 [4][]int32
			for k := range o1 {
				o1[k], o2[k] = make([]int32, hw), make([]int32, hw)
			}
			sh := admShiftHP[s-1]
			k := [2]admDWTConsts{
				{c: [4]int32{admLo0, admLo1, admLo2, admLo3}, add: admAddHP[s-1], sh: uint64(sh), bias: 1 << (63 - sh)},
				{c: [4]int32{admHi0, admHi1, admHi2, admHi3}, add: admAddHP[s-1], sh: uint64(sh), bias: 1 << (63 - sh)},
			}
			admDWT123Horizontal(tmp, 0, n, hw, 0, s, &o1, &ix, &k, admAVX2, avx512)
			admDWT123Horizontal(tmp, 0, n, hw, 0, s, &o2, &ix, &k, false, false)
			admCheckEqual(t, name(fmt.Sprintf("admDWT123Horizontal scale %d", s)), o1[0], o2[0], o1[1], o2[1], o1[2], o2[2], o1[3], o2[3])
		}

		// csf sums, both scales.
		bh, bv, bd := i16(), i16(), i16()
		f1, c1, f2, c2 := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
		admCSFRow0(bh, bv, bd, f1, c1, &admRFactor0, admAVX2, avx512)
		admCSFRow0(bh, bv, bd, f2, c2, &admRFactor0, false, false)
		admCheckEqual(t, name("admCSFRow0"), f1, f2, c1, c2)
		rf := admRFactor123(1)
		xh, xv, xd := i32(), i32(), i32()
		admCSFRow123(xh, xv, xd, f1, c1, &rf, admAVX2)
		admCSFRow123(xh, xv, xd, f2, c2, &rf, false)
		admCheckEqual(t, name("admCSFRow123"), f1, f2, c1, c2)

		// Contrast-masking cubes, both scales, both shift sets.
		thr := i32()
		for _, s := range []admCMShifts{{10, 1 << 28, 29, 1 << 5, 6}, {12, 1 << 29, 30, 1 << 6, 7}, {0, 1 << 29, 30, 1 << 8, 9}} {
			k := s.consts(admRFactor0D)
			if got, want := admCMRow0(bh, thr, &s, &k, admAVX2, avx512), admCMRow0(bh, thr, &s, &k, false, false); got != want {
				t.Errorf("%s: %d, Go %d", name("admCMRow0"), got, want)
			}
			k = s.consts(0)
			k.rf64 = int64(rf[2])
			if got, want := admCMRow123(xh, thr, &s, &k, admAVX2), admCMRow123(xh, thr, &s, &k, false); got != want {
				t.Errorf("%s: %d, Go %d", name("admCMRow123"), got, want)
			}
		}

		// Orientation flags.
		a1, a2 := make([]byte, n), make([]byte, n)
		oh, ov, th, tv := i16(), i16(), i16(), i16()
		for j := 0; j < n; j += 3 {
			th[j], tv[j] = oh[j], ov[j] // aligned: the flag is set
		}
		for j := 1; j < n; j += 5 {
			// About 1° apart: the flag depends on the rounding.
			a, b, s := float64(int16(r.next())>>1), float64(int16(r.next())>>1), admTan1Deg(&r)
			oh[j], ov[j], th[j], tv[j] = int16(a), int16(b), int16(math.Round(a-b*s)), int16(math.Round(b+a*s))
		}
		s1 := admAngles16(oh, ov, th, tv, a1, nil, admAVX2, avx512)
		s2 := admAngles16(oh, ov, th, tv, a2, nil, false, false)
		admCheckEqual(t, name("admAngles16"), a1, a2)
		admCheckEqual(t, name("admAngles16 set"), s1, s2)
		xoh, xov, xth, xtv := i32(), i32(), i32(), i32()
		for j := 0; j < n; j += 3 {
			xth[j], xtv[j] = xoh[j], xov[j]
		}
		for j := 1; j < n; j += 5 {
			a, b, s := float64(xoh[j]>>2), float64(xov[j]>>2), admTan1Deg(&r)
			xoh[j], xov[j], xth[j], xtv[j] = int32(a), int32(b), int32(math.Round(a-b*s)), int32(math.Round(b+a*s))
		}
		s1 = admAngles32(xoh, xov, xth, xtv, a1, nil, admAVX2 && avx512)
		s2 = admAngles32(xoh, xov, xth, xtv, a2, nil, false)
		admCheckEqual(t, name("admAngles32"), a1, a2)
		admCheckEqual(t, name("admAngles32 set"), s1, s2)

		// Widening.
		w1, w2 := make([]int32, n), make([]int32, n)
		admWiden(bh, w1, admAVX2)
		admWiden(bh, w2, false)
		admCheckEqual(t, name("admWiden"), w1, w2)
	}

	// csf_den cubes and cm thresholds over small bands.
	for _, sz := range [][2]int{{9, 9}, {17, 11}, {40, 23}} {
		w, h := sz[0], sz[1]
		var b16 [4][]int16
		var b32 [4][]int32
		for k := range b16 {
			b16[k], b32[k] = make([]int16, w*h), make([]int32, w*h)
			for j := range b16[k] {
				b16[k][j] = int16(r.next())
				b32[k][j] = r.i32()
			}
		}
		rf := admRFactor(1)
		if got, want := admCSFDen0(&b16, w, h, rf, admNoiseWeight, admAVX2), admCSFDen0(&b16, w, h, rf, admNoiseWeight, false); got != want {
			t.Errorf("admCSFDen0 %dx%d: %v, Go %v", w, h, got, want)
		}
		for s := 1; s <= 3; s++ {
			if got, want := admCSFDen123(&b32, s, w, h, rf, admNoiseWeight, admAVX2), admCSFDen123(&b32, s, w, h, rf, admNoiseWeight, false); got != want {
				t.Errorf("admCSFDen123 %dx%d scale %d: %v, Go %v", w, h, s, got, want)
			}
		}
		l := newADMCMLayout(w, h)
		v1, t1, v2, t2 := make([]int32, w), make([]int32, w), make([]int32, w), make([]int32, w)
		for i := l.top; i < l.bottom; i++ {
			l.thresholds(b32[0], b32[1], w, h, i, v1, t1, admAVX2)
			l.thresholds(b32[0], b32[1], w, h, i, v2, t2, false)
			admCheckEqual(t, fmt.Sprintf("thresholds %dx%d row %d", w, h, i), t1[l.left:l.right], t2[l.left:l.right])
		}
	}
}

// admTan1Deg returns the tangent of a random angle within 0.02° of 1°,
// where admAngleFlag changes.
func admTan1Deg(r *admRand) float64 {
	return math.Tan((0.98 + float64(r.next()%4000)/1e5) * math.Pi / 180)
}

// admCheckEqual reports the first pair of slices (got, want, got, want ...)
// that differ.
func admCheckEqual[T comparable](t *testing.T, what string, pairs ...[]T) {
	t.Helper()
	for p := 0; p+1 < len(pairs); p += 2 {
		got, want := pairs[p], pairs[p+1]
		if len(got) != len(want) {
			t.Errorf("%s: output %d has length %d, Go %d", what, p/2, len(got), len(want))
			continue
		}
		for j := range got {
			if got[j] != want[j] {
				t.Errorf("%s: output %d [%d] = %v, Go %v", what, p/2, j, got[j], want[j])
				break
			}
		}
	}
}
