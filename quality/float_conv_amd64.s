//go:build !purego

#include "textflag.h"

// The passes of fconvolve (float_conv.go), eight columns at a time: per
// output the float sum from 0 of f[k]*x over the taps in order, x being
// the sample, its square or the product of two pictures, each product a
// float: the operations of libvmaf's convolution_f32_avx_s and its
// fallbacks, in the same order.

// func fconvVPlainAVX2(dst *float32, rows, rowsB *[17]*float32, taps, n int, f *float32)
TEXT ·fconvVPlainAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ rows+8(FP), BX
	MOVQ rowsB+16(FP), R13
	MOVQ taps+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ f+40(FP), DX
	XORQ AX, AX
fconvVPlainAVX2x:
	VXORPS Y0, Y0, Y0
	XORQ R12, R12
fconvVPlainAVX2k:
	MOVQ (BX)(R12*8), R8
	VMOVUPS (R8)(AX*4), Y1
	VBROADCASTSS (DX)(R12*4), Y2
	VMULPS Y1, Y2, Y1
	VADDPS Y1, Y0, Y0
	INCQ R12
	CMPQ R12, R9
	JLT fconvVPlainAVX2k
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT fconvVPlainAVX2x
	VZEROUPPER
	RET

// func fconvVSquareAVX2(dst *float32, rows, rowsB *[17]*float32, taps, n int, f *float32)
TEXT ·fconvVSquareAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ rows+8(FP), BX
	MOVQ rowsB+16(FP), R13
	MOVQ taps+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ f+40(FP), DX
	XORQ AX, AX
fconvVSquareAVX2x:
	VXORPS Y0, Y0, Y0
	XORQ R12, R12
fconvVSquareAVX2k:
	MOVQ (BX)(R12*8), R8
	VMOVUPS (R8)(AX*4), Y1
	VMULPS Y1, Y1, Y1
	VBROADCASTSS (DX)(R12*4), Y2
	VMULPS Y1, Y2, Y1
	VADDPS Y1, Y0, Y0
	INCQ R12
	CMPQ R12, R9
	JLT fconvVSquareAVX2k
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT fconvVSquareAVX2x
	VZEROUPPER
	RET

// func fconvVProductAVX2(dst *float32, rows, rowsB *[17]*float32, taps, n int, f *float32)
TEXT ·fconvVProductAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ rows+8(FP), BX
	MOVQ rowsB+16(FP), R13
	MOVQ taps+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ f+40(FP), DX
	XORQ AX, AX
fconvVProductAVX2x:
	VXORPS Y0, Y0, Y0
	XORQ R12, R12
fconvVProductAVX2k:
	MOVQ (BX)(R12*8), R8
	VMOVUPS (R8)(AX*4), Y1
	MOVQ (R13)(R12*8), R11
	VMULPS (R11)(AX*4), Y1, Y1
	VBROADCASTSS (DX)(R12*4), Y2
	VMULPS Y1, Y2, Y1
	VADDPS Y1, Y0, Y0
	INCQ R12
	CMPQ R12, R9
	JLT fconvVProductAVX2k
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT fconvVProductAVX2x
	VZEROUPPER
	RET

// func fconvHAVX2(dst, src *float32, taps, n int, f *float32)
// dst[j] = Σ_k f[k]*src[j+k] for j in [0, n), n a positive multiple of 8.
TEXT ·fconvHAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ taps+16(FP), R9
	MOVQ n+24(FP), CX
	MOVQ f+32(FP), DX
	XORQ AX, AX
fconvHx:
	VXORPS Y0, Y0, Y0
	XORQ R12, R12
	LEAQ (SI)(AX*4), R8
fconvHk:
	VBROADCASTSS (DX)(R12*4), Y2
	VMULPS (R8)(R12*4), Y2, Y1
	VADDPS Y1, Y0, Y0
	INCQ R12
	CMPQ R12, R9
	JLT fconvHk
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT fconvHx
	VZEROUPPER
	RET
