package quality

import "testing"

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
