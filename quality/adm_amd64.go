//go:build !purego

package quality

import "golang.org/x/sys/cpu"

// admAVX2 reports whether the AVX2 kernels of adm_amd64.s can run here. It
// is set once at start-up and only read; each ADM copies it (ADM.asm) so
// tests can compare the kernels with the pure-Go loops.
var admAVX2 = cpu.X86.HasAVX2

// admAVX512 reports whether the generated AVX-512 kernels of gen_amd64.s
// can run here (with the AVX2 ones); ADM.avx512 copies it.
var admAVX512 = admAVX2 && avx512OK

//go:noescape
func admDWT0VerticalAVX2(r *[4]*uint16, lo, hi *int16, n int, addLo, addHi int32, sh uint64)

//go:noescape
func admDWT0HorizontalAVX2(t *int16, n int, lp, hp *int16)

// admDWT0VerticalAsm runs admDWT0Vertical on the first multiple of 8 of
// the columns and returns how many it did. With avx512 set, the generated
// AVX-512 kernel does the first multiple of 32 and the AVX2 one the rest.
func admDWT0VerticalAsm(r0, r1, r2, r3 []uint16, lo, hi []int16, addLo, addHi int32, sh uint, avx512 bool) int {
	n := len(r0) &^ 7
	if n == 0 {
		return 0
	}
	j := avx512Part(n, 32, avx512)
	if j > 0 {
		r := [4]*uint16{&r0[0], &r1[:j][0], &r2[:j][0], &r3[:j][0]}
		admDWT0VerticalAVX512(&r, &lo[:j][0], &hi[:j][0], j, addLo, addHi, uint64(sh))
	}
	if j < n {
		r := [4]*uint16{&r0[j], &r1[j:n][0], &r2[j:n][0], &r3[j:n][0]}
		admDWT0VerticalAVX2(&r, &lo[j:n][0], &hi[j:n][0], n-j, addLo, addHi, uint64(sh))
	}
	return n
}

// admDWT0HorizontalAsm runs admDWT0Horizontal's outputs 1.. on the first
// multiple of 8 of them and returns how many it did. With avx512 set, the
// generated AVX-512 kernel does the first multiple of 16 and the AVX2 one
// the rest.
func admDWT0HorizontalAsm(t, lp, hp []int16, avx512 bool) int {
	n := (len(lp) - 2) &^ 7
	if n <= 0 {
		return 0
	}
	// Output j reads t[2j-1..2j+2]; the last one read is t[2n+2].
	t = t[:2*n+3]
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		admDWT0HorizontalAVX512(&t[1], j, &lp[1 : j+1][0], &hp[1 : j+1][0])
	}
	if j < n {
		admDWT0HorizontalAVX2(&t[2*j+1], n-j, &lp[j+1 : n+1][0], &hp[j+1 : n+1][0])
	}
	return n
}

//go:noescape
func admCSFRow0AVX2(bh, bv, bd *int16, f, c *int32, n int)

//go:noescape
func admCMRow0AVX2(src *int16, thr *int32, n int, k *admCMConsts) int64

// admCSFRow0Asm runs admCSFRow0 on the first multiple of 8 of the row and
// returns how many it did. With avx512 set, the generated AVX-512 kernel
// does the first multiple of 16 and the AVX2 one the rest.
func admCSFRow0Asm(bh, bv, bd []int16, f, c []int32, avx512 bool) int {
	n := len(bh) &^ 7
	if n == 0 {
		return 0
	}
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		admCSFRow0AVX512(&bh[0], &bv[:j][0], &bd[:j][0], &f[:j][0], &c[:j][0], j)
	}
	if j < n {
		admCSFRow0AVX2(&bh[j], &bv[j:n][0], &bd[j:n][0], &f[j:n][0], &c[j:n][0], n-j)
	}
	return n
}

// admCMRow0Asm sums admCMShifts.cube over the first multiple of 8 of the
// row and returns the sum and how many it did. With avx512 set, the
// generated AVX-512 kernel does the first multiple of 16 and the AVX2 one
// the rest.
func admCMRow0Asm(src []int16, thr []int32, k *admCMConsts, avx512 bool) (int64, int) {
	n := len(src) &^ 7
	if n == 0 {
		return 0, 0
	}
	var sum int64
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		sum = admCMRow0AVX512(&src[0], &thr[:j][0], j, k.rf, k.sub, k.addSq, k.sq, k.addCub, k.cub)
	}
	if j < n {
		sum += admCMRow0AVX2(&src[j], &thr[j:n][0], n-j, k)
	}
	return sum, n
}

