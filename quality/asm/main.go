// Command asm generates quality's avo kernels (gen_amd64.s and the Go
// declarations in gen_amd64.go): `go generate ./quality` runs it. It is a
// module of its own so that rung does not depend on avo to build.
//
// Each kernel does the first multiple of its block of a row and leaves the
// rest to the pure-Go loop it mirrors; the Go wrappers (motion_amd64.go,
// y4m_amd64.go) pick them at run time with golang.org/x/sys/cpu, and the
// tests compare them with the pure-Go loops on random and real pictures.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

func main() {
	ConstraintExpr("!purego")
	widen8AVX2()
	widen8AVX512()
	motionDiffAVX512()
	motionVerticalAVX512()
	motionHorizontalAVX512()
	vifConv17AVX512("vifConv17x64AVX512", true)
	vifConv17AVX512("vifConv17x32AVX512", false)
	vifRowAVX512()
	vifConvAVX512()
	Generate()
}

// widen8AVX2 zero-extends n bytes to n uint16 samples (readPlanes), 32 at
// a time; n is a positive multiple of 32.
func widen8AVX2() {
	TEXT("widen8AVX2", NOSPLIT, "func(dst *uint16, src *byte, n int)")
	Pragma("noescape")
	Doc("widen8AVX2 sets dst[j] = src[j] for j < n, a positive multiple of 32.")
	dst, src, n := Load(Param("dst"), GP64()), Load(Param("src"), GP64()), Load(Param("n"), GP64())
	Label("loop")
	VPMOVZXBW(Mem{Base: src}, Y0)
	VPMOVZXBW(Mem{Base: src, Disp: 16}, Y1)
	VMOVDQU(Y0, Mem{Base: dst})
	VMOVDQU(Y1, Mem{Base: dst, Disp: 32})
	ADDQ(Imm(32), src)
	ADDQ(Imm(64), dst)
	SUBQ(Imm(32), n)
	JNZ(LabelRef("loop"))
	VZEROUPPER()
	RET()
}

// widen8AVX512 is widen8AVX2 64 samples at a time; n is a positive
// multiple of 64.
func widen8AVX512() {
	TEXT("widen8AVX512", NOSPLIT, "func(dst *uint16, src *byte, n int)")
	Pragma("noescape")
	Doc("widen8AVX512 sets dst[j] = src[j] for j < n, a positive multiple of 64.")
	dst, src, n := Load(Param("dst"), GP64()), Load(Param("src"), GP64()), Load(Param("n"), GP64())
	Label("loop")
	VPMOVZXBW(Mem{Base: src}, Z0)
	VPMOVZXBW(Mem{Base: src, Disp: 32}, Z1)
	VMOVDQU64(Z0, Mem{Base: dst})
	VMOVDQU64(Z1, Mem{Base: dst, Disp: 64})
	ADDQ(Imm(64), src)
	ADDQ(Imm(128), dst)
	SUBQ(Imm(64), n)
	JNZ(LabelRef("loop"))
	VZEROUPPER()
	RET()
}

// motionDiffAVX512 is motionSAD's difference row, 16 samples at a time.
func motionDiffAVX512() {
	TEXT("motionDiffAVX512", NOSPLIT, "func(prev, cur *uint16, d *int32, n int)")
	Pragma("noescape")
	Doc("motionDiffAVX512 sets d[j] = prev[j] - cur[j] for j < n, a positive multiple of 16.")
	p, c := Load(Param("prev"), GP64()), Load(Param("cur"), GP64())
	d, n := Load(Param("d"), GP64()), Load(Param("n"), GP64())
	Label("loop")
	VPMOVZXWD(Mem{Base: p}, Z0)
	VPMOVZXWD(Mem{Base: c}, Z1)
	VPSUBD(Z1, Z0, Z0)
	VMOVDQU32(Z0, Mem{Base: d})
	ADDQ(Imm(32), p)
	ADDQ(Imm(32), c)
	ADDQ(Imm(64), d)
	SUBQ(Imm(16), n)
	JNZ(LabelRef("loop"))
	VZEROUPPER()
	RET()
}

