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

// admCM0 is libvmaf's adm_cm for scale 0 (int16 bands, row stride w): the
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
func admCM0(src, csfA, csfF *[3][]int16, w, h int, nw float64) float32 {
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
// w): as admCM0 with x_θ = (src_θ·rf_θ + 2^27) >> 28 (Q32 factor), centre
// term (286331153·|a| − 2^31) >> 32 (libvmaf's int32-stored 1u<<31 again),
// no threshold shift, x² rounded >> 30, ·x rounded >> ceil(log2(w)), rows
// >> ceil(log2(h)), and final scales 2^(45|39|36 − shifts) per scale.
func admCM123(src, csfA, csfF *[3][]int32, scale, w, h int, rf [3]uint32, nw float64) float32 {
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