//go:noescape
func admDWT1VerticalAVX2(r *[4]*int32, lo, hi *int32, n int)

// admDWT123VerticalAsm512 runs the vertical pass of admDWT123 with
// rounding add and shift sh on the first multiple of 16 of the columns
// with the generated AVX-512 kernel and returns how many it did.
func admDWT123VerticalAsm512(r0, r1, r2, r3 []int32, lo, hi []int32, add int64, sh uint) int {
	n := len(r0) &^ 15
	if n == 0 {
		return 0
	}
	r := [4]*int32{&r0[0], &r1[:n][0], &r2[:n][0], &r3[:n][0]}
	admDWT123VerticalAVX512(&r, &lo[:n][0], &hi[:n][0], n, add, uint64(sh))
	return n
}

//go:noescape
func admDWTRow64AVX2(t *int32, n int, out *int32, k *admDWTConsts)

// admDWT1VerticalAsm runs the scale-1 vertical pass of admDWT123 on the
// first multiple of 8 of the columns and returns how many it did.
func admDWT1VerticalAsm(r0, r1, r2, r3 []int32, lo, hi []int32) int {
	n := len(r0) &^ 7
	if n == 0 {
		return 0
	}
	r := [4]*int32{&r0[0], &r1[:n][0], &r2[:n][0], &r3[:n][0]}
	admDWT1VerticalAVX2(&r, &lo[:n][0], &hi[:n][0], n)
	return n
}

// admDWTRow64Asm runs one filter of admDWT123Horizontal's outputs 1.. on
// the first multiple of 4 of them and returns how many it did. With avx512
// set, the generated AVX-512 kernel does the first multiple of 8 and the
// AVX2 one the rest.
func admDWTRow64Asm(t, out []int32, k *admDWTConsts, avx512 bool) int {
	n := (len(out) - 2) &^ 3
	if n <= 0 {
		return 0
	}
	// Output j reads t[2j-1..2j+2]; the last one read is t[2n+2].
	t = t[:2*n+3]
	j := avx512Part(n, 8, avx512)
	if j > 0 {
		admDWTRow64AVX512(&t[1], j, &out[1 : j+1][0], &k.c, k.add, k.sh)
	}
	if j < n {
		admDWTRow64AVX2(&t[2*j+1], n-j, &out[j+1 : n+1][0], k)
	}
	return n
}

//go:noescape
func admCubeSum16AVX2(x *int16, n int) uint64

//go:noescape
func admAdd3AVX2(a, b, c, out *int32, n int)

//go:noescape
func admThrAVX2(v, f, c, out *int32, n int)

// admCubeSum16Asm sums |x|³ over the first multiple of 8 of x and returns
// the sum and how many it did.
func admCubeSum16Asm(x []int16) (uint64, int) {
	n := len(x) &^ 7
	if n == 0 {
		return 0, 0
	}
	return admCubeSum16AVX2(&x[0], n), n
}

// admAdd3Asm sets out = a + b + c on the first multiple of 8 of out and
// returns how many it did.
func admAdd3Asm(a, b, c, out []int32) int {
	n := len(out) &^ 7
	if n == 0 {
		return 0
	}
	admAdd3AVX2(&a[:n][0], &b[:n][0], &c[:n][0], &out[0], n)
	return n
}

// admThrAsm sets out[j] = v[j] + v[j+1] + v[j+2] − f[j] + c[j] on the first
// multiple of 8 of out and returns how many it did.
func admThrAsm(v, f, c, out []int32) int {
	n := len(out) &^ 7
	if n == 0 {
		return 0
	}
	admThrAVX2(&v[:n+2][0], &f[:n][0], &c[:n][0], &out[0], n)
	return n
}

//go:noescape
func admRestoreRow16AVX2(o, t, r, a *int16, n int, div *int32)

// admRestoreRow16Asm runs admRestoreRow16 without the enhancement gain on
// the first multiple of 8 of the row and returns how many it did. With
// avx512 set, the generated AVX-512 kernel does the first multiple of 16
// and the AVX2 one the rest.
func admRestoreRow16Asm(o, t, r, a []int16, div *[65537]int32, avx512 bool) int {
	n := len(o) &^ 7
	if n == 0 {
		return 0
	}
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		admRestoreRow16AVX512(&o[0], &t[:j][0], &r[:j][0], &a[:j][0], j, &div[0])
	}
	if j < n {
		admRestoreRow16AVX2(&o[j], &t[j:n][0], &r[j:n][0], &a[j:n][0], n-j, &div[0])
	}
	return n
}

