package quality

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"

	"rung/internal/vmafref"
)

// pixel adds one pixel from its horizontally filtered moments: mu1, mu2 the
// Q32 means (uint32 sums as in C), xx, yy, xy the second moments'
// full sums before the Q16 rounding. It is the body of vif_statistic_16's
// horizontal loop, one pixel at a time as libvmaf writes it.
func (a *vifSums) pixel(mu1, mu2 uint32, xx, yy, xy uint64, log2 *[65537]uint16, gain float64) {
	mu1sq := uint32((uint64(mu1)*uint64(mu1) + 1<<31) >> 32)
	mu2sq := uint32((uint64(mu2)*uint64(mu2) + 1<<31) >> 32)
	mu1mu2 := uint32((uint64(mu1)*uint64(mu2) + 1<<31) >> 32)
	sigma1sq := int32(uint32((xx+32768)>>16) - mu1sq)
	sigma2sq := max(int32(uint32((yy+32768)>>16)-mu2sq), 0)
	sigma12 := int32(uint32((xy+32768)>>16) - mu1mu2)
	if sigma1sq < vifSigmaNsq {
		a.numNonLog += int64(sigma2sq)
		a.denNonLog++
		return
	}
	a.denLog += int64(vifLog2_32(log2, uint32(vifSigmaNsq+sigma1sq)) - 2048*17)
	if sigma12 > 0 && sigma2sq > 0 {
		a.numLog += vifLogNum(sigma1sq, sigma2sq, sigma12, log2, gain)
	}
}

// vifLogNum is log2(sv² + σn² + g²·σ1²) - log2(sv² + σn²) in libvmaf's
// 2048-scaled fixed point, with g = σ12/(σ1² + 65536e-10) in double, sv²
// = σ2² - g·σ12 truncated to int32 and clamped at 0, and g limited to gain.
// Explicit float64 conversions keep Go from fusing a multiply and a
// subtract that C rounds separately.
func vifLogNum(sigma1sq, sigma2sq, sigma12 int32, log2 *[65537]uint16, gain float64) int64 {
	const eps = vifEps
	g := float64(sigma12) / (float64(sigma1sq) + eps)
	svsq := int32(float64(sigma2sq) - float64(g*float64(sigma12)))
	svsq = max(svsq, 0)
	if !(g < gain) { // C's MIN(g, gain)
		g = gain
	}
	numer1 := uint32(svsq + vifSigmaNsq)
	numer1tmp := int64(float64(g*g)*float64(sigma1sq)) + int64(numer1)
	return int64(vifLog2_64(log2, uint64(numer1tmp)) - vifLog2_64(log2, uint64(numer1)))
}

// vifLog2_32 is libvmaf's log2_32: 2048·log2(v) from the table entry of v's
// top 16 bits. v must be at least 1<<15.
func vifLog2_32(log2 *[65537]uint16, v uint32) int32 {
	k := 16 - bits.LeadingZeros32(v)
	return int32(log2[v>>k]) + 2048*int32(k)
}

// vifLog2_64 is libvmaf's log2_64, the same for a 64-bit v >= 0x20000.
func vifLog2_64(log2 *[65537]uint16, v uint64) int32 {
	k := 48 - bits.LeadingZeros64(v)
	return int32(log2[v>>k]) + 2048*int32(k)
}

