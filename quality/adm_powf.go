package quality

import "math"

// admPowf returns C's powf(x, 1.0f/3.0f) bit for bit as glibc 2.36 computes
// it on x86-64 with FMA (the __powf_fma variant its ifunc picks on the AVX2 /
// AVX-512 machines libvmaf's reference ran on). libvmaf takes every ADM
// p-norm with powf, and rounding the double cube root to float differs from
// glibc's result in the last bit now and then, which would show in the
// scores.
//
// The algorithm is glibc's (from Arm Optimized Routines, sysdeps/ieee754/
// flt-32/e_powf.c): log2(x) from a 16-entry table of 1/c and log2(c) and a
// degree-5 polynomial in r = z/c − 1, times y, then 2^(y·log2 x) from a
// 32-entry table of 2^(k/32) and a cubic, each step in double with the
// multiply-adds fused as gcc -mfma compiles them. x must be ≥ 0 (the
// ADM sums always are); NaN and +Inf are returned as math.Pow does.
func admPowf(x float32) float32 {
	const y = float64(float32(1.0) / 3.0)
	ix := math.Float32bits(x)
	if ix-0x00800000 >= 0x7f800000-0x00800000 {
		// Zero, subnormal, negative, Inf or NaN.
		if x == 0 {
			return 0
		}
		if ix >= 0x7f800000 || x < 0 {
			return float32(math.Pow(float64(x), y))
		}
		// Subnormal: normalise, keeping the exponent in ix.
		ix = math.Float32bits(x*0x1p23) & 0x7fffffff
		ix -= 23 << 23
	}
	return admExp2Inline(y * admLog2Inline(ix))
}

// admLog2Inline is glibc powf's log2_inline: log2 of the float with bits ix.
func admLog2Inline(ix uint32) float64 {
	const off = 0x3f330000
	tmp := ix - off
	i := (tmp >> (23 - 4)) % 16
	top := tmp & 0xff800000
	iz := ix - top
	k := int32(top) >> 23
	invc, logc := admPowfLog2Tab[i][0], admPowfLog2Tab[i][1]
	z := float64(math.Float32frombits(iz))
	a := &admPowfLog2Poly

	r := math.FMA(z, invc, -1)
	y0 := logc + float64(k)
	r2 := r * r
	yy := math.FMA(a[0], r, a[1])
	p := math.FMA(a[2], r, a[3])
	r4 := r2 * r2
	q := math.FMA(a[4], r, y0)
	q = math.FMA(p, r2, q)
	return math.FMA(yy, r4, q)
}

// admExp2Inline is glibc powf's exp2_inline with a positive result:
// 2^xd rounded to float.
func admExp2Inline(xd float64) float32 {
	const shift = 0x1.8p+52 / 32
	kd := xd + shift
	ki := math.Float64bits(kd)
	kd -= shift
	r := xd - kd
	t := admExp2fTab[ki%32]
	t += ki << (52 - 5)
	s := math.Float64frombits(t)
	c := &admExp2fPoly
	z := math.FMA(c[0], r, c[1])
	r2 := r * r
	yy := math.FMA(c[2], r, 1)
	yy = math.FMA(z, r2, yy)
	return float32(yy * s)
}

// glibc's __powf_log2_data (POWF_SCALE = 1 on x86-64): {1/c, log2(c)}.
var admPowfLog2Tab = [16][2]float64{
	{0x1.661ec79f8f3bep+0, -0x1.efec65b963019p-2},
	{0x1.571ed4aaf883dp+0, -0x1.b0b6832d4fca4p-2},
	{0x1.49539f0f010bp+0, -0x1.7418b0a1fb77bp-2},
	{0x1.3c995b0b80385p+0, -0x1.39de91a6dcf7bp-2},
	{0x1.30d190c8864a5p+0, -0x1.01d9bf3f2b631p-2},
	{0x1.25e227b0b8eap+0, -0x1.97c1d1b3b7afp-3},
	{0x1.1bb4a4a1a343fp+0, -0x1.2f9e393af3c9fp-3},
	{0x1.12358f08ae5bap+0, -0x1.960cbbf788d5cp-4},
	{0x1.0953f419900a7p+0, -0x1.a6f9db6475fcep-5},
	{0x1p+0, 0x0p+0},
	{0x1.e608cfd9a47acp-1, 0x1.338ca9f24f53dp-4},
	{0x1.ca4b31f026aap-1, 0x1.476a9543891bap-3},
	{0x1.b2036576afce6p-1, 0x1.e840b4ac4e4d2p-3},
	{0x1.9c2d163a1aa2dp-1, 0x1.40645f0c6651cp-2},
	{0x1.886e6037841edp-1, 0x1.88e9c2c1b9ff8p-2},
	{0x1.767dcf5534862p-1, 0x1.ce0a44eb17bccp-2},
}

// admPowfLog2Poly is __powf_log2_data.poly.
var admPowfLog2Poly = [5]float64{
	0x1.27616c9496e0bp-2, -0x1.71969a075c67ap-2,
	0x1.ec70a6ca7baddp-2, -0x1.7154748bef6c8p-1,
	0x1.71547652ab82bp0,
}

// admExp2fTab is glibc's __exp2f_data.tab: bits of 2^(i/32) − (i << 47).
var admExp2fTab = [32]uint64{
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
}

// admExp2fPoly is __exp2f_data.poly.
var admExp2fPoly = [3]float64{0x1.c6af84b912394p-5, 0x1.ebfce50fac4f3p-3, 0x1.62e42ff0c52d6p-1}
