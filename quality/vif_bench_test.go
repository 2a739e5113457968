package quality

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkVIF measures one VIF extractor (one core) on the 1080p pair and
// two small ones. Bytes are the luma samples of both pictures as stored in
// the input (1 byte per 8-bit sample).
func BenchmarkVIF(b *testing.B) {
	for _, bc := range []struct{ label, entry string }{
		{"1920x1080", "bbb_1920x1080_crf28.vmaf_v0.6.1"},
		{"768x432", "cars_768x432_crf28.vmaf_v0.6.1"},
		{"160x90", "nflx_src01_hrc01_160x90.vmaf_v0.6.1"},
	} {
		b.Run(bc.label, func(b *testing.B) {
			refs, diss := benchFramePairs(b, bc.entry, 4)
			bytesPerSample := (refs[0].BitDepth + 7) / 8
			b.SetBytes(int64(2 * refs[0].Width * refs[0].Height * bytesPerSample))
			b.ReportAllocs()
			vif := NewVIF(VIFOptions{})
			out := NewScores()
			// Size the scratch buffers before timing: steady state
			// allocates nothing.
			if err := vif.Extract(refs[0], diss[0], 0, out); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				k := i % len(refs)
				if err := vif.Extract(refs[k], diss[k], k, out); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N)/sec, "frames/s")
			b.ReportMetric(sec*1e3/float64(b.N), "ms/frame")
		})
	}
}

// BenchmarkVIFKernels times the vertical kernels alone on one 1920-wide
// row of random 8-bit (statistic8, subsample at scale 0) and 10-bit
// (vifVertical) samples, with the AVX2 kernels and with the AVX-512 ones,
// and subsample's 9-tap horizontal filter (960 outputs) in Go and with
// the AVX-512 kernel.
func BenchmarkVIFKernels(b *testing.B) {
	if !vifAVX2 {
		b.Skip("no AVX2 kernels on this CPU or build")
	}
	const w, h = 1920, 17
	rng := rand.New(rand.NewPCG(5, 6))
	pic := func(maxv int) []uint16 {
		p := make([]uint16, w*h)
		for k := range p {
			p[k] = uint16(rng.IntN(maxv + 1))
		}
		return p
	}
	ref8, dis8, ref10, dis10 := pic(255), pic(255), pic(1023), pic(1023)
	s := newVIFScratch(w)
	mu, xx := s.mu1[vifPad:vifPad+w], s.xx[vifPad:vifPad+w]
	yy, xy := s.yy[vifPad:vifPad+w], s.xy[vifPad:vifPad+w]
	for _, avx512 := range []bool{false, true} {
		if avx512 && !vifAVX512 {
			continue
		}
		set := map[bool]string{false: "AVX2", true: "AVX-512"}[avx512]
		b.Run("vertical8/"+set, func(b *testing.B) {
			var rr, dr [17][]uint16
			vifRows(&rr, &dr, ref8, dis8, w, h, 8, 17)
			for b.Loop() {
				vifVertical8Asm(&rr, &dr, mu, xx, yy, xy, avx512)
			}
		})
		b.Run("verticalMu9/"+set, func(b *testing.B) {
			var rr, dr [17][]uint16
			vifRows(&rr, &dr, ref8, dis8, w, h, 8, 9)
			for b.Loop() {
				vifVerticalMuAsm(&rr, &dr, vifFilter[1], 8, mu, avx512)
			}
		})
		b.Run("convEven9/"+map[bool]string{false: "Go", true: "AVX-512"}[avx512], func(b *testing.B) {
			src := s.mu1[vifPad-4:]
			for j := range src {
				src[j] = uint64(rng.IntN(1<<16)) | uint64(rng.IntN(1<<16))<<32
			}
			out := s.hmu1[:w/2]
			for b.Loop() {
				j0 := 0
				if avx512 {
					j0 = vifConvEvenAsm512(out, src, 1)
				}
				vifConvEven9(out[j0:], src[2*j0:])
			}
		})
		b.Run("vertical64x17/"+set, func(b *testing.B) {
			shMu, shSq := vifShifts(0, 10)
			rnd := [4]uint64{uint64(shMu), vifRound(shMu), uint64(shSq), vifRound(shSq)}
			for b.Loop() {
				vifVertical(s, ref10, dis10, w, h, 8, 0, &rnd, true, avx512)
			}
		})
	}
}