// vifReference is a literal transliteration of libvmaf's C paths
// (vif_statistic_8/16, subsample_rd_8/16, decimate_and_pad), tap by tap with
// libvmaf's accumulator widths and no folding, packing or skipped samples.
// It matched libvmaf's json-hp output on every reference pair before the
// fast kernels existed, and now checks them on inputs libvmaf was not run
// on (odd sizes, 9..16-bit, extreme values).
func vifReference(ref, dis []uint16, w, h, bpc int, gain float64) (num, den [4]float32) {
	log2 := vifLog2Table()
	n := w + 2*vifPad
	tmp := [5][]uint32{make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n), make([]uint32, n)}
	mirror := func(a []uint32, w, r int) {
		for f := 1; f <= r; f++ {
			a[vifPad-f] = a[vifPad+f]
			a[vifPad+w-1+f] = a[vifPad+w-1-f]
		}
	}
	for s := range 4 {
		if s > 0 {
			// subsample_rd_16 (subsample_rd_8 is the same with bpc 8), then
			// decimate_and_pad.
			filt := vifFilter[s]
			r := len(filt) / 2
			sh := uint32(16)
			if s == 1 {
				sh = uint32(bpc)
			}
			mu1, mu2 := make([]uint16, w*h), make([]uint16, w*h)
			for i := range h {
				for j := range w {
					var a, b uint32
					for k, f := range filt {
						row := mirrorIndex(i-r+k, h)
						a += f * uint32(ref[row*w+j])
						b += f * uint32(dis[row*w+j])
					}
					tmp[0][vifPad+j] = uint32(uint16((a + 1<<(sh-1)) >> sh))
					tmp[1][vifPad+j] = uint32(uint16((b + 1<<(sh-1)) >> sh))
				}
				mirror(tmp[0], w, r)
				mirror(tmp[1], w, r)
				for j := range w {
					var a, b uint32
					for k, f := range filt {
						a += f * tmp[0][vifPad-r+j+k]
						b += f * tmp[1][vifPad-r+j+k]
					}
					mu1[i*w+j] = uint16((a + 32768) >> 16)
					mu2[i*w+j] = uint16((b + 32768) >> 16)
				}
			}
			nw, nh := w/2, h/2
			ref, dis = make([]uint16, nw*nh), make([]uint16, nw*nh)
			for i := range nh {
				for j := range nw {
					ref[i*nw+j] = mu1[2*i*w+2*j]
					dis[i*nw+j] = mu2[2*i*w+2*j]
				}
			}
			w, h = nw, nh
		}
		filt := vifFilter[s]
		r := len(filt) / 2
		shMu, shSq := vifShifts(s, bpc)
		rndMu, rndSq := uint32(vifRound(shMu)), vifRound(shSq)
		var sums vifSums
		for i := range h {
			for j := range w {
				var m1, m2 uint32
				var s11, s22, s12 uint64
				for k, f := range filt {
					row := mirrorIndex(i-r+k, h)
					x, y := uint32(ref[row*w+j]), uint32(dis[row*w+j])
					fx, fy := f*x, f*y
					m1 += fx
					m2 += fy
					s11 += uint64(fx) * uint64(x)
					s22 += uint64(fy) * uint64(y)
					s12 += uint64(fx) * uint64(y)
				}
				tmp[0][vifPad+j] = uint32(uint16((m1 + rndMu) >> shMu))
				tmp[1][vifPad+j] = uint32(uint16((m2 + rndMu) >> shMu))
				tmp[2][vifPad+j] = uint32((s11 + rndSq) >> shSq)
				tmp[3][vifPad+j] = uint32((s22 + rndSq) >> shSq)
				tmp[4][vifPad+j] = uint32((s12 + rndSq) >> shSq)
			}
			for _, a := range tmp {
				mirror(a, w, r)
			}
			for j := range w {
				var m1, m2 uint32
				var s11, s22, s12 uint64
				for k, f := range filt {
					o := vifPad - r + j + k
					m1 += f * tmp[0][o]
					m2 += f * tmp[1][o]
					s11 += uint64(f) * uint64(tmp[2][o])
					s22 += uint64(f) * uint64(tmp[3][o])
					s12 += uint64(f) * uint64(tmp[4][o])
				}
				sums.pixel(m1, m2, s11, s22, s12, log2, gain)
			}
		}
		num[s], den[s] = sums.result()
	}
	return num, den
}

