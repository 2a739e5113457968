package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEncodeVsFFmpeg runs `rung encode` (x264, preset medium, CRF 23,
// default workers) and `ffmpeg -c:v libx264 -preset medium -crf 23` on the
// same 720p clip, alternately in the same run, and reports wall time, size
// and VMAF (rung score) of each, and their ratios. The target is a wall
// time ratio <= 1.0 at a size ratio of 1 +- 2% and a VMAF within 0.3.
func BenchmarkEncodeVsFFmpeg(b *testing.B) {
	dir := shared(b)
	src := filepath.Join(dir, "clips", "bbb_1280x720.mkv")
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		b.Setenv("RUNG_MODEL_DIR", filepath.Join(dir, "vmaf", "model"))
	}
	tmp := b.TempDir()
	var rungWall, ffWall time.Duration
	var rungOut, ffOut string
	for i := 0; b.Loop(); i++ {
		rungOut = filepath.Join(tmp, fmt.Sprintf("rung%d.mp4", i)) // a fresh work dir: no cached chunks
		rungWall += timed(b, rungBin, "encode", src, "-o", rungOut, "--codec", "x264", "--preset", "medium", "--crf", "23")
		ffOut = filepath.Join(tmp, fmt.Sprintf("ffmpeg%d.mp4", i))
		ffWall += timed(b, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", src, "-c:v", "libx264", "-preset", "medium", "-crf", "23", ffOut)
	}
	b.StopTimer()
	rungSize, ffSize := size(b, rungOut), size(b, ffOut)
	rungVMAF, ffVMAF := vmafMean(b, src, rungOut), vmafMean(b, src, ffOut)
	n := float64(b.N)
	fmt.Printf("%-8s %10s %10s %10s\n", "", "wall s", "bytes", "VMAF")
	fmt.Printf("%-8s %10.2f %10d %10.4f\n", "rung", rungWall.Seconds()/n, rungSize, rungVMAF)
	fmt.Printf("%-8s %10.2f %10d %10.4f\n", "ffmpeg", ffWall.Seconds()/n, ffSize, ffVMAF)
	fmt.Printf("%-8s %10.3f %10.4f %+10.4f\n", "ratio", rungWall.Seconds()/ffWall.Seconds(), float64(rungSize)/float64(ffSize), rungVMAF-ffVMAF)
	b.ReportMetric(rungWall.Seconds()/ffWall.Seconds(), "wall-ratio")
	b.ReportMetric(float64(rungSize)/float64(ffSize), "size-ratio")
	b.ReportMetric(rungVMAF-ffVMAF, "vmaf-delta")
}

// timed runs a command and returns its wall time.
func timed(b *testing.B, name string, args ...string) time.Duration {
	b.Helper()
	start := time.Now()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		b.Fatalf("%s: %v: %s", name, err, out)
	}
	return time.Since(start)
}

func size(b *testing.B, path string) int64 {
	b.Helper()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// vmafMean scores dist against ref with `rung score` and returns the
// pooled mean VMAF.
func vmafMean(b *testing.B, ref, dist string) float64 {
	b.Helper()
	out, err := exec.Command(rungBin, "score", "-r", ref, "-d", dist, "--json", "-").Output()
	if err != nil {
		b.Fatalf("rung score %s: %v", dist, err)
	}
	var doc struct {
		Pooled map[string]map[string]float64 `json:"pooled_metrics"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		b.Fatalf("rung score %s: %v", dist, err)
	}
	return doc.Pooled["vmaf"]["mean"]
}
