//go:build !amd64 || purego

package quality

// vifAVX2 is false where vif_amd64.s is not built; the kernels below then do
// nothing and the pure-Go loops do all the work.
const vifAVX2 = false

// vifAVX512 is false where gen_amd64.s is not built.
const vifAVX512 = false

func vifConv17x32Asm(dst, src []uint64) int    { return 0 }
func vifConv17x64Asm(dst, src []uint64) int    { return 0 }
func vifConv17x32Asm512(dst, src []uint64) int { return 0 }
func vifConv17x64Asm512(dst, src []uint64) int { return 0 }

func vifConvAsm512(dst, src []uint64, filt []uint32) int { return 0 }
func vifConvEvenAsm512(dst, src []uint64, scale int) int { return 0 }

func vifVertical8Asm(ref, dis *[17][]uint16, mu, xx, yy, xy []uint64, avx512 bool) int { return 0 }
func vifVerticalMuAsm(ref, dis *[17][]uint16, filt []uint32, sh uint64, out []uint64, avx512 bool) int {
	return 0
}
func vifVertical64Asm(ref, dis *[17][]uint16, filt []uint32, out *[5][]uint64, rnd *[4]uint64, avx512 bool) int {
	return 0
}
func vifRowAsm(a *vifSums, s *vifScratch, w int, log2 *[65537]uint16, gain float64, packed, avx512 bool) int {
	return 0
}
func vifConvAsm(dst, src []uint64, filt []uint32) int { return 0 }