// TestVIFKernelsMatchReference compares Extract's debug sums with
// vifReference on random and extreme pictures of odd sizes at every bit
// depth libvmaf accepts, including full-range 16-bit input, where
// libvmaf's uint32 sums come within a rounding term of 2³², and on the
// first frame pair of three of libvmaf's inputs (8-bit 160x90 and 768x432,
// 10-bit 1280x720), whole and cut to awkward widths. Each runs with the
// pure-Go loops, the AVX2 kernels and the AVX2 kernels with the generated
// AVX-512 ones (where the CPU has them). The widths leave every kernel a
// remainder at some scale: the AVX-512 vertical passes take blocks of 32
// (8-bit scale 0) or 16 columns, the AVX2 ones 8 or 4, subsample's
// horizontal filter 8 outputs.
func TestVIFKernelsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][2]int{{16, 16}, {17, 23}, {31, 16}, {33, 17}, {47, 29}, {64, 35}, {71, 18}, {97, 70}, {129, 40}, {160, 90}, {250, 21}}
	kinds := []string{"noise", "smooth", "max", "bright", "edges"}
	shared := map[int]*VIF{}
	for _, bpc := range []int{8, 9, 10, 12, 16} {
		for _, sz := range sizes {
			for _, kind := range kinds {
				w, h := sz[0], sz[1]
				ref, dis := NewPicture(w, h, bpc, Chroma420), NewPicture(w, h, bpc, Chroma420)
				fillVIFTest(rng, ref, dis, kind)
				for _, gain := range []float64{100, 1} {
					checkVIFKernels(t, fmt.Sprintf("%d-bit %dx%d %s gain %g", bpc, w, h, kind, gain), ref, dis, gain, shared)
				}
			}
		}
	}
	t.Run("real", func(t *testing.T) {
		for _, p := range realKernelPairs(t) {
			checkVIFKernels(t, p.name, p.ref, p.dis, 100, shared)
		}
	})
}

// checkVIFKernels runs Extract on ref and dis with each kernel set and
// reports any debug sum that differs from vifReference's. With the default
// gain, one long-lived VIF per kernel set in shared is reused across sizes
// and depths.
func checkVIFKernels(t *testing.T, label string, ref, dis *Picture, gain float64, shared map[int]*VIF) {
	t.Helper()
	wn, wd := vifReference(ref.Planes[0], dis.Planes[0], ref.Width, ref.Height, ref.BitDepth, gain)
	for level, k := range []struct{ asm, avx512 bool }{{false, false}, {vifAVX2, false}, {vifAVX2, vifAVX512}} {
		out := NewScores()
		v := NewVIF(VIFOptions{EnhnGainLimit: gain, Debug: true})
		v.asm, v.avx512 = k.asm, k.avx512
		if gain == vifDefaultGainLimit {
			if shared[level] == nil {
				shared[level] = v
			}
			v = shared[level]
		}
		if err := v.Extract(ref, dis, 0, out); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for s := range 4 {
			gn, _ := out.Get(v.names.numScale[s], 0)
			gd, _ := out.Get(v.names.denScale[s], 0)
			if gn != float64(wn[s]) || gd != float64(wd[s]) {
				t.Errorf("%s asm %v avx512 %v scale %d: num/den %v/%v, reference %v/%v",
					label, k.asm, k.avx512, s, gn, gd, wn[s], wd[s])
			}
		}
	}
}

// cropLuma returns the top-left w x h of p's luma plane as a new picture.
// kernelPair is a reference and distorted picture for the kernel tests.
type kernelPair struct {
	name     string
	ref, dis *Picture
}

// realKernelPairs returns the first frame pair of three of libvmaf's
// reference runs (160x90 and 768x432 8-bit, 1280x720 10-bit), whole and
// cut to 157x90, 99x61 and 143x37, widths that leave every kernel a
// remainder.
func realKernelPairs(t *testing.T) []kernelPair {
	t.Helper()
	var out []kernelPair
	for _, name := range []string{"nflx_src01_hrc01_160x90.vmaf_v0.6.1", "cars_768x432_crf28.vmaf_v0.6.1", "bbb_1280x720_10bit_crf28.vmaf_v0.6.1"} {
		dir, e := vmafref.Find(t, name)
		rr, dr := openPairReaders(t, dir, e)
		ref, dis := rr.Info().NewPicture(), dr.Info().NewPicture()
		if err := rr.ReadPicture(ref); err != nil {
			t.Fatalf("%s: reference frame 0: %v", name, err)
		}
		if err := dr.ReadPicture(dis); err != nil {
			t.Fatalf("%s: distorted frame 0: %v", name, err)
		}
		out = append(out, kernelPair{name, ref, dis})
		for _, sz := range [][2]int{{157, 90}, {99, 61}, {143, 37}} {
			w, h := min(sz[0], ref.Width), min(sz[1], ref.Height)
			out = append(out, kernelPair{fmt.Sprintf("%s cut to %dx%d", name, w, h), cropLuma(ref, w, h), cropLuma(dis, w, h)})
		}
	}
	return out
}