// motionTaps broadcasts libvmaf's 5-tap motion filter (3571, 16004,
// 26386, symmetric) into three registers of 64-bit lanes, for VPMULDQ.
func motionTaps() (f0, f1, f2 VecVirtual) {
	t := GP64()
	f0, f1, f2 = ZMM(), ZMM(), ZMM()
	for _, f := range []struct {
		z VecVirtual
		v uint64
	}{{f0, 3571}, {f1, 16004}, {f2, 26386}} {
		MOVQ(U64(f.v), t)
		VPBROADCASTQ(t, f.z)
	}
	return f0, f1, f2
}

// motionVerticalAVX512 is motionSAD's vertical pass, 8 columns at a time:
// the symmetric taps are added in 32 bits (differences of 16-bit samples),
// multiplied and summed in 64, rounded and shifted arithmetically, and
// narrowed to the int32 libvmaf stores.
func motionVerticalAVX512() {
	TEXT("motionVerticalAVX512", NOSPLIT, "func(d *[5]*int32, row *int32, n int, shift, round uint64) bool")
	Pragma("noescape")
	Doc("motionVerticalAVX512 sets row[j] = int32((3571·(d0+d4) + 16004·(d1+d3) + 26386·d2 + round) >> shift)",
		"for j < n, a positive multiple of 8, and reports whether any is non-zero.")
	dp := Load(Param("d"), GP64())
	var d [5]GPVirtual
	for k := range d {
		d[k] = GP64()
		MOVQ(Mem{Base: dp, Disp: 8 * k}, d[k])
	}
	row, n := Load(Param("row"), GP64()), Load(Param("n"), GP64())
	sh, r := Load(Param("shift"), GP64()), Load(Param("round"), GP64())
	f0, f1, f2 := motionTaps()
	cnt, rnd := XMM(), ZMM()
	MOVQ(sh, cnt)
	VPBROADCASTQ(r, rnd)
	acc := YMM()
	VPXOR(acc, acc, acc)
	i := GP64()
	XORQ(i, i)
	Label("loop")
	a, b, c := YMM(), YMM(), YMM()
	VMOVDQU(Mem{Base: d[0], Index: i, Scale: 4}, a)
	VPADDD(Mem{Base: d[4], Index: i, Scale: 4}, a, a)
	VMOVDQU(Mem{Base: d[1], Index: i, Scale: 4}, b)
	VPADDD(Mem{Base: d[3], Index: i, Scale: 4}, b, b)
	za, zb, zc := ZMM(), ZMM(), ZMM()
	VPMOVSXDQ(a, za)
	VPMOVSXDQ(b, zb)
	VPMOVSXDQ(Mem{Base: d[2], Index: i, Scale: 4}, zc)
	VPMULDQ(f0, za, za)
	VPMULDQ(f1, zb, zb)
	VPMULDQ(f2, zc, zc)
	VPADDQ(zb, za, za)
	VPADDQ(zc, za, za)
	VPADDQ(rnd, za, za)
	VPSRAQ(cnt, za, za)
	VPMOVQD(za, c)
	VMOVDQU(c, Mem{Base: row, Index: i, Scale: 4})
	VPOR(c, acc, acc)
	ADDQ(Imm(8), i)
	CMPQ(i, n)
	JB(LabelRef("loop"))
	nz := GP8()
	VPTEST(acc, acc)
	SETNE(nz)
	VZEROUPPER()
	Store(nz, ReturnIndex(0))
	RET()
}

