//go:build !purego

#include "textflag.h"

// The db2 taps of adm_dwt2 (dwt2_db2_coeffs_lo/hi), each broadcast to eight
// dwords for VPMULLD, and as int16 pairs {tap 0, tap 1}, {tap 2, tap 3} for
// VPMADDWD.
DATA admLo0<>+0(SB)/4, $15826
GLOBL admLo0<>(SB), RODATA|NOPTR, $4
DATA admLo1<>+0(SB)/4, $27411
GLOBL admLo1<>(SB), RODATA|NOPTR, $4
DATA admLo2<>+0(SB)/4, $7345
GLOBL admLo2<>(SB), RODATA|NOPTR, $4
DATA admLo3<>+0(SB)/4, $-4240
GLOBL admLo3<>(SB), RODATA|NOPTR, $4
DATA admHi1<>+0(SB)/4, $-7345
GLOBL admHi1<>(SB), RODATA|NOPTR, $4
DATA admHi3<>+0(SB)/4, $-15826
GLOBL admHi3<>(SB), RODATA|NOPTR, $4
DATA admLoPair01<>+0(SB)/4, $0x6B133DD2
GLOBL admLoPair01<>(SB), RODATA|NOPTR, $4
DATA admLoPair23<>+0(SB)/4, $0xEF701CB1
GLOBL admLoPair23<>(SB), RODATA|NOPTR, $4
DATA admHiPair01<>+0(SB)/4, $0xE34FEF70
GLOBL admHiPair01<>(SB), RODATA|NOPTR, $4
DATA admHiPair23<>+0(SB)/4, $0xC22E6B13
GLOBL admHiPair23<>(SB), RODATA|NOPTR, $4
DATA admRound16<>+0(SB)/4, $32768
GLOBL admRound16<>(SB), RODATA|NOPTR, $4

// func admDWT0VerticalAVX2(r *[4]*uint16, lo, hi *int16, n int, addLo, addHi int32, sh uint64)
// For j in [0, n), n a positive multiple of 8:
//   lo[j] = int16((Σ lo_k·r_k[j] + addLo) >> sh)
//   hi[j] = int16((Σ hi_k·r_k[j] + addHi) >> sh)
// in int32 lanes (wrapping as libvmaf's int32 sums do). The results always
// fit in int16, so the saturating pack equals the truncation.
TEXT ·admDWT0VerticalAVX2(SB), NOSPLIT, $0-48
	MOVQ r+0(FP), AX
	MOVQ 0(AX), SI
	MOVQ 8(AX), R8
	MOVQ 16(AX), R9
	MOVQ 24(AX), R10
	MOVQ lo+8(FP), DI
	MOVQ hi+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL addLo+32(FP), AX
	VMOVD AX, X8
	VPBROADCASTD X8, Y8
	MOVL addHi+36(FP), AX
	VMOVD AX, X9
	VPBROADCASTD X9, Y9
	MOVQ sh+40(FP), AX
	VMOVQ AX, X15
	VPBROADCASTD admLo0<>(SB), Y10
	VPBROADCASTD admLo1<>(SB), Y11
	VPBROADCASTD admLo2<>(SB), Y12
	VPBROADCASTD admLo3<>(SB), Y13
	VPBROADCASTD admHi1<>(SB), Y14
	XORQ BX, BX

vloop:
	VPMOVZXWD (SI)(BX*2), Y0
	VPMOVZXWD (R8)(BX*2), Y1
	VPMOVZXWD (R9)(BX*2), Y2
	VPMOVZXWD (R10)(BX*2), Y3

	// lo = 15826·s0 + 27411·s1 + 7345·s2 − 4240·s3 + addLo
	VPMULLD Y10, Y0, Y4
	VPMULLD Y11, Y1, Y6
	VPADDD Y6, Y4, Y4
	VPMULLD Y12, Y2, Y6
	VPADDD Y6, Y4, Y4
	VPMULLD Y13, Y3, Y6
	VPADDD Y6, Y4, Y4
	VPADDD Y8, Y4, Y4
	VPSRAD X15, Y4, Y4
	VEXTRACTI128 $1, Y4, X6
	VPACKSSDW X6, X4, X4
	VMOVDQU X4, (DI)(BX*2)

	// hi = −4240·s0 − 7345·s1 + 27411·s2 − 15826·s3 + addHi
	VPMULLD Y13, Y0, Y5
	VPMULLD Y14, Y1, Y6
	VPADDD Y6, Y5, Y5
	VPMULLD Y11, Y2, Y6
	VPADDD Y6, Y5, Y5
	VPBROADCASTD admHi3<>(SB), Y7
	VPMULLD Y7, Y3, Y6
	VPADDD Y6, Y5, Y5
	VPADDD Y9, Y5, Y5
	VPSRAD X15, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPACKSSDW X6, X5, X5
	VMOVDQU X5, (DX)(BX*2)

	ADDQ $8, BX
	CMPQ BX, CX
	JLT vloop
	VZEROUPPER
	RET

// func admDWT0HorizontalAVX2(t *int16, n int, lp, hp *int16)
// For m in [0, n), n a positive multiple of 8, with u = t[2m..2m+3]:
//   lp[m] = int16((Σ lo_k·u_k + 32768) >> 16)
//   hp[m] = int16((Σ hi_k·u_k + 32768) >> 16)
// VPMADDWD forms the pairs lo_0·u_0 + lo_1·u_1 and lo_2·u_2 + lo_3·u_3 in
// int32 exactly; the sums and results fit (|u| < 2^15, Σ|taps| < 2^16).
TEXT ·admDWT0HorizontalAVX2(SB), NOSPLIT, $0-32
	MOVQ t+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lp+16(FP), DI
	MOVQ hp+24(FP), DX
	VPBROADCASTD admLoPair01<>(SB), Y10
	VPBROADCASTD admLoPair23<>(SB), Y11
	VPBROADCASTD admHiPair01<>(SB), Y12
	VPBROADCASTD admHiPair23<>(SB), Y13
	VPBROADCASTD admRound16<>(SB), Y9
	XORQ BX, BX

