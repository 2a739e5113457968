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
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/attr"
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
	perm := vifPerm()
	vifVertical8AVX512(perm, vifTaps17())
	vifVerticalMuAVX512(perm)
	vifVertical64AVX512()
	eo := vifEvenOdd()
	vifConvEvenAVX512("vifConvEven9AVX512", []uint32{1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244}, eo)
	vifConvEvenAVX512("vifConvEven5AVX512", []uint32{3571, 16004, 26386, 16004, 3571}, eo)
	vifConvEvenAVX512("vifConvEven3AVX512", []uint32{10904, 43728, 10904}, eo)
	admDWT0VerticalAVX512()
	admDWTRow64AVX512()
	admRestoreRow16AVX512()
	admCMRow0AVX512()
	admDWT0HorizontalAVX512()
	admCSFRow0AVX512()
	admRestoreRow32AVX512()
	admAnglesAVX512("admAngles16AVX512", false)
	admAnglesAVX512("admAngles32AVX512", true)
	admDWT123VerticalAVX512()
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

// vifPerm emits the dword index tables the vertical VIF kernels rearrange
// their lanes with (VPERMI2D: index i < 16 picks lane i of the first
// table, 16+i lane i of the second), eight rows of 16:
//
//   - rows 0, 1 (merge): VPUNPCKLWD/HWD split 32 columns into a low and a
//     high half of 16 dword lanes each, columns 8L..8L+3 and 8L+4..8L+7 of
//     each 128-bit lane L; merge puts columns 0..15 (row 0) and 16..31
//     (row 1) back in order.
//   - rows 2, 3 (inter): 8 columns of two in-order tables as qwords
//     a | b<<32, columns 0..7 (row 2) and 8..15 (row 3).
//   - rows 4..7 (widen): columns 8q..8q+7 of the split halves as qwords
//     of one dword each (the odd lanes are zeroed by a mask).
func vifPerm() Mem {
	m := GLOBL("vifPerm", attr.RODATA|attr.NOPTR)
	split := func(col int) uint32 { // the column's lane in the split halves
		l, c := col/8, col%8
		if c < 4 {
			return uint32(4*l + c)
		}
		return uint32(16 + 4*l + c - 4)
	}
	var rows [8][16]uint32
	for c := range 16 {
		rows[0][c], rows[1][c] = split(c), split(16+c)
	}
	for q := range 2 {
		for c := range 8 {
			rows[2+q][2*c], rows[2+q][2*c+1] = uint32(8*q+c), uint32(16+8*q+c)
		}
	}
	for q := range 4 {
		for c := range 8 {
			rows[4+q][2*c] = split(8*q + c)
		}
	}
	for r, row := range rows {
		for c, v := range row {
			DATA(64*r+4*c, U32(v))
		}
	}
	return m
}

// vifTaps17 emits vifFilter17's first nine taps as dwords, for VPMULLD's
// broadcast operand.
func vifTaps17() Mem {
	m := GLOBL("vifTaps17", attr.RODATA|attr.NOPTR)
	for k := range 9 {
		DATA(4*k, U32(vifFilter17[k]))
	}
	return m
}

// vifVertical8AVX512 generates the AVX-512 twin of vifVertical8AVX2 (the
// vertical pass of vif_statistic_8), 32 columns per iteration. The
// samples are 8-bit, so the two rows of a symmetric tap pair interleave
// into word pairs (VPUNPCKLWD/HWD) and VPMADDWD forms f·(xa+xb) (with the
// pair f | f<<16), xa²+xb², ya²+yb² and xa·ya+xb·yb in one step each; the
// squares are then multiplied by f with VPMULLD. Every term is below 2³¹
// and every sum below 2³², so the uint32 lanes hold vifVertical8Columns'
// values exactly. The split halves are put back in column order at the
// end (vifPerm).
func vifVertical8AVX512(perm, taps Mem) {
	TEXT("vifVertical8AVX512", NOSPLIT, "func(ref, dis *[17]*uint16, n int, mu, xx, yy, xy *uint64)")
	Pragma("noescape")
	Doc("vifVertical8AVX512 is vifVertical8AVX2 for 32 columns per iteration; the samples are below 256",
		"and n is a positive multiple of 32.")
	rp, dp, n := Load(Param("ref"), GP64()), Load(Param("dis"), GP64()), Load(Param("n"), GP64())
	pmu, pxx := Load(Param("mu"), GP64()), Load(Param("xx"), GP64())
	pyy, pxy := Load(Param("yy"), GP64()), Load(Param("xy"), GP64())
	t := GP32()
	var fw [9]VecVirtual // f | f<<16 in every dword
	for k := range fw {
		fw[k] = ZMM()
		MOVL(U32(vifFilter17[k]*0x10001), t)
		VPBROADCASTD(t, fw[k])
	}
	rnd, zero := ZMM(), ZMM()
	MOVL(U32(128), t)
	VPBROADCASTD(t, rnd)
	VPXORQ(zero, zero, zero)
	even := K()
	MOVL(U32(0x5555), t)
	KMOVW(t, even)
	i := GP64()
	XORQ(i, i)
	Label("v8loop")
	var acc [2][5]VecVirtual // [low, high half][Σf·x, Σf·y, Σf·x², Σf·y², Σf·x·y]
	for h := range acc {
		for m := range acc[h] {
			acc[h][m] = ZMM()
		}
	}
	for _, k := range []int{8, 0, 1, 2, 3, 4, 5, 6, 7} {
		// x: ref rows k and 16-k (the centre row with zeros), y: dis's.
		var x, y [2]VecVirtual
		for _, r := range []struct {
			base Register
			v    *[2]VecVirtual
		}{{rp, &x}, {dp, &y}} {
			pa, a := GP64(), ZMM()
			MOVQ(Mem{Base: r.base, Disp: 8 * k}, pa)
			VMOVDQU64(Mem{Base: pa, Index: i, Scale: 2}, a)
			r.v[0], r.v[1] = ZMM(), ZMM()
			if k == 8 {
				VPUNPCKLWD(zero, a, r.v[0])
				VPUNPCKHWD(zero, a, r.v[1])
				continue
			}
			pb := GP64()
			MOVQ(Mem{Base: r.base, Disp: 8 * (16 - k)}, pb)
			b := Mem{Base: pb, Index: i, Scale: 2}
			VPUNPCKLWD(b, a, r.v[0])
			VPUNPCKHWD(b, a, r.v[1])
		}
		f := taps.Offset(4 * k)
		for h := range acc {
			p := acc[h] // the centre's products start the sums
			if k != 8 {
				p = [5]VecVirtual{ZMM(), ZMM(), ZMM(), ZMM(), ZMM()}
			}
			VPMADDWD(fw[k], x[h], p[0])
			VPMADDWD(fw[k], y[h], p[1])
			VPMADDWD(x[h], x[h], p[2])
			VPMADDWD(y[h], y[h], p[3])
			VPMADDWD(y[h], x[h], p[4])
			for m := 2; m < 5; m++ {
				VPMULLD_BCST(f, p[m], p[m])
			}
			if k != 8 {
				for m := range p {
					VPADDD(p[m], acc[h][m], acc[h][m])
				}
			}
		}
	}
	// mu = (Σf·x + 128) >> 8 | ((Σf·y + 128) >> 8) << 32, in column order
	for h := range acc {
		for m := range 2 {
			VPADDD(rnd, acc[h][m], acc[h][m])
			VPSRLD(Imm(8), acc[h][m], acc[h][m])
		}
	}
	var ord [2][2]VecVirtual // [Σf·x, Σf·y][columns 0..15, 16..31]
	for m := range ord {
		for q := range ord[m] {
			ord[m][q] = ZMM()
			VMOVDQU64(perm.Offset(64*q), ord[m][q])
			VPERMI2D(acc[1][m], acc[0][m], ord[m][q])
		}
	}
	for q := range 4 {
		o := ZMM()
		VMOVDQU64(perm.Offset(64*(2+q%2)), o)
		VPERMI2D(ord[1][q/2], ord[0][q/2], o)
		VMOVDQU64(o, Mem{Base: pmu, Index: i, Scale: 8, Disp: 64 * q})
	}
	for m, p := range []Register{pxx, pyy, pxy} {
		for q := range 4 {
			o := ZMM()
			VMOVDQU64(perm.Offset(64*(4+q)), o)
			VPERMI2D_Z(acc[1][2+m], acc[0][2+m], even, o)
			VMOVDQU64(o, Mem{Base: p, Index: i, Scale: 8, Disp: 64 * q})
		}
	}
	ADDQ(Imm(32), i)
	CMPQ(i, n)
	JB(LabelRef("v8loop"))
	VZEROUPPER()
	RET()
}