// motionHorizontalAVX512 is motionSAD's horizontal pass over the interior
// of a row, 8 outputs at a time: |(3571·(r[j-2]+r[j+2]) + 16004·(r[j-1]+r[j+1])
// + 26386·r[j] + 2^15) >> 16| summed in uint32 lanes, as libvmaf sums a row.
func motionHorizontalAVX512() {
	TEXT("motionHorizontalAVX512", NOSPLIT, "func(row *int32, n int) uint32")
	Pragma("noescape")
	Doc("motionHorizontalAVX512 returns the uint32 sum over j in [2, n+2) of",
		"|int32((3571·(row[j-2]+row[j+2]) + 16004·(row[j-1]+row[j+1]) + 26386·row[j] + 2^15) >> 16)|;",
		"n is a positive multiple of 8 and row holds n+4 values.")
	p, n := Load(Param("row"), GP64()), Load(Param("n"), GP64())
	f0, f1, f2 := motionTaps()
	rnd, t := ZMM(), GP64()
	MOVQ(U64(1<<15), t)
	VPBROADCASTQ(t, rnd)
	acc := YMM()
	VPXOR(acc, acc, acc)
	Label("loop")
	a, b, c := YMM(), YMM(), YMM()
	VMOVDQU(Mem{Base: p}, a)
	VPADDD(Mem{Base: p, Disp: 16}, a, a)
	VMOVDQU(Mem{Base: p, Disp: 4}, b)
	VPADDD(Mem{Base: p, Disp: 12}, b, b)
	za, zb, zc := ZMM(), ZMM(), ZMM()
	VPMOVSXDQ(a, za)
	VPMOVSXDQ(b, zb)
	VPMOVSXDQ(Mem{Base: p, Disp: 8}, zc)
	VPMULDQ(f0, za, za)
	VPMULDQ(f1, zb, zb)
	VPMULDQ(f2, zc, zc)
	VPADDQ(zb, za, za)
	VPADDQ(zc, za, za)
	VPADDQ(rnd, za, za)
	VPSRAQ(Imm(16), za, za)
	VPMOVQD(za, c)
	VPABSD(c, c)
	VPADDD(c, acc, acc)
	ADDQ(Imm(32), p)
	SUBQ(Imm(8), n)
	JNZ(LabelRef("loop"))
	hi := XMM()
	VEXTRACTI128(Imm(1), acc, hi)
	lo := acc.AsX()
	VPADDD(hi, lo, lo)
	VPSHUFD(Imm(0x4E), lo, hi)
	VPADDD(hi, lo, lo)
	VPSHUFD(Imm(0xB1), lo, hi)
	VPADDD(hi, lo, lo)
	sum := GP32()
	VMOVD(lo, sum)
	VZEROUPPER()
	Store(sum, ReturnIndex(0))
	RET()
}

// vifFilter17 is libvmaf's scale-0 VIF window (vif_filter1d_table[0]),
// symmetric about tap 8.
var vifFilter17 = [17]uint32{489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489}

// vifConv17AVX512 generates the 17-tap horizontal VIF filter
// dst[j] = Σ_k f_k·src[j+k] over 16 uint64 outputs per iteration, the
// AVX-512 twin of vifConv17x64AVX2 (wide: 64-bit lanes for values below
// 2³², VPMULUDQ) and vifConv17x32AVX2 (packed pairs in 32-bit lanes whose
// sums stay below 2³², VPMULLD). Mirrored taps are added before the
// multiply in 32-bit lanes (packed) or multiplied apart (wide, whose sums
// may pass 2³²).
func vifConv17AVX512(name string, wide bool) {
	TEXT(name, NOSPLIT, "func(dst *uint64, n int, src *uint64)")
	Pragma("noescape")
	lanes := "32-bit lanes (packed pairs whose lane sums stay below 2³²)"
	if wide {
		lanes = "64-bit lanes (values below 2³²)"
	}
	Doc(name+" sets dst[j] = Σ_k f_k·src[j+k] over libvmaf's 17-tap window in "+lanes+",",
		"for j < n, a positive multiple of 16.")
	dst, n, src := Load(Param("dst"), GP64()), Load(Param("n"), GP64()), Load(Param("src"), GP64())
	var taps [9]VecVirtual
	t := GP32()
	for k := range taps {
		taps[k] = ZMM()
		MOVL(U32(vifFilter17[k]), t)
		VPBROADCASTD(t, taps[k])
	}
	Label("loop")
	for h := range 2 {
		at := func(k int) Mem { return Mem{Base: src, Disp: 8*k + 64*h} }
		acc := ZMM()
		if wide {
			VPMULUDQ(at(8), taps[8], acc)
			for k := range 8 {
				x, y := ZMM(), ZMM()
				VPMULUDQ(at(k), taps[k], x)
				VPMULUDQ(at(16-k), taps[k], y)
				VPADDQ(x, acc, acc)
				VPADDQ(y, acc, acc)
			}
		} else {
			VPMULLD(at(8), taps[8], acc)
			for k := range 8 {
				x := ZMM()
				VMOVDQU64(at(k), x)
				VPADDD(at(16-k), x, x)
				VPMULLD(taps[k], x, x)
				VPADDD(x, acc, acc)
			}
		}
		VMOVDQU64(acc, Mem{Base: dst, Disp: 64 * h})
	}
	ADDQ(Imm(128), src)
	ADDQ(Imm(128), dst)
	SUBQ(Imm(16), n)
	JNZ(LabelRef("loop"))
	VZEROUPPER()
	RET()
}