//go:noescape
func admCMRow123AVX2(src, thr *int32, n int, k *admCMConsts) int64

// admCMRow123Asm is admCMRow0Asm for the int32 bands of scales 1..3.
func admCMRow123Asm(src, thr []int32, k *admCMConsts) (int64, int) {
	n := len(src) &^ 7
	if n == 0 {
		return 0, 0
	}
	return admCMRow123AVX2(&src[0], &thr[:n][0], n, k), n
}

//go:noescape
func admWidenAVX2(src *int16, dst *int32, n int)

//go:noescape
func admCubeSum32AVX2(x *int32, n int, k *admDenConsts) uint64

// admWidenAsm widens the first multiple of 16 of src into dst and returns
// how many it did.
func admWidenAsm(src []int16, dst []int32) int {
	n := len(src) &^ 15
	if n == 0 {
		return 0
	}
	admWidenAVX2(&src[0], &dst[:n][0], n)
	return n
}

// admCubeSum32Asm runs admCubeSum32AVX2 on the first multiple of 8 of x
// and returns the sum and how many it did.
func admCubeSum32Asm(x []int32, k *admDenConsts) (uint64, int) {
	n := len(x) &^ 7
	if n == 0 {
		return 0, 0
	}
	return admCubeSum32AVX2(&x[0], n, k), n
}

//go:noescape
func admAngles16AVX2(oh, ov, th, tv *int16, angle *byte, n int, cos2 float64) bool

// admAngles16Asm runs admAngles16 on the first multiple of 8 of the row
// and returns how many it did and whether any flag is set among them:
// with the generated AVX-512 kernel when avx512 is set, else the AVX2 one.
func admAngles16Asm(oh, ov, th, tv []int16, angle []byte, avx512 bool) (int, bool) {
	n := len(oh) &^ 7
	if n == 0 {
		return 0, false
	}
	if avx512 {
		return n, admAngles16AVX512(&oh[0], &ov[:n][0], &th[:n][0], &tv[:n][0], &angle[:n][0], n, admCos1DegSq)
	}
	any := admAngles16AVX2(&oh[0], &ov[:n][0], &th[:n][0], &tv[:n][0], &angle[:n][0], n, admCos1DegSq)
	return n, any
}

// admAngles32Asm runs admAngles32 on the first multiple of 8 of the row
// with the generated AVX-512 kernel and returns how many it did and
// whether any flag is set among them.
func admAngles32Asm(oh, ov, th, tv []int32, angle []byte) (int, bool) {
	n := len(oh) &^ 7
	if n == 0 {
		return 0, false
	}
	return n, admAngles32AVX512(&oh[0], &ov[:n][0], &th[:n][0], &tv[:n][0], &angle[:n][0], n, admCos1DegSq)
}

//go:noescape
func admCSFRow123AVX2(bh, bv, bd, f, c *int32, n int, rf *[3]uint32)

// admCSFRow123Asm runs admCSFRow123 on the first multiple of 8 of the row
// and returns how many it did; it does nothing for weights of 2^31 or more
// (libvmaf's are far below).
func admCSFRow123Asm(bh, bv, bd, f, c []int32, rf *[3]uint32) int {
	n := len(bh) &^ 7
	if n == 0 || rf[0] >= 1<<31 || rf[1] >= 1<<31 || rf[2] >= 1<<31 {
		return 0
	}
	admCSFRow123AVX2(&bh[0], &bv[:n][0], &bd[:n][0], &f[:n][0], &c[:n][0], n, rf)
	return n
}

//go:noescape
func admRestoreRow32AVX2(o, t, r, a *int32, n int, div *int32)

// admRestoreRow32Asm runs admRestoreRow32 without the enhancement gain on
// the first multiple of 8 of the row and returns how many it did. With
// avx512 set, the generated AVX-512 kernel does the first multiple of 16
// and the AVX2 one the rest.
func admRestoreRow32Asm(o, t, r, a []int32, div *[65537]int32, avx512 bool) int {
	n := len(o) &^ 7
	if n == 0 {
		return 0
	}
	j := avx512Part(n, 16, avx512)
	if j > 0 {
		admRestoreRow32AVX512(&o[0], &t[:j][0], &r[:j][0], &a[:j][0], j, &div[0])
	}
	if j < n {
		admRestoreRow32AVX2(&o[j], &t[j:n][0], &r[j:n][0], &a[j:n][0], n-j, &div[0])
	}
	return n
}
