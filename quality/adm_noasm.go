//go:build !amd64 || purego

package quality

// admAVX2 is false where adm_amd64.s is not built; the kernels below then
// do nothing and the pure-Go loops do all the work.
const admAVX2 = false

// admAVX512 is false where gen_amd64.s is not built.
const admAVX512 = false

func admDWT0VerticalAsm(r0, r1, r2, r3 []uint16, lo, hi []int16, addLo, addHi int32, sh uint, avx512 bool) int {
	return 0
}

func admDWT0HorizontalAsm(t, lp, hp []int16, avx512 bool) int { return 0 }

func admCSFRow0Asm(bh, bv, bd []int16, f, c []int32, avx512 bool) int { return 0 }

func admCMRow0Asm(src []int16, thr []int32, k *admCMConsts, avx512 bool) (int64, int) {
	return 0, 0
}

func admDWT1VerticalAsm(r0, r1, r2, r3 []int32, lo, hi []int32) int { return 0 }

func admDWT123VerticalAsm512(r0, r1, r2, r3 []int32, lo, hi []int32, add int64, sh uint) int {
	return 0
}

func admDWTRow64Asm(t, out []int32, k *admDWTConsts, avx512 bool) int { return 0 }

func admCubeSum16Asm(x []int16) (uint64, int) { return 0, 0 }

func admAdd3Asm(a, b, c, out []int32) int { return 0 }

func admThrAsm(v, f, c, out []int32) int { return 0 }

func admRestoreRow16Asm(o, t, r, a []int16, div *[65537]int32, avx512 bool) int { return 0 }

func admCMRow123Asm(src, thr []int32, k *admCMConsts) (int64, int) { return 0, 0 }

func admWidenAsm(src []int16, dst []int32) int { return 0 }

func admCubeSum32Asm(x []int32, k *admDenConsts) (uint64, int) { return 0, 0 }

func admAngles16Asm(oh, ov, th, tv []int16, angle []byte, avx512 bool) (int, bool) {
	return 0, false
}

func admAngles32Asm(oh, ov, th, tv []int32, angle []byte) (int, bool) { return 0, false }

func admCSFRow123Asm(bh, bv, bd, f, c []int32, rf *[3]uint32) int { return 0 }

func admRestoreRow32Asm(o, t, r, a []int32, div *[65537]int32, avx512 bool) int { return 0 }