// vifRowAVX512 generates the AVX-512 twin of vifRowAVX2 (vif_amd64.s):
// vifSums.row for 8 pixels per iteration in 64-bit lanes, with the same
// integer steps (libvmaf's), the same exact int→double conversions
// through 2⁵², leading-zero counts from the double's exponent, and the
// truncation of g·g·σ1² by VRNDSCALEPD toward zero. Lane selections are
// opmasks: k1 the pixels with σ1² >= σn², k2 those that also have σ12 > 0
// and σ2² > 0. Blocks with no pixel on a log path skip its steps.
func vifRowAVX512() {
	TEXT("vifRowAVX512", NOSPLIT, "func(mu1, mu2, xx, yy, xy *uint64, n int, log2 *uint16, gain, eps float64, sums *[4]int64, mu2shift uint64)")
	Pragma("noescape")
	Doc("vifRowAVX512 is vifRowAVX2 for 8 pixels per iteration; n is a positive multiple of 8.")
	pmu1, pmu2 := Load(Param("mu1"), GP64()), Load(Param("mu2"), GP64())
	pxx, pyy, pxy := Load(Param("xx"), GP64()), Load(Param("yy"), GP64()), Load(Param("xy"), GP64())
	n, tab := Load(Param("n"), GP64()), Load(Param("log2"), GP64())
	shift := XMM()
	t := GP64()
	Load(Param("mu2shift"), t)
	MOVQ(t, shift)
	bcast := func(v uint64) VecVirtual {
		z := ZMM()
		MOVQ(U64(v), t)
		VPBROADCASTQ(t, z)
		return z
	}
	q31, q15, qNsq, qNsqM1 := bcast(0x80000000), bcast(0x8000), bcast(0x20000), bcast(0x1ffff)
	qLo32, q2p52, qExp, q17 := bcast(0xffffffff), bcast(0x4330000000000000), bcast(1038), bcast(34816)
	qLo16, one := bcast(0xffff), bcast(1)
	gain, eps := ZMM(), ZMM()
	for _, p := range []struct {
		name string
		z    VecVirtual
	}{{"gain", gain}, {"eps", eps}} {
		b, err := Param(p.name).Resolve()
		if err != nil {
			panic(err) // a broken signature above
		}
		VBROADCASTSD(b.Addr, p.z)
	}
	zero := ZMM()
	VPXORQ(zero, zero, zero)
	var acc [4]VecVirtual // numLog, denLog, numNonLog, log pixels
	for k := range acc {
		acc[k] = ZMM()
		VPXORQ(acc[k], acc[k], acc[k])
	}
	// toDouble sets d to the double of the low 32 bits' value in x (exact).
	toDouble := func(x, d VecVirtual) {
		VPANDQ(qLo32, x, d)
		VPORQ(q2p52, d, d)
		VSUBPD(q2p52, d, d)
	}
	// gather sets out to log2[idx] per lane (idx < 2¹⁶), as qwords.
	gather := func(idx, out VecVirtual) {
		k, y := K(), YMM()
		KXNORW(k, k, k)
		VPXORD(y, y, y)
		VPGATHERQD(Mem{Base: tab, Index: idx, Scale: 2}, k, y)
		VPMOVZXDQ(y, out)
		VPANDQ(qLo16, out, out)
	}
	i := GP64()
	XORQ(i, i)
	Label("rowloop")
	at := func(p Register) Mem { return Mem{Base: p, Index: i, Scale: 8} }
	// μ products, rounded Q32 → Q0: (a·b + 2³¹) >> 32
	m1, m2 := ZMM(), ZMM()
	VMOVDQU64(at(pmu1), m1)
	VMOVDQU64(at(pmu2), m2)
	VPSRLQ(shift, m2, m2)
	m11, m12, m22 := ZMM(), ZMM(), ZMM()
	for _, p := range []struct{ a, b, out VecVirtual }{{m1, m1, m11}, {m2, m1, m12}, {m2, m2, m22}} {
		VPMULUDQ(p.a, p.b, p.out)
		VPADDQ(q31, p.out, p.out)
		VPSRLQ(Imm(32), p.out, p.out)
	}
	// σ1² (s11), σ2² (s22), σ12 (s12) in the low dwords
	s11, s22, s12 := ZMM(), ZMM(), ZMM()
	for _, p := range []struct {
		src Mem
		mu  VecVirtual
		out VecVirtual
	}{{at(pxx), m11, s11}, {at(pyy), m22, s22}, {at(pxy), m12, s12}} {
		VMOVDQU64(p.src, p.out)
		VPADDQ(q15, p.out, p.out)
		VPSRLQ(Imm(16), p.out, p.out)
		VPSUBQ(p.mu, p.out, p.out)
	}
	// σ2² = max(σ2², 0) as a qword
	VPMAXSD(zero, s22, s22)
	VPANDQ(qLo32, s22, s22)
	// k1 = σ1² >= σn², on σ1²'s low dword sign-extended
	s11s := ZMM()
	VPSLLQ(Imm(32), s11, s11s)
	VPSRAQ(Imm(32), s11s, s11s)
	k1, kn := K(), K()
	VPCMPGTQ(qNsqM1, s11s, k1)
	// other pixels: numNonLog += σ2²; acc[3] counts the log pixels
	KNOTB(k1, kn)
	VPADDQ(s22, acc[2], kn, acc[2])
	VPADDQ(one, acc[3], k1, acc[3])
	KORTESTB(k1, k1)
	JZ(LabelRef("rownext"))
	// denLog += log2_32(σn² + σ1²) - 2048·17
	d, dd, e, lg := ZMM(), ZMM(), ZMM(), ZMM()
	VPADDQ(qNsq, s11, d)
	VPANDQ(qLo32, d, d)
	VPORQ(q2p52, d, dd)
	VSUBPD(q2p52, dd, dd)
	VPSRLQ(Imm(52), dd, e)
	VPSUBQ(qExp, e, e)
	VPSRLVQ(e, d, d)
	VPANDQ(qLo16, d, d)
	gather(d, lg)
	VPSLLQ(Imm(11), e, e)
	VPADDQ(e, lg, lg)
	VPSUBQ(q17, lg, lg)
	VPADDQ(lg, acc[1], k1, acc[1])
	// k2 = k1 and σ12 > 0 and σ2² > 0
	s12s := ZMM()
	VPSLLQ(Imm(32), s12, s12s)
	VPSRAQ(Imm(32), s12s, s12s)
	k2, k3 := K(), K()
	VPCMPGTQ(zero, s12s, k2)
	VPCMPGTQ(zero, s22, k3)
	KANDB(k2, k3, k2)
	KANDB(k1, k2, k2)
	KORTESTB(k2, k2)
	JZ(LabelRef("rownext"))
	// σ1², σ12, σ2² as doubles (only the k2 lanes matter)
	f11, f12, f22 := ZMM(), ZMM(), ZMM()
	toDouble(s11, f11)
	toDouble(s12, f12)
	VPORQ(q2p52, s22, f22)
	VSUBPD(q2p52, f22, f22)
	// g = σ12 / (σ1² + eps); sv² = max((int32)(σ2² - g·σ12), 0)
	g, tmp := ZMM(), ZMM()
	VADDPD(eps, f11, tmp)
	VDIVPD(tmp, f12, g)
	VMULPD(f12, g, tmp)
	VSUBPD(tmp, f22, tmp)
	sv := YMM()
	VCVTTPD2DQ(tmp, sv)
	VPMAXSD(zero.AsY(), sv, sv)
	numer1 := ZMM()
	VPMOVZXDQ(sv, numer1)
	// numer1 = (uint32)(sv² + σn²)
	VPADDQ(qNsq, numer1, numer1)
	VPANDQ(qLo32, numer1, numer1)
	// g = MIN(g, gain); numer1_tmp = (int64)(g·g·σ1²) + numer1, as a double (exact)
	VMINPD(gain, g, g)
	VMULPD(g, g, g)
	VMULPD(f11, g, g)
	VRNDSCALEPD(Imm(3), g, g)
	fn1 := ZMM()
	VPORQ(q2p52, numer1, fn1)
	VSUBPD(q2p52, fn1, fn1)
	VADDPD(fn1, g, g)
	// k2e, index of numer1
	e2 := ZMM()
	VPSRLQ(Imm(52), fn1, e2)
	VPSUBQ(qExp, e2, e2)
	VPSRLVQ(e2, numer1, numer1)
	VPANDQ(qLo16, numer1, numer1)
	// numer1_tmp as an integer, k1e, its index
	it, e1 := ZMM(), ZMM()
	VADDPD(q2p52, g, it)
	VPSUBQ(q2p52, it, it)
	VPSRLQ(Imm(52), g, e1)
	VPSUBQ(qExp, e1, e1)
	VPSRLVQ(e1, it, it)
	VPANDQ(qLo16, it, it)
	VPSUBQ(e2, e1, e1)
	VPSLLQ(Imm(11), e1, e1)
	// numLog += table[idx1] - table[idx2] + 2048·(k1e - k2e)
	l1, l2 := ZMM(), ZMM()
	gather(it, l1)
	gather(numer1, l2)
	VPSUBQ(l2, l1, l1)
	VPADDQ(e1, l1, l1)
	VPADDQ(l1, acc[0], k2, acc[0])
	Label("rownext")
	ADDQ(Imm(8), i)
	CMPQ(i, n)
	JB(LabelRef("rowloop"))
	// horizontal sums into sums[0..3]
	sums := Load(Param("sums"), GP64())
	for k := range acc {
		hi := YMM()
		VEXTRACTI64X4(Imm(1), acc[k], hi)
		lo := acc[k].AsY()
		VPADDQ(hi, lo, lo)
		h2 := XMM()
		VEXTRACTI32X4(Imm(1), lo, h2)
		l := acc[k].AsX()
		VPADDQ(h2, l, l)
		VPSHUFD(Imm(0x4E), l, h2)
		VPADDQ(h2, l, l)
		VMOVQ(l, t)
		ADDQ(t, Mem{Base: sums, Disp: 8 * k})
	}
	VZEROUPPER()
	RET()
}

