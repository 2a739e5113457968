package quality

import (
	"testing"
)

// BenchmarkCAMBI measures cambi (encode size = picture size) on frames of
// the 720p reference pair, in frames/s.
func BenchmarkCAMBI(b *testing.B) {
	refs, diss := benchFramePairs(b, "bbb_1280x720_crf28.vmaf_v0.6.1", 4)
	c := NewCAMBI(DefaultCAMBIOptions())
	out := NewScores()
	b.SetBytes(int64(2 * refs[0].Width * refs[0].Height))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i % len(refs)
		if err := c.Extract(refs[k], diss[k], i, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
