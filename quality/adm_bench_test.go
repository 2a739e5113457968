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