// vifConvAVX512 generates the AVX-512 twin of vifConvAVX2: the horizontal
// VIF filter of any window (scales 1..3: 9, 5 and 3 taps) in 64-bit lanes
// for values below 2³², 16 outputs per iteration.
func vifConvAVX512() {
	TEXT("vifConvAVX512", NOSPLIT, "func(dst *uint64, n int, src *uint64, filt *uint32, taps int)")
	Pragma("noescape")
	Doc("vifConvAVX512 sets dst[j] = Σ_t filt[t]·src[j+t] in 64-bit lanes (src values below 2³²)",
		"for j < n, a positive multiple of 16.")
	dst, n, src := Load(Param("dst"), GP64()), Load(Param("n"), GP64()), Load(Param("src"), GP64())
	filt, taps := Load(Param("filt"), GP64()), Load(Param("taps"), GP64())
	Label("loop")
	a0, a1 := ZMM(), ZMM()
	VPXORQ(a0, a0, a0)
	VPXORQ(a1, a1, a1)
	p, k := GP64(), GP64()
	MOVQ(src, p)
	XORQ(k, k)
	Label("tap")
	f, x, y := ZMM(), ZMM(), ZMM()
	VPBROADCASTD(Mem{Base: filt, Index: k, Scale: 4}, f)
	VPMULUDQ(Mem{Base: p}, f, x)
	VPMULUDQ(Mem{Base: p, Disp: 64}, f, y)
	VPADDQ(x, a0, a0)
	VPADDQ(y, a1, a1)
	ADDQ(Imm(8), p)
	INCQ(k)
	CMPQ(k, taps)
	JB(LabelRef("tap"))
	VMOVDQU64(a0, Mem{Base: dst})
	VMOVDQU64(a1, Mem{Base: dst, Disp: 64})
	ADDQ(Imm(128), src)
	ADDQ(Imm(128), dst)
	SUBQ(Imm(16), n)
	JNZ(LabelRef("loop"))
	VZEROUPPER()
	RET()
}
