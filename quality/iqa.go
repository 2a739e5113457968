package quality

import "math"

// This file holds the parts of libvmaf's copy of the IQA library
// (libvmaf/src/feature/iqa/) that float_ssim and float_ms_ssim share: the
// 11x11 Gaussian window, the separable "valid" convolution of convolve.c
// (built with IQA_CONVOLVE_1D), the decimation of decimate.c and the default
// SSIM of ssim_tools.c. Arithmetic keeps libvmaf's types: float samples and
// products, double accumulators, so the scores match libvmaf's to the last
// float bit or so.

// iqaGaussian is g_gaussian_window_h (= _v) of ssim_tools.h: the 1-D factor
// of the circular Gaussian window, sigma 1.5, as libvmaf rounds it.
var iqaGaussian = [iqaWindow]float32{
	0.001028, 0.007599, 0.036001, 0.109361, 0.213006, 0.266012, 0.213006, 0.109361, 0.036001, 0.007599, 0.001028,
}

// iqaWindow is GAUSSIAN_LEN, the SSIM window size.
const iqaWindow = 11

// iqaMaps are the five local statistics SSIM filters: E[r], E[d], E[r²],
// E[d²], E[rd].
const iqaMaps = 5

// iqaSymmetric mirrors KBND_SYMMETRIC (convolve.c): one reflection about the
// border, the edge sample repeated (-1 → 0, n → n-1).
func iqaSymmetric(i, n int) int {
	if i < 0 {
		return -1 - i
	}
	if i >= n {
		return n - (i - n) - 1
	}
	return i
}

// iqaDecimate mirrors _iqa_decimate with _iqa_filter_pixel (decimate.c,
// convolve.c): it filters src (w x h) with the kw x kw kernel k (row-major)
// at every factor-th sample, borders reflected, and writes the
// (w/factor + w&1) x (h/factor + h&1) result to dst. Each product is a float,
// each sum a double, in kernel order. cols is scratch of at least kw*sw ints.
func iqaDecimate(dst, src []float32, w, h, factor int, k []float32, kw int, cols []int) (sw, sh int) {
	return iqaDecimateWith(dst, src, w, h, factor, k, kw, cols, true)
}

// iqaDecimateWith is iqaDecimate, using the AVX2 kernel for the MS-SSIM
// low-pass when asm is set and there is one.
func iqaDecimateWith(dst, src []float32, w, h, factor int, k []float32, kw int, cols []int, asm bool) (sw, sh int) {
	sw = w/factor + w&1
	sh = h/factor + h&1
	c := kw / 2
	lo, hi := -c, c-(1-kw&1) // u runs over [-uc, uc-kw_even]
	n := hi - lo + 1
	cols = cols[:n*sw]
	for x := 0; x < sw; x++ {
		for u := 0; u < n; u++ {
			cols[x*n+u] = iqaSymmetric(x*factor+lo+u, w)
		}
	}
	// Outputs [x0, x1) read no reflected column.
	x0 := (-lo + factor - 1) / factor
	x1 := max(x0, (w-1-hi)/factor+1)
	x1 = min(x1, sw)
	rows := make([][]float32, n)
	for y := 0; y < sh; y++ {
		for v := range rows {
			r := iqaSymmetric(y*factor+lo+v, h) * w
			rows[v] = src[r : r+w]
		}
		out := dst[y*sw : (y+1)*sw]
		x := 0
		edge := func(x int) {
			cx := cols[x*n : (x+1)*n]
			var sum float64
			for v, row := range rows {
				kr := k[v*kw : v*kw+n]
				for u, xi := range cx {
					sum += float64(row[xi] * kr[u])
				}
			}
			out[x] = float32(sum)
		}
		for ; x < x0; x++ {
			edge(x)
		}
		if asm && factor == 2 {
			x += iqaDecimate9Asm(out, rows, x, w, k)
		}
		// Four outputs at a time: four independent double sums, each
		// still in kernel order.
		for ; x+4 <= x1; x += 4 {
			b := x*factor + lo
			var s0, s1, s2, s3 float64
			for v, row := range rows {
				kr := k[v*kw : v*kw+n]
				r0 := row[b : b+n]
				r1 := row[b+factor : b+factor+n]
				r2 := row[b+2*factor : b+2*factor+n]
				r3 := row[b+3*factor : b+3*factor+n]
				for u, kk := range kr {
					s0 += float64(r0[u] * kk)
					s1 += float64(r1[u] * kk)
					s2 += float64(r2[u] * kk)
					s3 += float64(r3[u] * kk)
				}
			}
			out[x], out[x+1], out[x+2], out[x+3] = float32(s0), float32(s1), float32(s2), float32(s3)
		}
		for ; x < sw; x++ {
			edge(x)
		}
	}
	return sw, sh
}