hloop:
	VMOVDQU (SI)(BX*4), Y0
	VMOVDQU 4(SI)(BX*4), Y1

	VPMADDWD Y10, Y0, Y2
	VPMADDWD Y11, Y1, Y3
	VPADDD Y3, Y2, Y2
	VPADDD Y9, Y2, Y2
	VPSRAD $16, Y2, Y2
	VEXTRACTI128 $1, Y2, X3
	VPACKSSDW X3, X2, X2
	VMOVDQU X2, (DI)(BX*2)

	VPMADDWD Y12, Y0, Y4
	VPMADDWD Y13, Y1, Y5
	VPADDD Y5, Y4, Y4
	VPADDD Y9, Y4, Y4
	VPSRAD $16, Y4, Y4
	VEXTRACTI128 $1, Y4, X5
	VPACKSSDW X5, X4, X4
	VMOVDQU X4, (DX)(BX*2)

	ADDQ $8, BX
	CMPQ BX, CX
	JLT hloop
	VZEROUPPER
	RET

DATA admRFH<>+0(SB)/4, $36453
GLOBL admRFH<>(SB), RODATA|NOPTR, $4
DATA admRFD<>+0(SB)/4, $49417
GLOBL admRFD<>(SB), RODATA|NOPTR, $4
DATA admC16384<>+0(SB)/4, $16384
GLOBL admC16384<>(SB), RODATA|NOPTR, $4
DATA admC65535<>+0(SB)/4, $65535
GLOBL admC65535<>(SB), RODATA|NOPTR, $4
DATA admC4369<>+0(SB)/4, $4369
GLOBL admC4369<>(SB), RODATA|NOPTR, $4
DATA admC8738<>+0(SB)/4, $8738
GLOBL admC8738<>(SB), RODATA|NOPTR, $4
DATA admC2048<>+0(SB)/4, $2048
GLOBL admC2048<>(SB), RODATA|NOPTR, $4
DATA admSign64<>+0(SB)/8, $0x8000000000000000
GLOBL admSign64<>(SB), RODATA|NOPTR, $8

// ADMCSFBAND0 accumulates one band of admCSFSums0 for eight coefficients:
// a = |int16((rf·x + add) >> sh)|, Y8 += int16((4369·a + 2048) >> 12),
// Y9 += int16((8738·a + 2048) >> 12). Int16 truncation is a 16-bit left
// shift and an arithmetic right shift.
#define ADMCSFBAND0(src, rf, add, sh) \
	VPMOVSXWD src, Y0 \
	VPMULLD rf, Y0, Y0 \
	VPADDD add, Y0, Y0 \
	VPSRAD sh, Y0, Y0 \
	VPSLLD $16, Y0, Y0 \
	VPSRAD $16, Y0, Y0 \
	VPABSD Y0, Y0 \
	VPMULLD Y14, Y0, Y1 \
	VPMULLD Y15, Y0, Y2 \
	VPADDD Y13, Y1, Y1 \
	VPADDD Y13, Y2, Y2 \
	VPSRAD $12, Y1, Y1 \
	VPSRAD $12, Y2, Y2 \
	VPSLLD $16, Y1, Y1 \
	VPSLLD $16, Y2, Y2 \
	VPSRAD $16, Y1, Y1 \
	VPSRAD $16, Y2, Y2 \
	VPADDD Y1, Y8, Y8 \
	VPADDD Y2, Y9, Y9

// func admCSFRow0AVX2(bh, bv, bd *int16, f, c *int32, n int)
// f[j], c[j] = admCSFSums0(bh[j], bv[j], bd[j]) for j in [0, n), n a
// positive multiple of 8.
TEXT ·admCSFRow0AVX2(SB), NOSPLIT, $0-48
	MOVQ bh+0(FP), SI
	MOVQ bv+8(FP), R8
	MOVQ bd+16(FP), R9
	MOVQ f+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ n+40(FP), CX
	VPBROADCASTD admRFH<>(SB), Y10
	VPBROADCASTD admRFD<>(SB), Y11
	VPBROADCASTD admC16384<>(SB), Y12
	VPBROADCASTD admC2048<>(SB), Y13
	VPBROADCASTD admC4369<>(SB), Y14
	VPBROADCASTD admC8738<>(SB), Y15
	VPBROADCASTD admC65535<>(SB), Y7
	XORQ BX, BX

csfloop:
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	ADMCSFBAND0((SI)(BX*2), Y10, Y12, $15)
	ADMCSFBAND0((R8)(BX*2), Y10, Y12, $15)
	ADMCSFBAND0((R9)(BX*2), Y11, Y7, $17)
	VMOVDQU Y8, (DI)(BX*4)
	VMOVDQU Y9, (DX)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT csfloop
	VZEROUPPER
	RET

// ADMCUBE adds to Y15 (four int64 lanes) the cubes of the even dwords of
// reg (non-negative int32 x): sq = int32((x·x + addSq) >> shSq), then
// (sq·x + addCub) >> shCub, the last shift arithmetic, done as a logical
// shift of v ^ 2^63 minus 2^(63-shCub) (Y14). Y10 = addSq, X11 = shSq,
// Y12 = addCub, X13 = shCub, Y9 = 2^63.
#define ADMCUBE(reg) \
	VPMULUDQ reg, reg, Y2 \
	VPADDQ Y10, Y2, Y2 \
	VPSRLQ X11, Y2, Y2 \
	VPMULDQ reg, Y2, Y3 \
	VPADDQ Y12, Y3, Y3 \
	VPXOR Y9, Y3, Y3 \
	VPSRLQ X13, Y3, Y3 \
	VPSUBQ Y14, Y3, Y3 \
	VPADDQ Y3, Y15, Y15

// func admCMRow0AVX2(src *int16, thr *int32, n int, k *admCMConsts) int64
// Σ_j cube(max(|src[j]·rf| − thr[j]<<sub, 0)) for j in [0, n), n a positive
// multiple of 8, with adm_cm's int32 and int64 rounding (admCMShifts.cube).
TEXT ·admCMRow0AVX2(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ thr+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), AX
	VPBROADCASTD 0(AX), Y8    // rf
	VMOVQ 8(AX), X7           // sub
	VPBROADCASTQ 16(AX), Y10  // addSq
	VMOVQ 24(AX), X11         // shSq
	VPBROADCASTQ 32(AX), Y12  // addCub
	VMOVQ 40(AX), X13         // shCub
	VPBROADCASTQ 48(AX), Y14  // 2^(63-shCub)
	VPBROADCASTQ admSign64<>(SB), Y9
	VPXOR Y6, Y6, Y6
	VPXOR Y15, Y15, Y15
	XORQ BX, BX