// vifVerticalMuAVX512 generates the AVX-512 twin of vifVerticalMuAVX2
// (subsample_rd_8/16's vertical pass), 16 columns per iteration in 32-bit
// lanes. Symmetric taps are added before the multiply: the lanes wrap
// modulo 2³² as libvmaf's uint32 accumulators do, and the whole sum stays
// below 2³², so the result is the tap-by-tap one.
func vifVerticalMuAVX512(perm Mem) {
	TEXT("vifVerticalMuAVX512", NOSPLIT, "func(ref, dis *[17]*uint16, filt *uint32, taps int, n int, sh, rnd uint64, out *uint64)")
	Pragma("noescape")
	Doc("vifVerticalMuAVX512 is vifVerticalMuAVX2 for 16 columns per iteration; taps is odd, at least 3,",
		"the window symmetric, and n a positive multiple of 16.")
	rp, dp, filt := Load(Param("ref"), GP64()), Load(Param("dis"), GP64()), Load(Param("filt"), GP64())
	half, n := Load(Param("taps"), GP64()), Load(Param("n"), GP64())
	last := GP64()
	LEAQ(Mem{Base: half, Disp: -1}, last)
	SHRQ(Imm(1), half)
	cnt, t := XMM(), GP64()
	Load(Param("sh"), t)
	MOVQ(t, cnt)
	rnd := ZMM()
	b, err := Param("rnd").Resolve()
	if err != nil {
		panic(err) // a broken signature above
	}
	VPBROADCASTD(b.Addr, rnd)
	out := Load(Param("out"), GP64())
	i := GP64()
	XORQ(i, i)
	Label("muloop")
	var acc [2]VecVirtual // Σ f·x, Σ f·y
	f := ZMM()
	VPBROADCASTD(Mem{Base: filt, Index: half, Scale: 4}, f)
	for r, base := range []Register{rp, dp} {
		pa := GP64()
		MOVQ(Mem{Base: base, Index: half, Scale: 8}, pa)
		acc[r] = ZMM()
		VPMOVZXWD(Mem{Base: pa, Index: i, Scale: 2}, acc[r])
		VPMULLD(f, acc[r], acc[r])
	}
	k, j := GP64(), GP64()
	XORQ(k, k)
	MOVQ(last, j)
	Label("mutap")
	VPBROADCASTD(Mem{Base: filt, Index: k, Scale: 4}, f)
	for r, base := range []Register{rp, dp} {
		pa, pb := GP64(), GP64()
		MOVQ(Mem{Base: base, Index: k, Scale: 8}, pa)
		MOVQ(Mem{Base: base, Index: j, Scale: 8}, pb)
		x, y := ZMM(), ZMM()
		VPMOVZXWD(Mem{Base: pa, Index: i, Scale: 2}, x)
		VPMOVZXWD(Mem{Base: pb, Index: i, Scale: 2}, y)
		VPADDD(y, x, x)
		VPMULLD(f, x, x)
		VPADDD(x, acc[r], acc[r])
	}
	INCQ(k)
	DECQ(j)
	CMPQ(k, half)
	JB(LabelRef("mutap"))
	for r := range acc {
		VPADDD(rnd, acc[r], acc[r])
		VPSRLD(cnt, acc[r], acc[r])
	}
	for q := range 2 {
		o := ZMM()
		VMOVDQU64(perm.Offset(64*(2+q)), o)
		VPERMI2D(acc[1], acc[0], o)
		VMOVDQU64(o, Mem{Base: out, Index: i, Scale: 8, Disp: 64 * q})
	}
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("muloop"))
	VZEROUPPER()
	RET()
}

