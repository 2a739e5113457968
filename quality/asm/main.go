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
