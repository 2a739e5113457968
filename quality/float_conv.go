package quality

// This file holds the float separable filter libvmaf's float VIF and float
// motion share (common/convolution.c, convolution_avx.c and the fallbacks in
// vif_tools.c, which compute the same thing): a vertical pass, then a
// horizontal one, each a float sum accum += f[k]*x in tap order, with the
// picture mirrored about its edges without repeating the edge sample
// (-1 → 1, n → n-2).

// fconvMirror reflects tap index i into [0, n) as convolution_edge_s does.
func fconvMirror(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*n - i - 2
	}
	return i
}

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
// exceed len(f)/2.
func fconvolve(dst, a, b, tmp []float32, w, h int, f []float32, in fconvInput) {
	r := len(f) / 2
	// Vertical pass, one output row at a time: acc[j] += f[k]*x(ii, j).
	for i := 0; i < h; i++ {
		acc := tmp[i*w : (i+1)*w]
		for k, fk := range f {
			ii := fconvMirror(i-r+k, h)
			ra := a[ii*w : (ii+1)*w]
			switch in {
			case fconvPlain:
				if k == 0 {
					for j, v := range ra {
						acc[j] = fk * v
					}
					continue
				}
				for j, v := range ra {
					acc[j] += float32(fk * v)
				}
			case fconvSquare:
				for j, v := range ra {
					p := float32(fk * float32(v*v))
					if k == 0 {
						acc[j] = p
					} else {
						acc[j] += p
					}
				}
			case fconvProduct:
				rb := b[ii*w : (ii+1)*w]
				for j, v := range ra {
					p := float32(fk * float32(v*rb[j]))
					if k == 0 {
						acc[j] = p
					} else {
						acc[j] += p
					}
				}
			}
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
				acc += float32(fk * src[fconvMirror(j-r+k, w)])
			}
			out[j] = acc
		}
		for ; j < r && j < w; j++ {
			edge(j)
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