// vifVertical64AVX512 generates the AVX-512 twin of vifVertical64AVX2
// (vif_statistic_16's vertical pass), 16 columns per iteration in two
// blocks of 8 qword lanes, with the same products (f·x < 2³², so each is
// exact in 64 bits) and the same rounding.
func vifVertical64AVX512() {
	TEXT("vifVertical64AVX512", NOSPLIT, "func(ref, dis *[17]*uint16, filt *uint32, taps int, n int, out *[5]*uint64, rnd *[4]uint64)")
	Pragma("noescape")
	Doc("vifVertical64AVX512 is vifVertical64AVX2 for 16 columns per iteration; n is a positive multiple of 16.")
	rp, dp, filt := Load(Param("ref"), GP64()), Load(Param("dis"), GP64()), Load(Param("filt"), GP64())
	taps, n := Load(Param("taps"), GP64()), Load(Param("n"), GP64())
	out, pr := Load(Param("out"), GP64()), Load(Param("rnd"), GP64())
	shMu, shSq, rndMu, rndSq := XMM(), XMM(), ZMM(), ZMM()
	VMOVQ(Mem{Base: pr}, shMu)
	VPBROADCASTD(Mem{Base: pr, Disp: 8}, rndMu)
	VMOVQ(Mem{Base: pr, Disp: 16}, shSq)
	VPBROADCASTQ(Mem{Base: pr, Disp: 24}, rndSq)
	lo16, lo32, t := ZMM(), ZMM(), GP64()
	MOVQ(U64(0xffff), t)
	VPBROADCASTQ(t, lo16)
	MOVQ(U64(0xffffffff), t)
	VPBROADCASTQ(t, lo32)
	i := GP64()
	XORQ(i, i)
	Label("v64loop")
	var acc [2][5]VecVirtual // [block][Σf·x, Σf·y, Σf·x², Σf·y², Σf·x·y]
	for h := range acc {
		for m := range acc[h] {
			acc[h][m] = ZMM()
			VPXORQ(acc[h][m], acc[h][m], acc[h][m])
		}
	}
	k := GP64()
	XORQ(k, k)
	Label("v64tap")
	f := ZMM()
	VPBROADCASTD(Mem{Base: filt, Index: k, Scale: 4}, f)
	pa, pb := GP64(), GP64()
	MOVQ(Mem{Base: rp, Index: k, Scale: 8}, pa)
	MOVQ(Mem{Base: dp, Index: k, Scale: 8}, pb)
	for h := range acc {
		x, y, fx, fy := ZMM(), ZMM(), ZMM(), ZMM()
		VPMOVZXWQ(Mem{Base: pa, Index: i, Scale: 2, Disp: 16 * h}, x)
		VPMOVZXWQ(Mem{Base: pb, Index: i, Scale: 2, Disp: 16 * h}, y)
		VPMULUDQ(f, x, fx)
		VPMULUDQ(f, y, fy)
		VPADDQ(fx, acc[h][0], acc[h][0])
		VPADDQ(fy, acc[h][1], acc[h][1])
		p2, p3 := ZMM(), ZMM()
		VPMULUDQ(x, fx, p2)
		VPMULUDQ(y, fy, p3)
		VPMULUDQ(y, fx, fx)
		VPADDQ(p2, acc[h][2], acc[h][2])
		VPADDQ(p3, acc[h][3], acc[h][3])
		VPADDQ(fx, acc[h][4], acc[h][4])
	}
	INCQ(k)
	CMPQ(k, taps)
	JB(LabelRef("v64tap"))
	for h := range acc {
		for m := range 2 {
			VPADDD(rndMu, acc[h][m], acc[h][m])
			VPSRLD(shMu, acc[h][m], acc[h][m])
			VPANDQ(lo16, acc[h][m], acc[h][m])
		}
		for m := 2; m < 5; m++ {
			VPADDQ(rndSq, acc[h][m], acc[h][m])
			VPSRLQ(shSq, acc[h][m], acc[h][m])
			VPANDQ(lo32, acc[h][m], acc[h][m])
		}
	}
	p := GP64()
	for m := range 5 {
		MOVQ(Mem{Base: out, Disp: 8 * m}, p)
		for h := range acc {
			VMOVDQU64(acc[h][m], Mem{Base: p, Index: i, Scale: 8, Disp: 64 * h})
		}
	}
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("v64loop"))
	VZEROUPPER()
	RET()
}

// vifEvenOdd emits the qword index tables of the even (0, 2, .. 14) and
// the odd (1, 3, .. 15) samples of two registers, for VPERMI2Q and VPERMQ.
func vifEvenOdd() Mem {
	m := GLOBL("vifEvenOdd", attr.RODATA|attr.NOPTR)
	for p := range 2 {
		for q := range 8 {
			DATA(64*p+8*q, U64(uint64(2*q+p)))
		}
	}
	return m
}

// vifConvEvenAVX512 generates the AVX-512 twin of vifConvEven9, 5 or 3
// (filt, libvmaf's window of scale 1, 2 or 3): dst[j] = Σ_k f_k·src[2j+k]
// for packed pairs in 32-bit lanes, 8 outputs per iteration. The even and
// odd samples of src[2j..2j+15] and of the few after (a masked load, so
// nothing past the row is read) are gathered with VPERMI2Q and VPERMQ,
// and the samples of tap k are then a VALIGNQ of them. Symmetric taps are
// added before the multiply; every product and sum stays below 2³², as in
// the uint64 loop.
func vifConvEvenAVX512(name string, filt []uint32, eo Mem) {
	taps, r := len(filt), len(filt)/2
	TEXT(name, NOSPLIT, "func(dst *uint64, n int, src *uint64)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[j] = Σ_k f_k·src[2j+k] over libvmaf's %d-tap window in 32-bit lanes", name, taps),
		fmt.Sprintf("(packed pairs whose lane sums stay below 2³²) for j < n, a positive multiple of 8; src holds 2n+%d values.", taps-2))
	dst, n, src := Load(Param("dst"), GP64()), Load(Param("n"), GP64()), Load(Param("src"), GP64())
	t := GP32()
	f := make([]VecVirtual, r+1)
	for k := range f {
		f[k] = ZMM()
		MOVL(U32(filt[k]), t)
		VPBROADCASTD(t, f[k])
	}
	ie, io := ZMM(), ZMM()
	VMOVDQU64(eo, ie)
	VMOVDQU64(eo.Offset(64), io)
	tail := K() // the taps-2 samples after src[2j+15]
	MOVL(U32(1<<(taps-2)-1), t)
	KMOVW(t, tail)
	Label(name + "loop")
	// e, o: src[2j+2i], src[2j+2i+1]; e2, o2: the same for 2j+16+2i
	a, e, o, c, e2, o2 := ZMM(), ZMM(), ZMM(), ZMM(), ZMM(), ZMM()
	VMOVDQU64(Mem{Base: src}, a)
	VMOVDQA64(ie, e)
	VPERMI2Q(Mem{Base: src, Disp: 64}, a, e)
	VMOVDQA64(io, o)
	VPERMI2Q(Mem{Base: src, Disp: 64}, a, o)
	VMOVDQU64_Z(Mem{Base: src, Disp: 128}, tail, c)
	VPERMQ(c, ie, e2)
	if taps > 3 {
		VPERMQ(c, io, o2)
	}
	// at(k) is src[2j+2i+k] for i < 8.
	at := func(k int) VecVirtual {
		lo, hi := e, e2
		if k%2 == 1 {
			lo, hi = o, o2
		}
		if k/2 == 0 {
			return lo
		}
		v := ZMM()
		VALIGNQ(Imm(uint64(k/2)), lo, hi, v)
		return v
	}
	acc := ZMM()
	VPMULLD(f[r], at(r), acc)
	for k := range r {
		x := ZMM()
		VPADDD(at(taps-1-k), at(k), x)
		VPMULLD(f[k], x, x)
		VPADDD(x, acc, acc)
	}
	VMOVDQU64(acc, Mem{Base: dst})
	ADDQ(Imm(128), src)
	ADDQ(Imm(64), dst)
	SUBQ(Imm(8), n)
	JNZ(LabelRef(name + "loop"))
	VZEROUPPER()
	RET()
}

