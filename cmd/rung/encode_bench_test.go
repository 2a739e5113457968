package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkEncodeVsFFmpeg runs `rung encode --no-audio` (x264, preset
// medium, CRF 23, default workers and threads) and
// `ffmpeg -an -c:v libx264 -preset medium -crf 23` (default threads) on
// the multi-shot clip and on the 720p clip, alternately in the same run,
// each as a whole process, and prints the median wall and CPU seconds of
// the runs, the size and the VMAF (rung score) of each output, and their
// ratios. The target is a wall ratio <= 1.0 at a size ratio of 1 +- 2%
// and a VMAF within 0.2. With -benchtime 3x every clip is encoded three
// times by each.
func BenchmarkEncodeVsFFmpeg(b *testing.B) {
	dir := shared(b)
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		b.Setenv("RUNG_MODEL_DIR", filepath.Join(dir, "vmaf", "model"))
	}
	for _, clip := range []string{"multishot_768x432.mkv", "bbb_1280x720.mkv"} {
		b.Run(strings.TrimSuffix(clip, ".mkv"), func(b *testing.B) {
			benchEncodeClip(b, filepath.Join(dir, "clips", clip))
		})
	}
}

func benchEncodeClip(b *testing.B, src string) {
	tmp := b.TempDir()
	var rung, ff []usage
	var rungOut, ffOut string
	for i := 0; b.Loop(); i++ {
		rungOut = filepath.Join(tmp, fmt.Sprintf("rung%d.mp4", i)) // a fresh work dir: no cached chunks
		rung = append(rung, timed(b, rungBin, "encode", src, "-o", rungOut, "--no-audio", "--codec", "x264", "--preset", "medium", "--crf", "23"))
		ffOut = filepath.Join(tmp, fmt.Sprintf("ffmpeg%d.mp4", i))
		ff = append(ff, timed(b, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", src, "-an", "-c:v", "libx264", "-preset", "medium", "-crf", "23", ffOut))
	}
	b.StopTimer()
	rungSize, ffSize := size(b, rungOut), size(b, ffOut)
	rungVMAF, ffVMAF := vmafMean(b, src, rungOut), vmafMean(b, src, ffOut)
	rw, rc := medianUsage(rung)
	fw, fc := medianUsage(ff)
	fmt.Printf("%s, median of %d alternating runs each\n", filepath.Base(src), len(rung))
	fmt.Printf("%-8s %8s %8s %10s %10s\n", "", "wall s", "CPU s", "bytes", "VMAF")
	fmt.Printf("%-8s %8.2f %8.2f %10d %10.4f\n", "rung", rw, rc, rungSize, rungVMAF)
	fmt.Printf("%-8s %8.2f %8.2f %10d %10.4f\n", "ffmpeg", fw, fc, ffSize, ffVMAF)
	fmt.Printf("%-8s %8.3f %8.3f %10.4f %+10.4f\n", "ratio", rw/fw, rc/fc, float64(rungSize)/float64(ffSize), rungVMAF-ffVMAF)
	b.ReportMetric(rw/fw, "wall-ratio")
	b.ReportMetric(rc/fc, "cpu-ratio")
	b.ReportMetric(float64(rungSize)/float64(ffSize), "size-ratio")
	b.ReportMetric(rungVMAF-ffVMAF, "vmaf-delta")
}

// usage is the wall time and the CPU time (user + system) of one process.
type usage struct{ wall, cpu time.Duration }

// timed runs a command and returns its wall and CPU time.
func timed(b *testing.B, name string, args ...string) usage {
	b.Helper()
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s: %v: %s", name, err, out)
	}
	return usage{wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// medianUsage returns the median wall and CPU seconds of runs.
func medianUsage(runs []usage) (wall, cpu float64) {
	med := func(f func(usage) time.Duration) float64 {
		s := make([]time.Duration, len(runs))
		for i, r := range runs {
			s[i] = f(r)
		}
		slices.Sort(s)
		return s[len(s)/2].Seconds()
	}
	return med(func(u usage) time.Duration { return u.wall }), med(func(u usage) time.Duration { return u.cpu })
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