cmloop:
	VPMOVSXWD (SI)(BX*2), Y0
	VPMULLD Y8, Y0, Y0
	VPABSD Y0, Y0
	VMOVDQU (DX)(BX*4), Y1
	VPSLLD X7, Y1, Y1
	VPSUBD Y1, Y0, Y0
	VPMAXSD Y6, Y0, Y0
	ADMCUBE(Y0)
	VPSRLQ $32, Y0, Y4
	ADMCUBE(Y4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT cmloop

	VEXTRACTI128 $1, Y15, X0
	VPADDQ X0, X15, X15
	VPSHUFD $0x4e, X15, X0
	VPADDQ X0, X15, X15
	VMOVQ X15, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func admDWT1VerticalAVX2(r *[4]*int32, lo, hi *int32, n int)
// The vertical pass of adm_dwt2_s123_combined at scale 1, where it neither
// rounds nor shifts: lo[j] = int32(Σ lo_k·r_k[j]), hi[j] likewise, for j in
// [0, n), n a positive multiple of 8. The int64 sum truncated to int32 is
// the int32 sum with wrap-around, which VPMULLD and VPADDD compute.
TEXT ·admDWT1VerticalAVX2(SB), NOSPLIT, $0-32
	MOVQ r+0(FP), AX
	MOVQ 0(AX), SI
	MOVQ 8(AX), R8
	MOVQ 16(AX), R9
	MOVQ 24(AX), R10
	MOVQ lo+8(FP), DI
	MOVQ hi+16(FP), DX
	MOVQ n+24(FP), CX
	VPBROADCASTD admLo0<>(SB), Y10
	VPBROADCASTD admLo1<>(SB), Y11
	VPBROADCASTD admLo2<>(SB), Y12
	VPBROADCASTD admLo3<>(SB), Y13
	VPBROADCASTD admHi1<>(SB), Y14
	VPBROADCASTD admHi3<>(SB), Y15
	XORQ BX, BX

v1loop:
	VMOVDQU (SI)(BX*4), Y0
	VMOVDQU (R8)(BX*4), Y1
	VMOVDQU (R9)(BX*4), Y2
	VMOVDQU (R10)(BX*4), Y3
	VPMULLD Y10, Y0, Y4
	VPMULLD Y11, Y1, Y6
	VPADDD Y6, Y4, Y4
	VPMULLD Y12, Y2, Y6
	VPADDD Y6, Y4, Y4
	VPMULLD Y13, Y3, Y6
	VPADDD Y6, Y4, Y4
	VMOVDQU Y4, (DI)(BX*4)
	VPMULLD Y13, Y0, Y5
	VPMULLD Y14, Y1, Y6
	VPADDD Y6, Y5, Y5
	VPMULLD Y11, Y2, Y6
	VPADDD Y6, Y5, Y5
	VPMULLD Y15, Y3, Y6
	VPADDD Y6, Y5, Y5
	VMOVDQU Y5, (DX)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT v1loop
	VZEROUPPER
	RET

// func admDWTRow64AVX2(t *int32, n int, out *int32, k *admDWTConsts)
// One filter of the horizontal pass of adm_dwt2_s123_combined: for m in
// [0, n), n a positive multiple of 4, with u = t[2m..2m+3],
//   out[m] = int32((Σ c_k·u_k + add) >> sh)
// with int64 products and sums and an arithmetic shift, done as a logical
// shift of v ^ 2^63 minus 2^(63-sh).
TEXT ·admDWTRow64AVX2(SB), NOSPLIT, $0-32
	MOVQ t+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ out+16(FP), DI
	MOVQ k+24(FP), AX
	VPBROADCASTD 0(AX), Y8
	VPBROADCASTD 4(AX), Y9
	VPBROADCASTD 8(AX), Y10
	VPBROADCASTD 12(AX), Y11
	VPBROADCASTQ 16(AX), Y12  // add
	VMOVQ 24(AX), X13         // sh
	VPBROADCASTQ 32(AX), Y14  // 2^(63-sh)
	VPBROADCASTQ admSign64<>(SB), Y15
	XORQ BX, BX

h64loop:
	VMOVDQU (SI)(BX*8), Y0
	VMOVDQU 8(SI)(BX*8), Y1
	VPSRLQ $32, Y0, Y2
	VPSRLQ $32, Y1, Y3
	VPMULDQ Y8, Y0, Y4
	VPMULDQ Y9, Y2, Y5
	VPADDQ Y5, Y4, Y4
	VPMULDQ Y10, Y1, Y5
	VPADDQ Y5, Y4, Y4
	VPMULDQ Y11, Y3, Y5
	VPADDQ Y5, Y4, Y4
	VPADDQ Y12, Y4, Y4
	VPXOR Y15, Y4, Y4
	VPSRLQ X13, Y4, Y4
	VPSUBQ Y14, Y4, Y4
	VPSHUFD $0x08, Y4, Y4
	VPERMQ $0x08, Y4, Y4
	VMOVDQU X4, (DI)(BX*4)
	ADDQ $4, BX
	CMPQ BX, CX
	JLT h64loop
	VZEROUPPER
	RET

// func admCubeSum16AVX2(x *int16, n int) uint64
// Σ |x[j]|³ for j in [0, n), n a positive multiple of 8, in uint64 (the
// inner sums of adm_csf_den_scale).
TEXT ·admCubeSum16AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXOR Y15, Y15, Y15
	XORQ BX, BX

cubeloop:
	VPMOVSXWD (SI)(BX*2), Y0
	VPABSD Y0, Y0
	VPMULLD Y0, Y0, Y1
	VPMULUDQ Y0, Y1, Y2
	VPADDQ Y2, Y15, Y15
	VPSRLQ $32, Y0, Y0
	VPSRLQ $32, Y1, Y1
	VPMULUDQ Y0, Y1, Y2
	VPADDQ Y2, Y15, Y15
	ADDQ $8, BX
	CMPQ BX, CX
	JLT cubeloop

	VEXTRACTI128 $1, Y15, X0
	VPADDQ X0, X15, X15
	VPSHUFD $0x4e, X15, X0
	VPADDQ X0, X15, X15
	VMOVQ X15, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

// func admAdd3AVX2(a, b, c, out *int32, n int)
// out[j] = a[j] + b[j] + c[j] for j in [0, n), n a positive multiple of 8.
TEXT ·admAdd3AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), R8
	MOVQ c+16(FP), R9
	MOVQ out+24(FP), DI
	MOVQ n+32(FP), CX
	XORQ BX, BX