// The db2 analysis taps of libvmaf's adm_dwt2 (dwt2_db2_coeffs_lo/hi,
// Q15), as in quality/adm_dwt.go; the low-pass taps sum to admLoSum.
var (
	admLo = [4]int32{15826, 27411, 7345, -4240}
	admHi = [4]int32{-4240, -7345, 27411, -15826}
)

const admLoSum = 46342

// admPair packs two taps as int16 words a | b<<16, VPMADDWD's operand.
func admPair(a, b int32) uint32 { return uint32(uint16(a)) | uint32(uint16(b))<<16 }

// bcastD returns a ZMM with v in every dword.
func bcastD(v uint32) VecVirtual {
	t, z := GP32(), ZMM()
	MOVL(U32(v), t)
	VPBROADCASTD(t, z)
	return z
}

// bcastQ returns a ZMM with v in every qword.
func bcastQ(v uint64) VecVirtual {
	t, z := GP64(), ZMM()
	MOVQ(U64(v), t)
	VPBROADCASTQ(t, z)
	return z
}

// hsumQ returns the sum of acc's eight qwords in a general register.
func hsumQ(acc VecVirtual) GPVirtual {
	hi := YMM()
	VEXTRACTI64X4(Imm(1), acc, hi)
	lo := acc.AsY()
	VPADDQ(hi, lo, lo)
	h2 := XMM()
	VEXTRACTI128(Imm(1), lo, h2)
	l := acc.AsX()
	VPADDQ(h2, l, l)
	VPSHUFD(Imm(0x4E), l, h2)
	VPADDQ(h2, l, l)
	r := GP64()
	VMOVQ(l, r)
	return r
}

// admDWT0VerticalAVX512 generates the AVX-512 twin of admDWT0VerticalAVX2
// (adm_dwt2_8/16's vertical pass), 32 columns per iteration. Each uint16
// sample s is re-centred to the int16 s − 2^15 (its top bit flipped), the
// rows of each tap pair are interleaved into word pairs (VPUNPCKLWD/HWD),
// and VPMADDWD forms lo_0·x_0 + lo_1·x_1 and lo_2·x_2 + lo_3·x_3 exactly in
// int32. The re-centring takes 2^15·Σ lo_k = 2^15·46342 from the lo sum,
// which is added back to addLo, and nothing from the hi sum (its taps sum
// to 0); the int32 lanes then wrap as libvmaf's int32 sums do, so the
// shifted values are the same. VPACKSSDW puts the split halves back in
// column order, as the AVX2 kernel packs.
func admDWT0VerticalAVX512() {
	TEXT("admDWT0VerticalAVX512", NOSPLIT, "func(r *[4]*uint16, lo, hi *int16, n int, addLo, addHi int32, sh uint64)")
	Pragma("noescape")
	Doc("admDWT0VerticalAVX512 is admDWT0VerticalAVX2 for 32 columns per iteration: for j < n, a positive",
		"multiple of 32, lo[j] = int16((Σ lo_k·r_k[j] + addLo) >> sh) and hi[j] likewise, in wrapping",
		"int32 lanes; the results must fit in int16 (they do for samples below 2^sh).")
	rp := Load(Param("r"), GP64())
	var p [4]GPVirtual
	for k := range p {
		p[k] = GP64()
		MOVQ(Mem{Base: rp, Disp: 8 * k}, p[k])
	}
	lo, hi, n := Load(Param("lo"), GP64()), Load(Param("hi"), GP64()), Load(Param("n"), GP64())
	tl, th := GP32(), GP32()
	Load(Param("addLo"), tl)
	ADDL(U32(admLoSum<<15), tl)
	Load(Param("addHi"), th)
	addLo, addHi := ZMM(), ZMM()
	VPBROADCASTD(tl, addLo)
	VPBROADCASTD(th, addHi)
	cnt, ts := XMM(), GP64()
	Load(Param("sh"), ts)
	MOVQ(ts, cnt)
	flip := bcastD(0x80008000)
	taps := [2][2]VecVirtual{
		{bcastD(admPair(admLo[0], admLo[1])), bcastD(admPair(admLo[2], admLo[3]))},
		{bcastD(admPair(admHi[0], admHi[1])), bcastD(admPair(admHi[2], admHi[3]))},
	}
	i := GP64()
	XORQ(i, i)
	Label("dwt0vloop")
	var x [4]VecVirtual
	for k := range x {
		x[k] = ZMM()
		VPXORD(Mem{Base: p[k], Index: i, Scale: 2}, flip, x[k])
	}
	// u[q][h]: word pairs (x_2q, x_2q+1), columns 8L..8L+3 (h = 0) and
	// 8L+4..8L+7 (h = 1) of each 128-bit lane L.
	var u [2][2]VecVirtual
	for q := range u {
		u[q][0], u[q][1] = ZMM(), ZMM()
		VPUNPCKLWD(x[2*q+1], x[2*q], u[q][0])
		VPUNPCKHWD(x[2*q+1], x[2*q], u[q][1])
	}
	for f, out := range []struct {
		p   Register
		add VecVirtual
	}{{lo, addLo}, {hi, addHi}} {
		var s [2]VecVirtual
		for h := range s {
			s[h] = ZMM()
			b := ZMM()
			VPMADDWD(taps[f][0], u[0][h], s[h])
			VPMADDWD(taps[f][1], u[1][h], b)
			VPADDD(b, s[h], s[h])
			VPADDD(out.add, s[h], s[h])
			VPSRAD(cnt, s[h], s[h])
		}
		VPACKSSDW(s[1], s[0], s[0])
		VMOVDQU64(s[0], Mem{Base: out.p, Index: i, Scale: 2})
	}
	ADDQ(Imm(32), i)
	CMPQ(i, n)
	JB(LabelRef("dwt0vloop"))
	VZEROUPPER()
	RET()
}

