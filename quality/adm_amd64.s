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