// iqaFilter11 is the horizontal pass of _iqa_convolve (IQA_CONVOLVE_1D) for
// the 11-tap window: dst[x] = float(Σ_u float(src[x+u]*k[u])) with a double
// sum from 0, for every x where the window fits. The AVX2 kernel, where
// there is one, does the same operations eight outputs at a time.
func iqaFilter11(dst, src []float32, k *[iqaWindow]float32) {
	done := iqaFilter11Asm(dst, src, k)
	iqaFilter11Go(dst[done:], src[done:], k)
}

// iqaFilter11Go is iqaFilter11 in plain Go.
func iqaFilter11Go(dst, src []float32, k *[iqaWindow]float32) {
	src = src[:len(dst)+iqaWindow-1]
	for x := range dst {
		s := src[x : x+iqaWindow : x+iqaWindow]
		var sum float64
		sum += float64(s[0] * k[0])
		sum += float64(s[1] * k[1])
		sum += float64(s[2] * k[2])
		sum += float64(s[3] * k[3])
		sum += float64(s[4] * k[4])
		sum += float64(s[5] * k[5])
		sum += float64(s[6] * k[6])
		sum += float64(s[7] * k[7])
		sum += float64(s[8] * k[8])
		sum += float64(s[9] * k[9])
		sum += float64(s[10] * k[10])
		dst[x] = float32(sum)
	}
}

// iqaFilter11Vertical is the vertical pass of _iqa_convolve
// (IQA_CONVOLVE_1D): dst[x] = float(Σ_v float(rows[v][x]*k[v])) with a
// double sum from 0 in window order (eight outputs at a time in AVX2 where
// there is a kernel).
func iqaFilter11Vertical(dst []float32, rows *[iqaWindow][]float32, k *[iqaWindow]float32) {
	done := iqaFilter11VerticalAsm(dst, rows, k)
	if done == len(dst) {
		return
	}
	var rest [iqaWindow][]float32
	for v := range rest {
		rest[v] = rows[v][done:]
	}
	iqaFilter11VerticalGo(dst[done:], &rest, k)
}

// iqaFilter11VerticalGo is iqaFilter11Vertical in plain Go.
func iqaFilter11VerticalGo(dst []float32, rows *[iqaWindow][]float32, k *[iqaWindow]float32) {
	n := len(dst)
	r0, r1, r2, r3, r4, r5 := rows[0][:n], rows[1][:n], rows[2][:n], rows[3][:n], rows[4][:n], rows[5][:n]
	r6, r7, r8, r9, r10 := rows[6][:n], rows[7][:n], rows[8][:n], rows[9][:n], rows[10][:n]
	k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10]
	x := 0
	// Two columns at a time: two independent sums for the CPU to overlap.
	for ; x+2 <= n; x += 2 {
		var a, b float64
		a += float64(r0[x] * k0)
		b += float64(r0[x+1] * k0)
		a += float64(r1[x] * k1)
		b += float64(r1[x+1] * k1)
		a += float64(r2[x] * k2)
		b += float64(r2[x+1] * k2)
		a += float64(r3[x] * k3)
		b += float64(r3[x+1] * k3)
		a += float64(r4[x] * k4)
		b += float64(r4[x+1] * k4)
		a += float64(r5[x] * k5)
		b += float64(r5[x+1] * k5)
		a += float64(r6[x] * k6)
		b += float64(r6[x+1] * k6)
		a += float64(r7[x] * k7)
		b += float64(r7[x+1] * k7)
		a += float64(r8[x] * k8)
		b += float64(r8[x+1] * k8)
		a += float64(r9[x] * k9)
		b += float64(r9[x+1] * k9)
		a += float64(r10[x] * k10)
		b += float64(r10[x+1] * k10)
		dst[x], dst[x+1] = float32(a), float32(b)
	}
	for ; x < n; x++ {
		var sum float64
		sum += float64(r0[x] * k0)
		sum += float64(r1[x] * k1)
		sum += float64(r2[x] * k2)
		sum += float64(r3[x] * k3)
		sum += float64(r4[x] * k4)
		sum += float64(r5[x] * k5)
		sum += float64(r6[x] * k6)
		sum += float64(r7[x] * k7)
		sum += float64(r8[x] * k8)
		sum += float64(r9[x] * k9)
		sum += float64(r10[x] * k10)
		dst[x] = float32(sum)
	}
}

// iqaSSIM is the scratch of one _iqa_ssim call with default arguments
// (ssim_tools.c): Gaussian window, K1 = 0.01, K2 = 0.03, L = 255,
// alpha = beta = gamma = 1. It keeps a ring of the last 11 horizontally
// filtered rows of each statistic, so memory is O(width).
type iqaSSIM struct {
	prod [iqaMaps][]float32            // one input row of r, d, r², d², rd
	ring [iqaMaps][iqaWindow][]float32 // horizontally filtered rows, by row mod 11
	mu   [iqaMaps][]float32            // one output row of the five filtered statistics
}

// iqaStats are the means over the SSIM map that _iqa_ssim returns: the SSIM
// itself and the luminance, contrast and structure terms, each a float.
type iqaStats struct {
	SSIM, L, C, S float32
}