// admDWTRow64AVX512 generates the AVX-512 twin of admDWTRow64AVX2 (one
// filter of adm_dwt2_s123_combined's horizontal pass), 8 outputs per
// iteration: the samples u_k = t[2m+k] are the low and high dwords of the
// qwords at t[2m] and t[2m+2], multiplied by VPMULDQ into exact int64
// products, summed, rounded and shifted arithmetically (VPSRAQ) and
// narrowed to int32 as libvmaf's stores are.
func admDWTRow64AVX512() {
	TEXT("admDWTRow64AVX512", NOSPLIT, "func(t *int32, n int, out *int32, c *[4]int32, add int64, sh uint64)")
	Pragma("noescape")
	Doc("admDWTRow64AVX512 is admDWTRow64AVX2 for 8 outputs per iteration: out[m] =",
		"int32((Σ c_k·t[2m+k] + add) >> sh) in int64 for m < n, a positive multiple of 8.")
	t, n := Load(Param("t"), GP64()), Load(Param("n"), GP64())
	out, pc := Load(Param("out"), GP64()), Load(Param("c"), GP64())
	var c [4]VecVirtual
	for j := range c {
		c[j] = ZMM()
		VPBROADCASTD(Mem{Base: pc, Disp: 4 * j}, c[j])
	}
	add, cnt := ZMM(), XMM()
	ta := GP64()
	Load(Param("add"), ta)
	VPBROADCASTQ(ta, add)
	Load(Param("sh"), ta)
	MOVQ(ta, cnt)
	Label("dwt64loop")
	a, b, ao, bo := ZMM(), ZMM(), ZMM(), ZMM()
	VMOVDQU64(Mem{Base: t}, a)
	VMOVDQU64(Mem{Base: t, Disp: 8}, b)
	VPSRLQ(Imm(32), a, ao)
	VPSRLQ(Imm(32), b, bo)
	s, x := ZMM(), ZMM()
	VPMULDQ(c[0], a, s)
	for j, u := range []VecVirtual{ao, b, bo} {
		VPMULDQ(c[j+1], u, x)
		VPADDQ(x, s, s)
	}
	VPADDQ(add, s, s)
	VPSRAQ(cnt, s, s)
	y := YMM()
	VPMOVQD(s, y)
	VMOVDQU(y, Mem{Base: out})
	ADDQ(Imm(64), t)
	ADDQ(Imm(32), out)
	SUBQ(Imm(8), n)
	JNZ(LabelRef("dwt64loop"))
	VZEROUPPER()
	RET()
}

// admRestoreRow16AVX512 generates the AVX-512 twin of admRestoreRow16AVX2
// (adm_decouple without the enhancement gain), 16 coefficients per
// iteration: the reciprocals come from one VPGATHERDD, k's int64
// products are formed for the even and odd dwords by VPMULDQ, rounded and
// shifted arithmetically (VPSRAQ) and merged (VPBLENDMD); o = 0 selects
// 32768 through an opmask. r is narrowed to int16 by truncation (VPMOVDW)
// and a = int16(t − r) is a word subtraction, as libvmaf's int16 stores
// wrap.
func admRestoreRow16AVX512() {
	TEXT("admRestoreRow16AVX512", NOSPLIT, "func(o, t, r, a *int16, n int, div *int32)")
	Pragma("noescape")
	Doc("admRestoreRow16AVX512 is admRestoreRow16AVX2 for 16 coefficients per iteration; n is a positive",
		"multiple of 16.")
	po, pt := Load(Param("o"), GP64()), Load(Param("t"), GP64())
	pr, pa := Load(Param("r"), GP64()), Load(Param("a"), GP64())
	n, div := Load(Param("n"), GP64()), Load(Param("div"), GP64())
	c32768, rndD, rndQ := bcastD(32768), bcastD(16384), bcastQ(16384)
	zero := ZMM()
	VPXORD(zero, zero, zero)
	odd := K()
	t := GP32()
	MOVL(U32(0xAAAA), t)
	KMOVW(t, odd)
	i := GP64()
	XORQ(i, i)
	Label("rst16loop")
	ow, tw := YMM(), YMM()
	VMOVDQU(Mem{Base: po, Index: i, Scale: 2}, ow)
	VMOVDQU(Mem{Base: pt, Index: i, Scale: 2}, tw)
	xo, xt, idx := ZMM(), ZMM(), ZMM()
	VPMOVSXWD(ow, xo)
	VPMOVSXWD(tw, xt)
	VPADDD(c32768, xo, idx)
	all, d := K(), ZMM()
	KXNORW(all, all, all)
	VPXORD(d, d, d)
	VPGATHERDD(Mem{Base: div, Index: idx, Scale: 4}, all, d)
	// k = (div·t + 2^14) >> 15 in int64: even dwords in ke, odd in ko.
	ke, ko, do, to := ZMM(), ZMM(), ZMM(), ZMM()
	VPMULDQ(xt, d, ke)
	VPSRLQ(Imm(32), d, do)
	VPSRLQ(Imm(32), xt, to)
	VPMULDQ(to, do, ko)
	VPADDQ(rndQ, ke, ke)
	VPADDQ(rndQ, ko, ko)
	VPSRAQ(Imm(15), ke, ke)
	VPSRAQ(Imm(15), ko, ko)
	VPSLLQ(Imm(32), ko, ko)
	kk := ZMM()
	VPBLENDMD(ko, ke, odd, kk)
	// o == 0 gives 32768; then clamp to [0, 32768].
	kz := K()
	VPCMPEQD(zero, xo, kz)
	VMOVDQA32(c32768, kz, kk)
	VPMAXSD(zero, kk, kk)
	VPMINSD(c32768, kk, kk)
	// r = int16((k·o + 2^14) >> 15), a = int16(t − r)
	VPMULLD(xo, kk, kk)
	VPADDD(rndD, kk, kk)
	VPSRAD(Imm(15), kk, kk)
	rw, aw := YMM(), YMM()
	VPMOVDW(kk, rw)
	VMOVDQU(rw, Mem{Base: pr, Index: i, Scale: 2})
	VPSUBW(rw, tw, aw)
	VMOVDQU(aw, Mem{Base: pa, Index: i, Scale: 2})
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("rst16loop"))
	VZEROUPPER()
	RET()
}

