//go:build !amd64 || purego

package quality

// motionAVX512 is false where gen_amd64.s is not built; the kernels below
// then do nothing and the pure-Go loops do all the work.
const motionAVX512 = false

func widen8Asm(dst []uint16, src []byte) int { return 0 }

func motionDiffAsm(prev, cur []uint16, d []int32) int { return 0 }

func motionVerticalAsm(d *[5][]int32, row []int32, shift uint) (int, bool) { return 0, false }

func motionHorizontalAsm(row []int32) (int, uint32) { return 0, 0 }
