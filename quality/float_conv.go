package quality

import "fmt"

// This file holds the float separable filter libvmaf's float VIF and float
// motion share (common/convolution.c, convolution_avx.c and the fallbacks in
// vif_tools.c, which compute the same thing): a vertical pass, then a
// horizontal one, each a float sum accum += f[k]*x in tap order, with the
// picture mirrored about its edges without repeating the edge sample
// (-1 → 1, n → n-2).

// fconvMaxTaps bounds the filter length fconvolve takes (VIF's 17 taps).
const fconvMaxTaps = 17

// fconvInput selects what the vertical pass filters: the samples, their
// squares (vif_filter1d_sq_s) or the products of two pictures
// (vif_filter1d_xy_s).
type fconvInput int

const (
	fconvPlain fconvInput = iota
	fconvSquare
	fconvProduct
)

// fconvolve filters the w x h picture a (and b for fconvProduct) with the
// odd-length kernel f into dst, using tmp (w*h) for the vertical pass. Each
// output is a float sum over taps in order, as libvmaf computes it; the
// square or product is rounded to float before it is weighted. w and h must
// exceed len(f)/2, and len(f) at most fconvMaxTaps.
func fconvolve(dst, a, b, tmp []float32, w, h int, f []float32, in fconvInput) {
	fconvolveWith(dst, a, b, tmp, w, h, f, in, true)
}

// fconvolveWith is fconvolve, using the AVX2 passes where there are some
// when asm is set.
func fconvolveWith(dst, a, b, tmp []float32, w, h int, f []float32, in fconvInput, asm bool) {
	r := len(f) / 2
	// Vertical pass, one output row at a time, four columns at a time: four
	// independent sums over the taps in order.
	var rowsA, rowsB [fconvMaxTaps][]float32
	for i := 0; i < h; i++ {
		for k := range f {
			ii := mirrorIndex(i-r+k, h)
			rowsA[k] = a[ii*w : (ii+1)*w]
			if in == fconvProduct {
				rowsB[k] = b[ii*w : (ii+1)*w]
			}
		}
		acc := tmp[i*w : (i+1)*w]
		j := 0
		if asm {
			j = fconvVerticalAsm(acc, &rowsA, &rowsB, f, in)
		}
		for ; j+4 <= w; j += 4 {
			var a0, a1, a2, a3 float32
			for k, fk := range f {
				x := rowsA[k][j : j+4 : j+4]
				var v0, v1, v2, v3 float32
				switch in {
				case fconvPlain:
					v0, v1, v2, v3 = x[0], x[1], x[2], x[3]
				case fconvSquare:
					v0, v1, v2, v3 = x[0]*x[0], x[1]*x[1], x[2]*x[2], x[3]*x[3]
				case fconvProduct:
					y := rowsB[k][j : j+4 : j+4]
					v0, v1, v2, v3 = x[0]*y[0], x[1]*y[1], x[2]*y[2], x[3]*y[3]
				}
				a0 += float32(fk * v0)
				a1 += float32(fk * v1)
				a2 += float32(fk * v2)
				a3 += float32(fk * v3)
			}
			acc[j], acc[j+1], acc[j+2], acc[j+3] = a0, a1, a2, a3
		}
		for ; j < w; j++ {
			var a0 float32
			for k, fk := range f {
				v := rowsA[k][j]
				switch in {
				case fconvSquare:
					v *= v
				case fconvProduct:
					v *= rowsB[k][j]
				}
				a0 += float32(fk * v)
			}
			acc[j] = a0
		}
	}
	// Horizontal pass.
	for i := 0; i < h; i++ {
		src := tmp[i*w : (i+1)*w]
		out := dst[i*w : (i+1)*w]
		j := 0
		edge := func(j int) {
			var acc float32
			for k, fk := range f {
				acc += float32(fk * src[mirrorIndex(j-r+k, w)])
			}
			out[j] = acc
		}
		for ; j < r && j < w; j++ {
			edge(j)
		}
		if asm && j < w-r {
			j += fconvHorizontalAsm(out[j:w-r], src[j-r:], f)
		}
		// Four outputs at a time: four independent sums, each in tap order.
		for ; j+4 <= w-r; j += 4 {
			win := src[j-r : j-r+len(f)+3]
			var a0, a1, a2, a3 float32
			for k, fk := range f {
				w4 := win[k : k+4 : k+4]
				a0 += float32(fk * w4[0])
				a1 += float32(fk * w4[1])
				a2 += float32(fk * w4[2])
				a3 += float32(fk * w4[3])
			}
			out[j], out[j+1], out[j+2], out[j+3] = a0, a1, a2, a3
		}
		for ; j < w-r; j++ {
			win := src[j-r : j-r+len(f)]
			var acc float32
			for k, fk := range f {
				acc += float32(fk * win[k])
			}
			out[j] = acc
		}
		for ; j < w; j++ {
			edge(j)
		}
	}
}

// floatLuma converts plane 0 of p to floats with libvmaf's picture_copy and
// an offset of -128 (OPT_RANGE_PIXEL_OFFSET): v - 128 at 8 bit,
// v/2^(bpc-8) - 128 above.
func floatLuma(dst []float32, p *Picture) []float32 {
	dst = iqaLuma(dst, p)
	for i, v := range dst {
		dst[i] = v - 128
	}
	return dst
}

// floatCheck is the input check the float extractors share: ref and dis of
// the same format, 8 to 16 bit, at least minSize x minSize. The error names
// the feature and frame i, and wraps ErrMismatch or ErrTooSmall where one
// applies.
func floatCheck(feature string, ref, dis *Picture, i, minSize int) error {
	if !ref.SameFormat(dis) {
		return fmt.Errorf("%s: frame %d: reference %s, distorted %s: %w", feature, i, ref.Format(), dis.Format(), ErrMismatch)
	}
	if ref.BitDepth < 8 || ref.BitDepth > 16 {
		return fmt.Errorf("%s: frame %d: unsupported bit depth %d", feature, i, ref.BitDepth)
	}
	if ref.Width < minSize || ref.Height < minSize {
		return fmt.Errorf("%s: frame %d: %dx%d is below %dx%d: %w", feature, i, ref.Width, ref.Height, minSize, minSize, ErrTooSmall)
	}
	return nil
}