// admCMRow0AVX512 generates the AVX-512 twin of admCMRow0AVX2 (one band
// of one row of adm_cm's accumulation), 16 coefficients per iteration:
// x = max(|src·rf| − thr<<sub, 0) in wrapping int32 lanes, then for the
// even and the odd dwords sq = int32((x² + addSq) >> shSq) (VPMULUDQ: x ≥ 0)
// and (sq·x + addCub) >> shCub with VPMULDQ and an arithmetic VPSRAQ,
// summed in int64 lanes.
func admCMRow0AVX512() {
	TEXT("admCMRow0AVX512", NOSPLIT, "func(src *int16, thr *int32, n int, rf int32, sub uint64, addSq int64, shSq uint64, addCub int64, shCub uint64) int64")
	Pragma("noescape")
	Doc("admCMRow0AVX512 is admCMRow0AVX2 for 16 coefficients per iteration: Σ_j of",
		"(int32((x·x + addSq) >> shSq)·x + addCub) >> shCub with x = max(|src[j]·rf| − thr[j]<<sub, 0)",
		"for j < n, a positive multiple of 16.")
	src, thr, n := Load(Param("src"), GP64()), Load(Param("thr"), GP64()), Load(Param("n"), GP64())
	rf, addSq, addCub := ZMM(), ZMM(), ZMM()
	sub, shSq, shCub := XMM(), XMM(), XMM()
	tr := GP32()
	Load(Param("rf"), tr)
	VPBROADCASTD(tr, rf)
	for _, q := range []struct {
		name string
		x    VecVirtual
		bc   bool
	}{{"sub", sub, false}, {"addSq", addSq, true}, {"shSq", shSq, false}, {"addCub", addCub, true}, {"shCub", shCub, false}} {
		t := GP64()
		Load(Param(q.name), t)
		if q.bc {
			VPBROADCASTQ(t, q.x)
		} else {
			MOVQ(t, q.x)
		}
	}
	zero, acc := ZMM(), ZMM()
	VPXORD(zero, zero, zero)
	VPXORQ(acc, acc, acc)
	i := GP64()
	XORQ(i, i)
	Label("cm0loop")
	x, th := ZMM(), ZMM()
	VPMOVSXWD(Mem{Base: src, Index: i, Scale: 2}, x)
	VPMULLD(rf, x, x)
	VPABSD(x, x)
	VMOVDQU32(Mem{Base: thr, Index: i, Scale: 4}, th)
	VPSLLD(sub, th, th)
	VPSUBD(th, x, x)
	VPMAXSD(zero, x, x)
	xo := ZMM()
	VPSRLQ(Imm(32), x, xo)
	for _, v := range []VecVirtual{x, xo} {
		sq, c := ZMM(), ZMM()
		VPMULUDQ(v, v, sq)
		VPADDQ(addSq, sq, sq)
		VPSRLQ(shSq, sq, sq)
		VPMULDQ(v, sq, c)
		VPADDQ(addCub, c, c)
		VPSRAQ(shCub, c, c)
		VPADDQ(c, acc, acc)
	}
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("cm0loop"))
	Store(hsumQ(acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// admDWT0HorizontalAVX512 generates the AVX-512 twin of
// admDWT0HorizontalAVX2 (adm_dwt2_8/16's horizontal pass), 16 outputs per
// iteration: the dwords at t[2m] and t[2m+2] are the word pairs
// (u_0, u_1) and (u_2, u_3) of output m, so VPMADDWD forms the tap pairs
// exactly in int32 (|u| < 2^15, Σ|taps| < 2^16) and the rounded,
// shifted sums are narrowed to int16 in column order (VPMOVDW).
func admDWT0HorizontalAVX512() {
	TEXT("admDWT0HorizontalAVX512", NOSPLIT, "func(t *int16, n int, lp, hp *int16)")
	Pragma("noescape")
	Doc("admDWT0HorizontalAVX512 is admDWT0HorizontalAVX2 for 16 outputs per iteration: with u = t[2m..2m+3],",
		"lp[m] = int16((Σ lo_k·u_k + 32768) >> 16) and hp[m] likewise for m < n, a positive multiple of 16.")
	t, n := Load(Param("t"), GP64()), Load(Param("n"), GP64())
	lp, hp := Load(Param("lp"), GP64()), Load(Param("hp"), GP64())
	taps := [2][2]VecVirtual{
		{bcastD(admPair(admLo[0], admLo[1])), bcastD(admPair(admLo[2], admLo[3]))},
		{bcastD(admPair(admHi[0], admHi[1])), bcastD(admPair(admHi[2], admHi[3]))},
	}
	rnd := bcastD(32768)
	i := GP64()
	XORQ(i, i)
	Label("dwt0hloop")
	u01, u23 := ZMM(), ZMM()
	VMOVDQU64(Mem{Base: t, Index: i, Scale: 4}, u01)
	VMOVDQU64(Mem{Base: t, Index: i, Scale: 4, Disp: 4}, u23)
	for f, out := range []Register{lp, hp} {
		s, b := ZMM(), ZMM()
		VPMADDWD(taps[f][0], u01, s)
		VPMADDWD(taps[f][1], u23, b)
		VPADDD(b, s, s)
		VPADDD(rnd, s, s)
		VPSRAD(Imm(16), s, s)
		y := YMM()
		VPMOVDW(s, y)
		VMOVDQU(y, Mem{Base: out, Index: i, Scale: 2})
	}
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("dwt0hloop"))
	VZEROUPPER()
	RET()
}

// admCSFRow0AVX512 generates the AVX-512 twin of admCSFRow0AVX2 (adm_csf
// at scale 0 reduced to the sums adm_cm reads, admCSFSums0, with the
// default viewing model's weights), 16 coefficients per iteration in
// wrapping int32 lanes; each int16 truncation is a 16-bit left shift and an
// arithmetic right shift.
func admCSFRow0AVX512() {
	TEXT("admCSFRow0AVX512", NOSPLIT, "func(bh, bv, bd *int16, f, c *int32, n int)")
	Pragma("noescape")
	Doc("admCSFRow0AVX512 is admCSFRow0AVX2 for 16 coefficients per iteration: f[j], c[j] =",
		"admCSFSums0(bh[j], bv[j], bd[j]) for j < n, a positive multiple of 16.")
	var band [3]Register
	for b, name := range []string{"bh", "bv", "bd"} {
		band[b] = Load(Param(name), GP64())
	}
	pf, pc, n := Load(Param("f"), GP64()), Load(Param("c"), GP64()), Load(Param("n"), GP64())
	rfHV, rfD := bcastD(36453), bcastD(49417)
	addHV, addD := bcastD(16384), bcastD(65535)
	k30, k15, rnd := bcastD(4369), bcastD(8738), bcastD(2048)
	i := GP64()
	XORQ(i, i)
	Label("csf0loop")
	f, c := ZMM(), ZMM()
	for b := range band {
		rf, add, sh := rfHV, addHV, uint64(15)
		if b == 2 {
			rf, add, sh = rfD, addD, 17
		}
		a, x, y := ZMM(), ZMM(), ZMM()
		VPMOVSXWD(Mem{Base: band[b], Index: i, Scale: 2}, a)
		VPMULLD(rf, a, a)
		VPADDD(add, a, a)
		VPSRAD(Imm(sh), a, a)
		VPSLLD(Imm(16), a, a)
		VPSRAD(Imm(16), a, a)
		VPABSD(a, a)
		VPMULLD(k30, a, x)
		VPMULLD(k15, a, y)
		for _, v := range []VecVirtual{x, y} {
			VPADDD(rnd, v, v)
			VPSRAD(Imm(12), v, v)
			VPSLLD(Imm(16), v, v)
			VPSRAD(Imm(16), v, v)
		}
		if b == 0 {
			f, c = x, y
			continue
		}
		VPADDD(x, f, f)
		VPADDD(y, c, c)
	}
	VMOVDQU32(f, Mem{Base: pf, Index: i, Scale: 4})
	VMOVDQU32(c, Mem{Base: pc, Index: i, Scale: 4})
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("csf0loop"))
	VZEROUPPER()
	RET()
}