add3loop:
	VMOVDQU (SI)(BX*4), Y0
	VPADDD (R8)(BX*4), Y0, Y0
	VPADDD (R9)(BX*4), Y0, Y0
	VMOVDQU Y0, (DI)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT add3loop
	VZEROUPPER
	RET

// func admThrAVX2(v, f, c, out *int32, n int)
// out[j] = v[j] + v[j+1] + v[j+2] − f[j] + c[j] for j in [0, n), n a
// positive multiple of 8 (adm_cm's threshold from the vertical sums).
TEXT ·admThrAVX2(SB), NOSPLIT, $0-40
	MOVQ v+0(FP), SI
	MOVQ f+8(FP), R8
	MOVQ c+16(FP), R9
	MOVQ out+24(FP), DI
	MOVQ n+32(FP), CX
	XORQ BX, BX

thrloop:
	VMOVDQU (SI)(BX*4), Y0
	VPADDD 4(SI)(BX*4), Y0, Y0
	VPADDD 8(SI)(BX*4), Y0, Y0
	VPSUBD (R8)(BX*4), Y0, Y0
	VPADDD (R9)(BX*4), Y0, Y0
	VMOVDQU Y0, (DI)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT thrloop
	VZEROUPPER
	RET

DATA admC32768<>+0(SB)/4, $32768
GLOBL admC32768<>(SB), RODATA|NOPTR, $4
DATA admQ16384<>+0(SB)/8, $16384
GLOBL admQ16384<>(SB), RODATA|NOPTR, $8
DATA admQ2p48<>+0(SB)/8, $0x0001000000000000
GLOBL admQ2p48<>(SB), RODATA|NOPTR, $8

// func admRestoreRow16AVX2(o, t, r, a *int16, n int, div *int32)
// adm_decouple for one band of one row, without the enhancement gain: for j
// in [0, n), n a positive multiple of 8,
//   k = o ? clamp(int32((div[o+32768]·t + 16384) >> 15), 0, 32768) : 32768
//   r = int16((k·o + 16384) >> 15),  a = int16(t − r)
// (the product and shift in int64; the arithmetic shift is a logical shift
// of v ^ 2^63 minus 2^48). The caller redoes coefficients whose orientation
// flag is set.
TEXT ·admRestoreRow16AVX2(SB), NOSPLIT, $0-48
	MOVQ o+0(FP), SI
	MOVQ t+8(FP), R8
	MOVQ r+16(FP), DI
	MOVQ a+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ div+40(FP), R10
	VPBROADCASTD admC32768<>(SB), Y9
	VPBROADCASTQ admQ16384<>(SB), Y10
	VPBROADCASTQ admSign64<>(SB), Y11
	VPBROADCASTQ admQ2p48<>(SB), Y12
	VPBROADCASTD admC16384<>(SB), Y13
	VPXOR Y14, Y14, Y14
	XORQ BX, BX

rloop:
	VPMOVSXWD (SI)(BX*2), Y0
	VPMOVSXWD (R8)(BX*2), Y1
	VPADDD Y9, Y0, Y2
	VPCMPEQD Y3, Y3, Y3
	VPGATHERDD Y3, (R10)(Y2*4), Y4

	// k for the even lanes in Y5, the odd lanes in Y6, int64.
	VPMULDQ Y1, Y4, Y5
	VPADDQ Y10, Y5, Y5
	VPXOR Y11, Y5, Y5
	VPSRLQ $15, Y5, Y5
	VPSUBQ Y12, Y5, Y5
	VPSRLQ $32, Y4, Y6
	VPSRLQ $32, Y1, Y7
	VPMULDQ Y7, Y6, Y6
	VPADDQ Y10, Y6, Y6
	VPXOR Y11, Y6, Y6
	VPSRLQ $15, Y6, Y6
	VPSUBQ Y12, Y6, Y6
	VPSLLQ $32, Y6, Y6
	VPBLENDD $0xAA, Y6, Y5, Y5

	// o == 0 gives 32768; then clamp to [0, 32768].
	VPCMPEQD Y14, Y0, Y6
	VPBLENDVB Y6, Y9, Y5, Y5
	VPMAXSD Y14, Y5, Y5
	VPMINSD Y9, Y5, Y5

	// r = int16((k·o + 16384) >> 15), a = int16(t − r)
	VPMULLD Y0, Y5, Y6
	VPADDD Y13, Y6, Y6
	VPSRAD $15, Y6, Y6
	VPSLLD $16, Y6, Y6
	VPSRAD $16, Y6, Y6
	VPSUBD Y6, Y1, Y7
	VPSLLD $16, Y7, Y7
	VPSRAD $16, Y7, Y7
	VEXTRACTI128 $1, Y6, X8
	VPACKSSDW X8, X6, X6
	VMOVDQU X6, (DI)(BX*2)
	VEXTRACTI128 $1, Y7, X8
	VPACKSSDW X8, X7, X7
	VMOVDQU X7, (DX)(BX*2)

	ADDQ $8, BX
	CMPQ BX, CX
	JLT rloop
	VZEROUPPER
	RET

DATA admQ2p27<>+0(SB)/8, $0x0000000008000000
GLOBL admQ2p27<>(SB), RODATA|NOPTR, $8
DATA admQ2p35<>+0(SB)/8, $0x0000000800000000
GLOBL admQ2p35<>(SB), RODATA|NOPTR, $8