// resize makes the scratch fit pictures w samples wide.
func (s *iqaSSIM) resize(w int) {
	dw := w - iqaWindow + 1
	if cap(s.mu[0]) < dw {
		for m := range s.prod {
			s.prod[m] = make([]float32, w)
			s.mu[m] = make([]float32, dw)
			for r := range s.ring[m] {
				s.ring[m][r] = make([]float32, dw)
			}
		}
	}
	for m := range s.prod {
		s.prod[m] = s.prod[m][:w]
		s.mu[m] = s.mu[m][:dw]
		for r := range s.ring[m] {
			s.ring[m][r] = s.ring[m][r][:dw]
		}
	}
}

// run computes _iqa_ssim(ref, cmp, w, h) with default arguments. w and h must
// be at least 11. Per window position, with μ, σ² and σ_rd the
// Gaussian-filtered statistics (σ² clamped at 0):
//
//	l = (2 μr μd + C1) / (μr² + μd² + C1)
//	c = (2 σr σd + C2) / (σr² + σd² + C2)
//	s = (σ_rd + C3) / (σr σd + C3)     (σ_rd taken as 0 when < 0 and σr σd = 0)
//
// and the result is the mean of l*c*s over the (w-10) x (h-10) valid
// positions, with l, c and s also averaged.
func (s *iqaSSIM) run(ref, cmp []float32, w, h int) iqaStats {
	s.resize(w)
	dw, dh := w-iqaWindow+1, h-iqaWindow+1
	k := &iqaGaussian

	// Constants as ssim_tools.c computes them, in float.
	k1, k2, L := float32(0.01), float32(0.03), float32(255)
	c1 := (k1 * L) * (k1 * L)
	c2 := (k2 * L) * (k2 * L)
	c3 := c2 / 2

	filterRow := func(y int) {
		r, d := ref[y*w:(y+1)*w], cmp[y*w:(y+1)*w]
		rr, dd, rd := s.prod[2], s.prod[3], s.prod[4]
		for x := range r {
			rr[x] = r[x] * r[x]
			dd[x] = d[x] * d[x]
			rd[x] = r[x] * d[x]
		}
		slot := y % iqaWindow
		iqaFilter11(s.ring[0][slot], r, k)
		iqaFilter11(s.ring[1][slot], d, k)
		iqaFilter11(s.ring[2][slot], rr, k)
		iqaFilter11(s.ring[3][slot], dd, k)
		iqaFilter11(s.ring[4][slot], rd, k)
	}
	for y := 0; y < iqaWindow-1; y++ {
		filterRow(y)
	}

	var ssimSum, lSum, cSum, sSum float64
	for y := 0; y < dh; y++ {
		filterRow(y + iqaWindow - 1)
		// Vertical pass: a double sum over the window rows in order.
		for m := 0; m < iqaMaps; m++ {
			var rows [iqaWindow][]float32
			for v := range rows {
				rows[v] = s.ring[m][(y+v)%iqaWindow][:dw]
			}
			iqaFilter11Vertical(s.mu[m][:dw], &rows, k)
		}
		mr, md, srr, sdd, srd := s.mu[0], s.mu[1][:dw], s.mu[2][:dw], s.mu[3][:dw], s.mu[4][:dw]
		for x, m1 := range mr {
			m2 := md[x]
			s11 := srr[x] - float32(m1*m1)
			s22 := sdd[x] - float32(m2*m2)
			if s11 < 0 {
				s11 = 0
			}
			if s22 < 0 {
				s22 = 0
			}
			s12 := srd[x] - float32(m1*m2)
			sd := float32(math.Sqrt(float64(float32(s11 * s22))))
			// float64(...) around products keeps Go from fusing them into
			// an FMA, which C (built without -mfma) does not do.
			l := (float64(2*float64(m1)*float64(m2)) + float64(c1)) / float64(float32(m1*m1)+float32(m2*m2)+c1)
			c := (float64(2*float64(sd)) + float64(c2)) / float64(s11+s22+c2)
			if s12 < 0 && sd <= 0 {
				s12 = 0
			}
			st := float64((s12 + c3) / (sd + c3))
			ssimSum += float64(l * c * st)
			lSum += l
			cSum += c
			sSum += st
		}
	}
	n := float64(dw * dh)
	return iqaStats{
		SSIM: float32(ssimSum / n),
		L:    float32(lSum / n),
		C:    float32(cSum / n),
		S:    float32(sSum / n),
	}
}

// iqaLuma converts plane 0 of p to floats as libvmaf's picture_copy does:
// the sample value at 8 bit, divided by 2^(bpc-8) above (4 at 10 bit), so
// every depth is on the 8-bit scale the SSIM constants assume.
func iqaLuma(dst []float32, p *Picture) []float32 {
	n := p.Width * p.Height
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	src := p.Planes[0][:n]
	if p.BitDepth == 8 {
		for i, v := range src {
			dst[i] = float32(v)
		}
		return dst
	}
	scaler := float32(int(1) << (p.BitDepth - 8))
	for i, v := range src {
		dst[i] = float32(v) / scaler
	}
	return dst
}