// admRestoreRow32AVX512 generates the AVX-512 twin of admRestoreRow32AVX2
// (adm_decouple_s123 without the enhancement gain), 16 coefficients per
// iteration. The shift of get_best15_from32, max(floor(log2|o|) − 14, 0),
// is the float exponent of |o| >> 14 (below 2^17, so converted exactly);
// the reciprocals come from one VPGATHERDD and are negated where o < 0
// (VPMOVD2M). k's and r's int64 products are formed for the even and odd
// dwords by VPMULDQ, rounded and shifted arithmetically by a per-lane count
// (VPSLLVQ, VPSRAVQ), k clamped to [0, 32768] in int64 (VPMAXSQ, VPMINSQ)
// as libvmaf clamps it, and the halves merged (VPBLENDMD).
func admRestoreRow32AVX512() {
	TEXT("admRestoreRow32AVX512", NOSPLIT, "func(o, t, r, a *int32, n int, div *int32)")
	Pragma("noescape")
	Doc("admRestoreRow32AVX512 is admRestoreRow32AVX2 for 16 coefficients per iteration; n is a positive",
		"multiple of 16 and |o| < 2^31.")
	po, pt := Load(Param("o"), GP64()), Load(Param("t"), GP64())
	pr, pa := Load(Param("r"), GP64()), Load(Param("a"), GP64())
	n, div := Load(Param("n"), GP64()), Load(Param("div"), GP64())
	c32768, c127, one := bcastD(32768), bcastD(127), bcastD(1)
	q32768, q1, q14, q15, rndQ := bcastQ(32768), bcastQ(1), bcastQ(14), bcastQ(15), bcastQ(16384)
	lo32 := bcastQ(0xffffffff)
	zero := ZMM()
	VPXORD(zero, zero, zero)
	odd := K()
	t := GP32()
	MOVL(U32(0xAAAA), t)
	KMOVW(t, odd)
	i := GP64()
	XORQ(i, i)
	Label("rst32loop")
	xo, xt, ab := ZMM(), ZMM(), ZMM()
	VMOVDQU32(Mem{Base: po, Index: i, Scale: 4}, xo)
	VMOVDQU32(Mem{Base: pt, Index: i, Scale: 4}, xt)
	VPABSD(xo, ab)
	// sh = max(floor(log2(|o| >> 14)), 0), from the float exponent.
	sh, e := ZMM(), ZMM()
	VPSRLD(Imm(14), ab, e)
	VCVTDQ2PS(e, e)
	VPSRLD(Imm(23), e, e)
	VPSUBD(c127, e, e)
	VPMAXSD(zero, e, sh)
	// m = (|o| + (2^sh >> 1)) >> sh; recip = ±div[m + 32768]
	m := ZMM()
	VPSLLVD(sh, one, m)
	VPSRLD(Imm(1), m, m)
	VPADDD(ab, m, m)
	VPSRLVD(sh, m, m)
	VPADDD(c32768, m, m)
	all, d := K(), ZMM()
	KXNORW(all, all, all)
	VPXORD(d, d, d)
	VPGATHERDD(Mem{Base: div, Index: m, Scale: 4}, all, d)
	neg := K()
	VPMOVD2M(xo, neg)
	VPSUBD(d, zero, neg, d)
	// k = clamp((recip·t + 2^(14+sh)) >> (15+sh), 0, 32768) in int64, for
	// the even (h = 0) and odd (h = 1) dwords.
	var kh [2]VecVirtual
	for h := range kh {
		dv, tv, s := d, xt, ZMM()
		if h == 0 {
			VPANDQ(lo32, sh, s)
		} else {
			dv, tv = ZMM(), ZMM()
			VPSRLQ(Imm(32), d, dv)
			VPSRLQ(Imm(32), xt, tv)
			VPSRLQ(Imm(32), sh, s)
		}
		p, rnd, c := ZMM(), ZMM(), ZMM()
		VPMULDQ(tv, dv, p)
		VPADDQ(q14, s, c)
		VPSLLVQ(c, q1, rnd)
		VPADDQ(rnd, p, p)
		VPADDQ(q15, s, c)
		VPSRAVQ(c, p, p)
		VPMAXSQ(zero, p, p)
		VPMINSQ(q32768, p, p)
		kh[h] = p
	}
	kk := ZMM()
	VPSLLQ(Imm(32), kh[1], kh[1])
	VPBLENDMD(kh[1], kh[0], odd, kk)
	// o == 0 gives 32768.
	kz := K()
	VPTESTNMD(xo, xo, kz)
	VMOVDQA32(c32768, kz, kk)
	// r = int32((k·o + 2^14) >> 15) in int64, a = t − r
	var rh [2]VecVirtual
	for h := range rh {
		kv, ov := kk, xo
		if h == 1 {
			kv, ov = ZMM(), ZMM()
			VPSRLQ(Imm(32), kk, kv)
			VPSRLQ(Imm(32), xo, ov)
		}
		p := ZMM()
		VPMULDQ(ov, kv, p)
		VPADDQ(rndQ, p, p)
		VPSRAQ(Imm(15), p, p)
		rh[h] = p
	}
	rr := ZMM()
	VPSLLQ(Imm(32), rh[1], rh[1])
	VPBLENDMD(rh[1], rh[0], odd, rr)
	VMOVDQU32(rr, Mem{Base: pr, Index: i, Scale: 4})
	VPSUBD(rr, xt, xt)
	VMOVDQU32(xt, Mem{Base: pa, Index: i, Scale: 4})
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("rst32loop"))
	VZEROUPPER()
	RET()
}