// func admCMRow123AVX2(src, thr *int32, n int, k *admCMConsts) int64
// As admCMRow0AVX2 for i4_adm_cm: x = int32((src·rf + 2^27) >> 28) in
// int64 (rf < 2^31), then Σ cube(max(|x| − thr, 0)).
TEXT ·admCMRow123AVX2(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ thr+8(FP), DX
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), AX
	VPBROADCASTD 0(AX), Y8    // rf
	VPBROADCASTQ 16(AX), Y10  // addSq
	VMOVQ 24(AX), X11         // shSq
	VPBROADCASTQ 32(AX), Y12  // addCub
	VMOVQ 40(AX), X13         // shCub
	VPBROADCASTQ 48(AX), Y14  // 2^(63-shCub)
	VPBROADCASTQ admSign64<>(SB), Y9
	VPBROADCASTQ admQ2p27<>(SB), Y7
	VPBROADCASTQ admQ2p35<>(SB), Y1
	VPXOR Y6, Y6, Y6
	VPXOR Y15, Y15, Y15
	XORQ BX, BX

cm1loop:
	VMOVDQU (SI)(BX*4), Y0
	// x for the even lanes (Y4) and odd lanes (Y5): (src·rf + 2^27) >> 28,
	// arithmetic, as (v ^ 2^63) >>> 28 − 2^35.
	VPMULDQ Y8, Y0, Y4
	VPADDQ Y7, Y4, Y4
	VPXOR Y9, Y4, Y4
	VPSRLQ $28, Y4, Y4
	VPSUBQ Y1, Y4, Y4
	VPSRLQ $32, Y0, Y5
	VPMULDQ Y8, Y5, Y5
	VPADDQ Y7, Y5, Y5
	VPXOR Y9, Y5, Y5
	VPSRLQ $28, Y5, Y5
	VPSUBQ Y1, Y5, Y5
	VPSLLQ $32, Y5, Y5
	VPBLENDD $0xAA, Y5, Y4, Y0
	VPABSD Y0, Y0
	VPSUBD (DX)(BX*4), Y0, Y0
	VPMAXSD Y6, Y0, Y0
	ADMCUBE(Y0)
	VPSRLQ $32, Y0, Y4
	ADMCUBE(Y4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT cm1loop

	VEXTRACTI128 $1, Y15, X0
	VPADDQ X0, X15, X15
	VPSHUFD $0x4e, X15, X0
	VPADDQ X0, X15, X15
	VMOVQ X15, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func admWidenAVX2(src *int16, dst *int32, n int)
// dst[j] = int32(src[j]) for j in [0, n), n a positive multiple of 16.
TEXT ·admWidenAVX2(SB), NOSPLIT, $0-24
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX

widenloop:
	VPMOVSXWD (SI)(BX*2), Y0
	VPMOVSXWD 16(SI)(BX*2), Y1
	VMOVDQU Y0, (DI)(BX*4)
	VMOVDQU Y1, 32(DI)(BX*4)
	ADDQ $16, BX
	CMPQ BX, CX
	JLT widenloop
	VZEROUPPER
	RET

// func admCubeSum32AVX2(x *int32, n int, k *admDenConsts) uint64
// Σ ((((|x|·|x| + addSq) >> shSq)·|x|) + addCub) >> shCub over j in
// [0, n), n a positive multiple of 8, in uint64 as adm_csf_den_s123 does:
// |x| < 2^31 keeps each (|x|² + addSq) >> shSq (shSq ≥ 30) below 2^32, so
// the second product is a 32×32-bit one too.
TEXT ·admCubeSum32AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ k+16(FP), AX
	VPBROADCASTQ 0(AX), Y10  // addSq
	VMOVQ 8(AX), X11         // shSq
	VPBROADCASTQ 16(AX), Y12 // addCub
	VMOVQ 24(AX), X13        // shCub
	VPXOR Y15, Y15, Y15
	XORQ BX, BX

c32loop:
	VMOVDQU (SI)(BX*4), Y0
	VPABSD Y0, Y0
	VPMULUDQ Y0, Y0, Y2
	VPADDQ Y10, Y2, Y2
	VPSRLQ X11, Y2, Y2
	VPMULUDQ Y0, Y2, Y2
	VPADDQ Y12, Y2, Y2
	VPSRLQ X13, Y2, Y2
	VPADDQ Y2, Y15, Y15
	VPSRLQ $32, Y0, Y0
	VPMULUDQ Y0, Y0, Y2
	VPADDQ Y10, Y2, Y2
	VPSRLQ X11, Y2, Y2
	VPMULUDQ Y0, Y2, Y2
	VPADDQ Y12, Y2, Y2
	VPSRLQ X13, Y2, Y2
	VPADDQ Y2, Y15, Y15
	ADDQ $8, BX
	CMPQ BX, CX
	JLT c32loop

	VEXTRACTI128 $1, Y15, X0
	VPADDQ X0, X15, X15
	VPSHUFD $0x4e, X15, X0
	VPADDQ X0, X15, X15
	VMOVQ X15, AX
	MOVQ AX, ret+24(FP)
	VZEROUPPER
	RET

// admBoolLUT[m] is four bytes, byte k = bit k of m.
DATA admBoolLUT<>+0(SB)/4, $0x00000000
DATA admBoolLUT<>+4(SB)/4, $0x00000001
DATA admBoolLUT<>+8(SB)/4, $0x00000100
DATA admBoolLUT<>+12(SB)/4, $0x00000101
DATA admBoolLUT<>+16(SB)/4, $0x00010000
DATA admBoolLUT<>+20(SB)/4, $0x00010001
DATA admBoolLUT<>+24(SB)/4, $0x00010100
DATA admBoolLUT<>+28(SB)/4, $0x00010101
DATA admBoolLUT<>+32(SB)/4, $0x01000000
DATA admBoolLUT<>+36(SB)/4, $0x01000001
DATA admBoolLUT<>+40(SB)/4, $0x01000100
DATA admBoolLUT<>+44(SB)/4, $0x01000101
DATA admBoolLUT<>+48(SB)/4, $0x01010000
DATA admBoolLUT<>+52(SB)/4, $0x01010001
DATA admBoolLUT<>+56(SB)/4, $0x01010100
DATA admBoolLUT<>+60(SB)/4, $0x01010101
GLOBL admBoolLUT<>(SB), RODATA|NOPTR, $64
DATA admInv4096<>+0(SB)/8, $0x3f30000000000000
GLOBL admInv4096<>(SB), RODATA|NOPTR, $8

// ADMTOF32 rounds four exact int32 sums a + b (X registers, converted to
// double) to float and back, then divides by 4096: libvmaf's
// (float)x / 4096.0 for an int64 x.
#define ADMTOF32(a, b, dst, tmp) \
	VCVTDQ2PD a, dst \
	VCVTDQ2PD b, tmp \
	VADDPD tmp, dst, dst \
	VCVTPD2PSY dst, X15 \
	VCVTPS2PD X15, dst \
	VMULPD Y13, dst, dst

// ADMANGLE4 stores at off(DI)(BX*1) the four angle flags of the lanes whose
// products are in X4..X9 (oh·th, ov·tv, oh², ov², th², tv²) and ORs their
// bits into R12.
#define ADMANGLE4(off) \
	ADMTOF32(X4, X5, Y10, Y11) \
	ADMTOF32(X6, X7, Y11, Y12) \
	VMULPD Y14, Y11, Y11 \
	ADMTOF32(X8, X9, Y12, Y15) \
	VMULPD Y12, Y11, Y11 \
	VMULPD Y10, Y10, Y12 \
	VCMPPD $0x1D, Y11, Y12, Y12 \
	VXORPD Y11, Y11, Y11 \
	VCMPPD $0x1D, Y11, Y10, Y10 \
	VANDPD Y10, Y12, Y12 \
	VMOVMSKPD Y12, AX \
	ORQ AX, R12 \
	LEAQ admBoolLUT<>(SB), R11 \
	MOVL (R11)(AX*4), AX \
	MOVL AX, off(DI)(BX*1)

// func admAngles16AVX2(oh, ov, th, tv *int16, angle *byte, n int, cos2 float64) bool
// angle[j] = 1 if admAngleFlag else 0 for j in [0, n), n a positive multiple of 8; the
// products are exact in int32 and their sums exact in double. It reports
// whether any flag is set.
TEXT ·admAngles16AVX2(SB), NOSPLIT, $0-57
	MOVQ oh+0(FP), SI
	MOVQ ov+8(FP), R8
	MOVQ th+16(FP), R9
	MOVQ tv+24(FP), R10
	MOVQ angle+32(FP), DI
	MOVQ n+40(FP), CX
	VBROADCASTSD cos2+48(FP), Y14
	VBROADCASTSD admInv4096<>(SB), Y13
	XORQ R12, R12
	XORQ BX, BX

angloop:
	VPMOVSXWD (SI)(BX*2), Y0
	VPMOVSXWD (R8)(BX*2), Y1
	VPMOVSXWD (R9)(BX*2), Y2
	VPMOVSXWD (R10)(BX*2), Y3
	VPMULLD Y2, Y0, Y4
	VPMULLD Y3, Y1, Y5
	VPMULLD Y0, Y0, Y6
	VPMULLD Y1, Y1, Y7
	VPMULLD Y2, Y2, Y8
	VPMULLD Y3, Y3, Y9
	ADMANGLE4(0)
	VEXTRACTI128 $1, Y4, X4
	VEXTRACTI128 $1, Y5, X5
	VEXTRACTI128 $1, Y6, X6
	VEXTRACTI128 $1, Y7, X7
	VEXTRACTI128 $1, Y8, X8
	VEXTRACTI128 $1, Y9, X9
	ADMANGLE4(4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT angloop
	TESTQ R12, R12
	SETNE ret+56(FP)
	VZEROUPPER
	RET

DATA admQNeg2p31<>+0(SB)/8, $-2147483648
GLOBL admQNeg2p31<>(SB), RODATA|NOPTR, $8
DATA admFix30<>+0(SB)/4, $143165577
GLOBL admFix30<>(SB), RODATA|NOPTR, $4
DATA admFix15<>+0(SB)/4, $286331153
GLOBL admFix15<>(SB), RODATA|NOPTR, $4

// ADMHALF32 leaves in the high dwords of dst the int32 results
// int32((m·lane + −2^31) >> 32) of the even dwords of src (int64 products;
// the shift by 32 just selects the high dword).
#define ADMHALF32(src, m, dst) \
	VPMULDQ m, src, dst \
	VPADDQ Y15, dst, dst

// ADMCSFBAND123 adds to Y5 and Y6 the filtered value and centre term of
// one band (admCSFSums123): a = int32((rf·x + 2^27) >> 28) in int64, then
// (143165577·|a| − 2^31) >> 32 and (286331153·|a| − 2^31) >> 32.
#define ADMCSFBAND123(src, rf) \
	VMOVDQU src, Y0 \
	VPMULDQ rf, Y0, Y1 \
	VPADDQ Y7, Y1, Y1 \
	VPXOR Y8, Y1, Y1 \
	VPSRLQ $28, Y1, Y1 \
	VPSUBQ Y9, Y1, Y1 \
	VPSRLQ $32, Y0, Y2 \
	VPMULDQ rf, Y2, Y2 \
	VPADDQ Y7, Y2, Y2 \
	VPXOR Y8, Y2, Y2 \
	VPSRLQ $28, Y2, Y2 \
	VPSUBQ Y9, Y2, Y2 \
	VPSLLQ $32, Y2, Y2 \
	VPBLENDD $0xAA, Y2, Y1, Y1 \
	VPABSD Y1, Y1 \
	VPSRLQ $32, Y1, Y2 \
	ADMHALF32(Y1, Y13, Y3) \
	ADMHALF32(Y2, Y13, Y4) \
	VPSRLQ $32, Y3, Y3 \
	VPBLENDD $0xAA, Y4, Y3, Y3 \
	VPADDD Y3, Y5, Y5 \
	ADMHALF32(Y1, Y14, Y3) \
	ADMHALF32(Y2, Y14, Y4) \
	VPSRLQ $32, Y3, Y3 \
	VPBLENDD $0xAA, Y4, Y3, Y3 \
	VPADDD Y3, Y6, Y6

// func admCSFRow123AVX2(bh, bv, bd, f, c *int32, n int, rf *[3]uint32)
// f[j], c[j] = admCSFSums123(bh[j], bv[j], bd[j], rf) for j in [0, n), n a
// positive multiple of 8; each rf below 2^31.
TEXT ·admCSFRow123AVX2(SB), NOSPLIT, $0-56
	MOVQ bh+0(FP), SI
	MOVQ bv+8(FP), R8
	MOVQ bd+16(FP), R9
	MOVQ f+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ n+40(FP), CX
	MOVQ rf+48(FP), AX
	VPBROADCASTD 0(AX), Y10
	VPBROADCASTD 4(AX), Y11
	VPBROADCASTD 8(AX), Y12
	VPBROADCASTQ admQ2p27<>(SB), Y7
	VPBROADCASTQ admSign64<>(SB), Y8
	VPBROADCASTQ admQ2p35<>(SB), Y9
	VPBROADCASTD admFix30<>(SB), Y13
	VPBROADCASTD admFix15<>(SB), Y14
	VPBROADCASTQ admQNeg2p31<>(SB), Y15
	XORQ BX, BX

csf1loop:
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	ADMCSFBAND123((SI)(BX*4), Y10)
	ADMCSFBAND123((R8)(BX*4), Y11)
	ADMCSFBAND123((R9)(BX*4), Y12)
	VMOVDQU Y5, (DI)(BX*4)
	VMOVDQU Y6, (DX)(BX*4)
	ADDQ $8, BX
	CMPQ BX, CX
	JLT csf1loop
	VZEROUPPER
	RET

DATA admVD32768<>+0(SB)/4, $32768
DATA admVD32768<>+4(SB)/4, $32768
DATA admVD32768<>+8(SB)/4, $32768
DATA admVD32768<>+12(SB)/4, $32768
DATA admVD32768<>+16(SB)/4, $32768
DATA admVD32768<>+20(SB)/4, $32768
DATA admVD32768<>+24(SB)/4, $32768
DATA admVD32768<>+28(SB)/4, $32768
GLOBL admVD32768<>(SB), RODATA|NOPTR, $32
DATA admVD1<>+0(SB)/4, $1
DATA admVD1<>+4(SB)/4, $1
DATA admVD1<>+8(SB)/4, $1
DATA admVD1<>+12(SB)/4, $1
DATA admVD1<>+16(SB)/4, $1
DATA admVD1<>+20(SB)/4, $1
DATA admVD1<>+24(SB)/4, $1
DATA admVD1<>+28(SB)/4, $1
GLOBL admVD1<>(SB), RODATA|NOPTR, $32
DATA admVD127<>+0(SB)/4, $127
DATA admVD127<>+4(SB)/4, $127
DATA admVD127<>+8(SB)/4, $127
DATA admVD127<>+12(SB)/4, $127
DATA admVD127<>+16(SB)/4, $127
DATA admVD127<>+20(SB)/4, $127
DATA admVD127<>+24(SB)/4, $127
DATA admVD127<>+28(SB)/4, $127
GLOBL admVD127<>(SB), RODATA|NOPTR, $32
DATA admVD13<>+0(SB)/4, $13
DATA admVD13<>+4(SB)/4, $13
DATA admVD13<>+8(SB)/4, $13
DATA admVD13<>+12(SB)/4, $13
DATA admVD13<>+16(SB)/4, $13
DATA admVD13<>+20(SB)/4, $13
DATA admVD13<>+24(SB)/4, $13
DATA admVD13<>+28(SB)/4, $13
GLOBL admVD13<>(SB), RODATA|NOPTR, $32
DATA admVQ32768<>+0(SB)/8, $32768
DATA admVQ32768<>+8(SB)/8, $32768
DATA admVQ32768<>+16(SB)/8, $32768
DATA admVQ32768<>+24(SB)/8, $32768
GLOBL admVQ32768<>(SB), RODATA|NOPTR, $32
DATA admVQ1<>+0(SB)/8, $1
DATA admVQ1<>+8(SB)/8, $1
DATA admVQ1<>+16(SB)/8, $1
DATA admVQ1<>+24(SB)/8, $1
GLOBL admVQ1<>(SB), RODATA|NOPTR, $32
DATA admVQ14<>+0(SB)/8, $14
DATA admVQ14<>+8(SB)/8, $14
DATA admVQ14<>+16(SB)/8, $14
DATA admVQ14<>+24(SB)/8, $14
GLOBL admVQ14<>(SB), RODATA|NOPTR, $32
DATA admVQ15<>+0(SB)/8, $15
DATA admVQ15<>+8(SB)/8, $15
DATA admVQ15<>+16(SB)/8, $15
DATA admVQ15<>+24(SB)/8, $15
GLOBL admVQ15<>(SB), RODATA|NOPTR, $32
DATA admVQSign<>+0(SB)/8, $0x8000000000000000
DATA admVQSign<>+8(SB)/8, $0x8000000000000000
DATA admVQSign<>+16(SB)/8, $0x8000000000000000
DATA admVQSign<>+24(SB)/8, $0x8000000000000000
GLOBL admVQSign<>(SB), RODATA|NOPTR, $32
DATA admVQLow<>+0(SB)/8, $0x00000000ffffffff
DATA admVQLow<>+8(SB)/8, $0x00000000ffffffff
DATA admVQLow<>+16(SB)/8, $0x00000000ffffffff
DATA admVQLow<>+24(SB)/8, $0x00000000ffffffff
GLOBL admVQLow<>(SB), RODATA|NOPTR, $32
DATA admVQ16384<>+0(SB)/8, $16384
DATA admVQ16384<>+8(SB)/8, $16384
DATA admVQ16384<>+16(SB)/8, $16384
DATA admVQ16384<>+24(SB)/8, $16384
GLOBL admVQ16384<>(SB), RODATA|NOPTR, $32
DATA admVQ2p48<>+0(SB)/8, $0x0001000000000000
DATA admVQ2p48<>+8(SB)/8, $0x0001000000000000
DATA admVQ2p48<>+16(SB)/8, $0x0001000000000000
DATA admVQ2p48<>+24(SB)/8, $0x0001000000000000
GLOBL admVQ2p48<>(SB), RODATA|NOPTR, $32

// ADMKHALF computes, for the even dwords of recip (signed reciprocal), t and
// sh (the per-lane extra shift, high dwords zero), the low dword of
// clamp((recip·t + 2^(14+sh)) >> (15+sh), 0, 32768), shifted and clamped
// in int64 as adm_decouple_s123 does, into dst. Clobbers Y13, Y14.
#define ADMKHALF(recip, t, sh, dst) \
	VPMULDQ t, recip, dst \
	VPADDQ admVQ14<>(SB), sh, Y13 \
	VMOVDQU admVQ1<>(SB), Y14 \
	VPSLLVQ Y13, Y14, Y13 \
	VPADDQ Y13, dst, dst \
	VPADDQ admVQ15<>(SB), sh, Y13 \
	VPXOR admVQSign<>(SB), dst, dst \
	VPSRLVQ Y13, dst, dst \
	VMOVDQU admVQSign<>(SB), Y14 \
	VPSRLVQ Y13, Y14, Y14 \
	VPSUBQ Y14, dst, dst \
	VPCMPGTQ admVQ32768<>(SB), dst, Y13 \
	VPBLENDVB Y13, admVQ32768<>(SB), dst, dst \
	VPXOR Y14, Y14, Y14 \
	VPCMPGTQ dst, Y14, Y13 \
	VPBLENDVB Y13, Y14, dst, dst

// ADMRHALF computes the low dword of (k·o + 16384) >> 15 (int64,
// arithmetic) for the even dwords of k and o into dst.
#define ADMRHALF(k, o, dst) \
	VPMULDQ o, k, dst \
	VPADDQ admVQ16384<>(SB), dst, dst \
	VPXOR admVQSign<>(SB), dst, dst \
	VPSRLQ $15, dst, dst \
	VPSUBQ admVQ2p48<>(SB), dst, dst

// func admRestoreRow32AVX2(o, t, r, a *int32, n int, div *int32)
// adm_decouple_s123 for one band of one row without the enhancement gain,
// for j in [0, n), n a positive multiple of 8, |o| < 2^31:
//   sh = max(floor(log2|o|) − 14, 0), m = (|o| + 2^(sh−1)) >> sh (m = |o|
//   when sh = 0), k = o ? clamp(int32((±div[m+32768]·t + 2^(14+sh)) >>
//   (15+sh)), 0, 32768) : 32768, r = int32((k·o + 16384) >> 15), a = t − r.
// floor(log2|o|) comes from the float exponent of |o|>>1, corrected down
// when the conversion rounded up.
TEXT ·admRestoreRow32AVX2(SB), NOSPLIT, $0-48
	MOVQ o+0(FP), SI
	MOVQ t+8(FP), R8
	MOVQ r+16(FP), DI
	MOVQ a+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ div+40(FP), R10
	XORQ BX, BX

r32loop:
	VMOVDQU (SI)(BX*4), Y0
	VMOVDQU (R8)(BX*4), Y1
	VPABSD Y0, Y2

	// e1 = floor(log2(|o|>>1)), sh = max(e1 − 13, 0)
	VPSRLD $1, Y2, Y3
	VCVTDQ2PS Y3, Y4
	VPSRLD $23, Y4, Y4
	VPSUBD admVD127<>(SB), Y4, Y4
	VMOVDQU admVD1<>(SB), Y5
	VPSLLVD Y4, Y5, Y5
	VPCMPGTD Y3, Y5, Y5
	VPADDD Y5, Y4, Y4
	VPSUBD admVD13<>(SB), Y4, Y4
	VPXOR Y15, Y15, Y15
	VPMAXSD Y15, Y4, Y4

	// m = (|o| + (1 << (sh−1))) >> sh; 1 << −1 is 0 for VPSLLVD.
	VPSUBD admVD1<>(SB), Y4, Y5
	VMOVDQU admVD1<>(SB), Y6
	VPSLLVD Y5, Y6, Y6
	VPADDD Y6, Y2, Y6
	VPSRLVD Y4, Y6, Y6

	// recip = ±div[m + 32768], negated where o < 0
	VPADDD admVD32768<>(SB), Y6, Y6
	VPCMPEQD Y7, Y7, Y7
	VPGATHERDD Y7, (R10)(Y6*4), Y8
	VPSIGND Y0, Y8, Y8

	// k: even lanes into Y9, odd lanes into Y10, then merged into Y9.
	VPAND admVQLow<>(SB), Y4, Y11
	ADMKHALF(Y8, Y1, Y11, Y9)
	VPSRLQ $32, Y8, Y8
	VPSRLQ $32, Y1, Y12
	VPSRLQ $32, Y4, Y11
	ADMKHALF(Y8, Y12, Y11, Y10)
	VPSLLQ $32, Y10, Y10
	VPBLENDD $0xAA, Y10, Y9, Y9

	// o == 0 gives 32768; clamp to [0, 32768].
	VMOVDQU admVD32768<>(SB), Y10
	VPCMPEQD Y15, Y0, Y11
	VPBLENDVB Y11, Y10, Y9, Y9
	VPMAXSD Y15, Y9, Y9
	VPMINSD Y10, Y9, Y9

	// r = (k·o + 16384) >> 15, a = t − r
	ADMRHALF(Y9, Y0, Y10)
	VPSRLQ $32, Y9, Y9
	VPSRLQ $32, Y0, Y0
	ADMRHALF(Y9, Y0, Y11)
	VPSLLQ $32, Y11, Y11
	VPBLENDD $0xAA, Y11, Y10, Y10
	VMOVDQU Y10, (DI)(BX*4)
	VPSUBD Y10, Y1, Y1
	VMOVDQU Y1, (DX)(BX*4)

	ADDQ $8, BX
	CMPQ BX, CX
	JLT r32loop
	VZEROUPPER
	RET