func cropLuma(p *Picture, w, h int) *Picture {
	c := NewPicture(w, h, p.BitDepth, Chroma420)
	for y := range h {
		copy(c.Planes[0][y*w:y*w+w], p.Planes[0][y*p.Width:y*p.Width+w])
	}
	return c
}

// fillVIFTest fills the luma planes with a test pattern: uniform noise,
// a smooth ramp with mild noise on the distorted side, all samples at the
// maximum, noise just below the maximum, or hard edges between 0 and the
// maximum.
func fillVIFTest(rng *rand.Rand, ref, dis *Picture, kind string) {
	maxv := 1<<ref.BitDepth - 1
	w := ref.Width
	for k := range ref.Planes[0] {
		x, y := k%w, k/w
		var a, b int
		switch kind {
		case "noise":
			a, b = rng.IntN(maxv+1), rng.IntN(maxv+1)
		case "smooth":
			a = (x*7 + y*3) * maxv / (7*w + 3*ref.Height)
			b = min(max(a+rng.IntN(9)-4, 0), maxv)
		case "max":
			a, b = maxv, maxv-rng.IntN(2)
		case "bright": // textured near the maximum, where the sums are largest
			a = maxv - rng.IntN(maxv/16+1)
			b = max(a-rng.IntN(maxv/32+1), 0)
		case "edges":
			if (x/3+y/5)%2 == 0 {
				a = maxv
			}
			if (x/3+y/4)%2 == 0 {
				b = maxv
			}
		}
		ref.Planes[0][k], dis.Planes[0][k] = uint16(a), uint16(b)
	}
}

// TestVIFVerticalKernels compares vifVertical with and without the AVX2
// kernel, and with the AVX-512 one (where the CPU has it), column by column, on columns at the maximum (the largest sums
// libvmaf's uint32 accumulators and casts hold) next to random columns, for
// every window, 10 to 16 bits.
func TestVIFVerticalKernels(t *testing.T) {
	if !vifAVX2 {
		t.Skip("no AVX2 kernels on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const w, h = 37, 20
	for _, bpc := range []int{10, 12, 16} {
		maxv := 1<<bpc - 1
		ref, dis := make([]uint16, w*h), make([]uint16, w*h)
		for k := range ref {
			if k%w < w/2 {
				ref[k], dis[k] = uint16(maxv), uint16(maxv-rng.IntN(2))
			} else {
				ref[k], dis[k] = uint16(rng.IntN(maxv+1)), uint16(rng.IntN(maxv+1))
			}
		}
		for scale := range 4 {
			shMu, shSq := vifShifts(scale, bpc)
			rnd := [4]uint64{uint64(shMu), vifRound(shMu), uint64(shSq), vifRound(shSq)}
			for i := range h {
				var got [3][5][]uint64
				for m, k := range []struct{ asm, avx512 bool }{{false, false}, {true, false}, {true, vifAVX512}} {
					s := newVIFScratch(w)
					vifVertical(s, ref, dis, w, h, i, scale, &rnd, k.asm, k.avx512)
					got[m] = [5][]uint64{s.mu1, s.mu2, s.xx, s.yy, s.xy}
				}
				for m, name := range []string{"", "AVX2", "AVX-512"} {
					for q := range 5 {
						for j := vifPad; m > 0 && j < vifPad+w; j++ {
							if got[0][q][j] != got[m][q][j] {
								t.Fatalf("%d-bit scale %d row %d moment %d column %d: Go %d, %s %d",
									bpc, scale, i, q, j-vifPad, got[0][q][j], name, got[m][q][j])
							}
						}
					}
				}
			}
		}
	}
}