// admAnglesAVX512 generates the AVX-512 orientation flags of adm_decouple
// (admAngleFlag) for the int16 bands of scale 0 (admAngles16AVX512, twin
// of admAngles16AVX2) or the int32 bands of scales 1..3 (wide,
// admAngles32AVX512), 8 coefficients per iteration in 64-bit lanes: the
// samples are sign-extended to qwords, the dot product and squared
// magnitudes formed exactly in int64 (VPMULDQ), rounded to float as
// libvmaf's (float) casts round them (VCVTQQ2PS), widened to double,
// divided by 4096 (a multiply by 2^-12, exact) and compared as
// dp ≥ 0 && dp² ≥ (cos²·|o|²)·|t|².
func admAnglesAVX512(name string, wide bool) {
	elem, load, size := "*int16", VPMOVSXWQ, 2
	if wide {
		elem, load, size = "*int32", VPMOVSXDQ, 4
	}
	TEXT(name, NOSPLIT, "func(oh, ov, th, tv "+elem+", angle *byte, n int, cos2 float64) bool")
	Pragma("noescape")
	Doc(name+" sets angle[j] to 1 where admAngleFlag holds for (oh[j], ov[j]) and (th[j], tv[j]),",
		"else 0, for j < n, a positive multiple of 8, and reports whether any is set.")
	var p [4]Register
	for k, name := range []string{"oh", "ov", "th", "tv"} {
		p[k] = Load(Param(name), GP64())
	}
	angle, n := Load(Param("angle"), GP64()), Load(Param("n"), GP64())
	cos2 := ZMM()
	b, err := Param("cos2").Resolve()
	if err != nil {
		panic(err) // a broken signature above
	}
	VBROADCASTSD(b.Addr, cos2)
	inv, ones := bcastQ(math.Float64bits(1.0/4096)), bcastD(0x01010101)
	zero := ZMM()
	VPXORQ(zero, zero, zero)
	any := GP32()
	XORL(any, any)
	i := GP64()
	XORQ(i, i)
	Label(name + "loop")
	var x [4]VecVirtual // oh, ov, th, tv
	for k := range x {
		x[k] = ZMM()
		load(Mem{Base: p[k], Index: i, Scale: uint8(size)}, x[k])
	}
	// dp = oh·th + ov·tv, om = oh² + ov², tm = th² + tv², as doubles / 4096
	var v [3]VecVirtual
	for m, q := range [3][4]int{{0, 2, 1, 3}, {0, 0, 1, 1}, {2, 2, 3, 3}} {
		v[m] = ZMM()
		y := ZMM()
		VPMULDQ(x[q[1]], x[q[0]], v[m])
		VPMULDQ(x[q[3]], x[q[2]], y)
		VPADDQ(y, v[m], v[m])
		f := YMM()
		VCVTQQ2PS(v[m], f)
		VCVTPS2PD(f, v[m])
		VMULPD(inv, v[m], v[m])
	}
	dp, om, tm := v[0], v[1], v[2]
	pos, flag := K(), K()
	VCMPPD(Imm(0x1D), zero, dp, pos)
	VMULPD(dp, dp, dp)
	VMULPD(cos2, om, om)
	VMULPD(tm, om, om)
	VCMPPD(Imm(0x1D), om, dp, pos, flag)
	fl := XMM()
	VMOVDQU8_Z(ones.AsX(), flag, fl)
	VMOVQ(fl, Mem{Base: angle, Index: i, Scale: 1})
	m := GP32()
	KMOVB(flag, m)
	ORL(m, any)
	ADDQ(Imm(8), i)
	CMPQ(i, n)
	JB(LabelRef(name + "loop"))
	r := GP8()
	TESTL(any, any)
	SETNE(r)
	VZEROUPPER()
	Store(r, ReturnIndex(0))
	RET()
}

// admDWT123VerticalAVX512 generates the vertical pass of
// adm_dwt2_s123_combined for any scale (the Go loop of admDWT123Vertical;
// scale 1's AVX2 kernel has no rounding), 16 columns per iteration in two
// blocks of 8 qword lanes: the int32 samples are sign-extended, multiplied
// by the taps exactly (VPMULDQ), summed and rounded in int64, shifted
// arithmetically (VPSRAQ) and narrowed to int32 as libvmaf stores them.
func admDWT123VerticalAVX512() {
	TEXT("admDWT123VerticalAVX512", NOSPLIT, "func(r *[4]*int32, lo, hi *int32, n int, add int64, sh uint64)")
	Pragma("noescape")
	Doc("admDWT123VerticalAVX512 sets lo[j] = int32((Σ lo_k·r_k[j] + add) >> sh) and hi[j] likewise in int64",
		"for j < n, a positive multiple of 16.")
	rp := Load(Param("r"), GP64())
	var p [4]GPVirtual
	for k := range p {
		p[k] = GP64()
		MOVQ(Mem{Base: rp, Disp: 8 * k}, p[k])
	}
	lo, hi, n := Load(Param("lo"), GP64()), Load(Param("hi"), GP64()), Load(Param("n"), GP64())
	add, cnt, t := ZMM(), XMM(), GP64()
	Load(Param("add"), t)
	VPBROADCASTQ(t, add)
	Load(Param("sh"), t)
	MOVQ(t, cnt)
	var taps [2][4]VecVirtual
	for k := range 4 {
		taps[0][k], taps[1][k] = bcastD(uint32(admLo[k])), bcastD(uint32(admHi[k]))
	}
	i := GP64()
	XORQ(i, i)
	Label("dwt123vloop")
	for h := range 2 {
		var x [4]VecVirtual
		for k := range x {
			x[k] = ZMM()
			VPMOVSXDQ(Mem{Base: p[k], Index: i, Scale: 4, Disp: 32 * h}, x[k])
		}
		for f, out := range []Register{lo, hi} {
			s := ZMM()
			VPMULDQ(taps[f][0], x[0], s)
			for k := 1; k < 4; k++ {
				y := ZMM()
				VPMULDQ(taps[f][k], x[k], y)
				VPADDQ(y, s, s)
			}
			VPADDQ(add, s, s)
			VPSRAQ(cnt, s, s)
			y := YMM()
			VPMOVQD(s, y)
			VMOVDQU(y, Mem{Base: out, Index: i, Scale: 4, Disp: 32 * h})
		}
	}
	ADDQ(Imm(16), i)
	CMPQ(i, n)
	JB(LabelRef("dwt123vloop"))
	VZEROUPPER()
	RET()
}
