package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkTemporalOverhead encodes the multishot clip in 4 chunks (x264,
// the default settings) with `rung encode` locally and through a real
// Temporal dev server and MinIO with one `rung worker` (its default
// concurrency, as the local encode's default workers), in the same run. It
// reports the wall-time ratio (Temporal over local, the bound is
// 1.15), frames/s of each, and the scheduling latency of the chunk
// activities (scheduled to started): the smallest is Temporal's own
// latency, the median includes chunks waiting for a free slot of the
// worker.
func BenchmarkTemporalOverhead(b *testing.B) {
	r := newRig(b, multishot)
	r.startWorker(b, "bench")
	args := []string{"--chunk-seconds", "2.6", "--min-chunk", "2.5"}
	var local, remote time.Duration
	var lat []time.Duration
	frames := 0
	for i := 0; i < b.N; i++ {
		out := filepath.Join(r.dir, fmt.Sprintf("local%d.mp4", i))
		began := time.Now()
		if _, errOut, code := r.rung(b, append([]string{"encode", r.clip, "-o", out}, args...)...); code != 0 {
			b.Fatalf("local encode: %s", errOut)
		}
		local += time.Since(began)
		// The worker keeps finished chunks: start it cold, as the local
		// encode is.
		os.RemoveAll(filepath.Join(r.dir, "cache-bench", "chunks"))
		url := fmt.Sprintf("s3://rung/out/bench%d.mp4", i)
		began = time.Now()
		if _, errOut, code := r.rung(b, append([]string{"encode", r.source, "-o", url, "--temporal", r.tmp.Addr}, args...)...); code != 0 {
			b.Fatalf("Temporal encode: %s", errOut)
		}
		remote += time.Since(began)
		res := result(b, r.tmp.Client(), url)
		if res.Chunks != 4 || res.Encoded != 4 {
			b.Fatalf("%d chunks, %d encoded: want 4 encoded", res.Chunks, res.Encoded)
		}
		for _, run := range res.Runs {
			lat = append(lat, run.Latency)
		}
		frames += res.Frames
	}
	slices.Sort(lat)
	b.ReportMetric(remote.Seconds()/local.Seconds(), "temporal/local")
	b.ReportMetric(float64(frames)/local.Seconds(), "local-frames/s")
	b.ReportMetric(float64(frames)/remote.Seconds(), "temporal-frames/s")
	b.ReportMetric(float64(lat[0].Microseconds())/1000, "sched-ms-min")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "sched-ms-median")
}
