package quality

import "testing"

// BenchmarkADM measures one ADM extractor (one core) on the 1080p pair and
// two small ones, cycling over a few frames. Bytes are the luma samples of
// both pictures as stored in the input (1 byte per 8-bit sample).
func BenchmarkADM(b *testing.B) {
	for _, bc := range []struct{ label, entry string }{
		{"1920x1080", "bbb_1920x1080_crf28.vmaf_v0.6.1"},
		{"768x432", "cars_768x432_crf28.vmaf_v0.6.1"},
		{"160x90", "nflx_src01_hrc01_160x90.vmaf_v0.6.1"},
	} {
		b.Run(bc.label, func(b *testing.B) {
			refs, diss := benchFramePairs(b, bc.entry, 4)
			bytesPerSample := (refs[0].BitDepth + 7) / 8
			b.SetBytes(int64(2 * refs[0].Width * refs[0].Height * bytesPerSample))
			adm := NewADM(ADMOptions{})
			out := NewScores()
			if err := adm.Extract(refs[0], diss[0], 0, out); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % len(refs)
				if err := adm.Extract(refs[k], diss[k], k, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/frame")
		})
	}
}

// BenchmarkADMKernels times the kernels that have AVX-512 twins alone, with
// the AVX2 kernels and with the generated AVX-512 ones, on the rows of a
// 1920-wide 8-bit picture: the scale-0 passes over 1920 columns (vertical)
// and 960 outputs (horizontal), the scale-0 decouple, csf and cm rows over
// 960 coefficients, one filter of the scale-1 horizontal pass over 480
// outputs, the scale-1 decouple row over 480 coefficients, and the
// orientation flags over 960 (scale 0) and 480 (scale 1, Go against
// AVX-512) coefficients, and the scale-2 vertical pass over 480 columns
// (Go against AVX-512).
func BenchmarkADMKernels(b *testing.B) {
	if !admAVX2 {
		b.Skip("no AVX2 kernels on this CPU or build")
	}
	const w = 1920
	r := admRand(0x243f6a8885a308d3)
	var rows [4][]uint16
	for k := range rows {
		rows[k] = make([]uint16, w)
		for j := range rows[k] {
			rows[k][j] = uint16(r.next() % 256)
		}
	}
	lo, hi := make([]int16, w), make([]int16, w)
	i16 := func(n int) []int16 {
		s := make([]int16, n)
		for j := range s {
			s[j] = int16(r.next())
		}
		return s
	}
	o, t, rr, aa := i16(w/2), i16(w/2), make([]int16, w/2), make([]int16, w/2)
	thr := make([]int32, w/2)
	for j := range thr {
		thr[j] = int32(r.next() % 4096)
	}
	src := make([]int32, w/2+2)
	for j := range src {
		src[j] = r.i32() >> 8
	}
	out := make([]int32, w/4)
	f, c := make([]int32, w/2), make([]int32, w/2)
	o32, t32 := make([]int32, w/4), make([]int32, w/4)
	for j := range o32 {
		o32[j], t32[j] = r.i32()>>4, r.i32()>>4
	}
	r32, a32 := make([]int32, w/4), make([]int32, w/4)
	ov, th, tv, angle := i16(w/2), i16(w/2), i16(w/2), make([]byte, w/2)
	ov32, th32, tv32 := make([]int32, w/4), make([]int32, w/4), make([]int32, w/4)
	for j := range ov32 {
		ov32[j], th32[j], tv32[j] = r.i32()>>4, r.i32()>>4, r.i32()>>4
	}
	set := make([]int32, 0, w/2)
	src2 := make([]int32, 4*w/4)
	for j := range src2 {
		src2[j] = r.i32() >> 12
	}
	var iy [4][]int
	for k := range iy {
		iy[k] = []int{k}
	}
	lo2, hi2 := make([]int32, w/4), make([]int32, w/4)
	div := admDivLookup()
	sh := admCMShifts{10, 1 << 28, 29, 1 << 5, 6}
	cm := sh.consts(admRFactor0[0])
	dwt := admDWTConsts{c: [4]int32{admLo0, admLo1, admLo2, admLo3}, add: 1 << 14, sh: 15, bias: 1 << 48}
	add := int32(1<<7) - admLoSum*(1<<7)
	for _, avx512 := range []bool{false, true} {
		if avx512 && !admAVX512 {
			continue
		}
		kset := map[bool]string{false: "AVX2", true: "AVX-512"}[avx512]
		b.Run("dwt0Vertical/"+kset, func(b *testing.B) {
			for b.Loop() {
				admDWT0VerticalAsm(rows[0], rows[1], rows[2], rows[3], lo, hi, add, 1<<7, 8, avx512)
			}
		})
		b.Run("restoreRow16/"+kset, func(b *testing.B) {
			for b.Loop() {
				admRestoreRow16Asm(o, t, rr, aa, div, avx512)
			}
		})
		b.Run("cmRow0/"+kset, func(b *testing.B) {
			for b.Loop() {
				admCMRow0Asm(o, thr, &cm, avx512)
			}
		})
		b.Run("dwt0Horizontal/"+kset, func(b *testing.B) {
			for b.Loop() {
				admDWT0HorizontalAsm(lo, rr, aa, avx512)
			}
		})
		b.Run("csfRow0/"+kset, func(b *testing.B) {
			for b.Loop() {
				admCSFRow0Asm(o, t, rr, f, c, avx512)
			}
		})
		b.Run("restoreRow32/"+kset, func(b *testing.B) {
			for b.Loop() {
				admRestoreRow32Asm(o32, t32, r32, a32, div, avx512)
			}
		})
		b.Run("angles16/"+kset, func(b *testing.B) {
			for b.Loop() {
				admAngles16(o, ov, th, tv, angle, set[:0], true, avx512)
			}
		})
		b.Run("angles32/"+map[bool]string{false: "Go", true: "AVX-512"}[avx512], func(b *testing.B) {
			for b.Loop() {
				admAngles32(o32, ov32, th32, tv32, angle, set[:0], avx512)
			}
		})
		b.Run("dwt123Vertical/"+map[bool]string{false: "Go", true: "AVX-512"}[avx512], func(b *testing.B) {
			for b.Loop() {
				admDWT123Vertical(src2, w/4, &iy, 0, lo2, hi2, admAddVP[1], admShiftVP[1], false, avx512)
			}
		})
		b.Run("dwtRow64/"+kset, func(b *testing.B) {
			for b.Loop() {
				admDWTRow64Asm(src, out, &dwt, avx512)
			}
		})
	}
}
