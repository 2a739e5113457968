package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"rung/internal/vmafref"
)

// benchRuns is how many times each side runs, alternating; the median is
// reported.
const benchRuns = 5

// BenchmarkScoreVsLibvmaf runs `rung score` and libvmaf's own CLI
// (../shared/tools/vmaf, libvmaf 3.2.0) on the same decoded pairs in the
// same run, alternating, benchRuns times each, and prints the median wall
// time of each whole process, rung's speed relative to libvmaf's
// (libvmaf's time / rung's) and each one's peak resident memory: the 1080p
// and 720p pairs at 1 and 2 threads, then three 720p renditions against
// one reference scored in one rung run against three libvmaf runs.
func BenchmarkScoreVsLibvmaf(b *testing.B) {
	dir := vmafref.Dir(b)
	tool := filepath.Join(dir, "tools", "vmaf")
	if _, err := os.Stat(tool); err != nil {
		b.Skipf("libvmaf CLI not found at %s: nothing to compare with", tool)
	}
	model := filepath.Join(dir, "vmaf", "model", "vmaf_v0.6.1.json")
	if os.Getenv("RUNG_MODEL_DIR") == "" {
		b.Setenv("RUNG_MODEL_DIR", filepath.Join(dir, "vmaf", "model"))
	}
	tmp := b.TempDir()
	type pair struct{ ref, dis string }
	inputs := func(name string) pair {
		_, e := vmafref.Find(b, name)
		r, d := vmafref.Inputs(b, dir, e)
		return pair{r, d}
	}
	vmafArgs := func(p pair, threads int) []string {
		return []string{"-r", p.ref, "-d", p.dis, "--model", "path=" + model, "--threads", fmt.Sprint(threads),
			"--json", "-o", filepath.Join(tmp, "libvmaf.json"), "--quiet"}
	}
	fmt.Printf("%-28s %7s %9s %9s %7s %9s %9s\n", "input", "threads", "rung s", "libvmaf s", "speed", "rung MB", "libvmaf MB")
	for _, c := range []struct {
		name  string
		pair  string
		label string
	}{
		{"1080p", "bbb_1920x1080_crf28.vmaf_v0.6.1", "1080p, 36 frames"},
		{"720p", "bbb_1280x720_crf28.vmaf_v0.6.1", "720p, 75 frames"},
	} {
		p := inputs(c.pair)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(b *testing.B) {
				rung := []string{"score", "-r", p.ref, "-d", p.dis, "--threads", fmt.Sprint(threads), "--json", filepath.Join(tmp, "rung.json")}
				r, v := alternate(b, []benchCmd{{rungBin, rung}}, []benchCmd{{tool, vmafArgs(p, threads)}})
				report(b, c.label, threads, r, v)
			})
		}
	}
	b.Run("720p-three-renditions/threads=2", func(b *testing.B) {
		rung := []string{"score", "--threads", "2", "--json", filepath.Join(tmp, "many")}
		var libvmaf []benchCmd
		for _, crf := range []string{"18", "28", "38"} {
			p := inputs("bbb_1280x720_crf" + crf + ".vmaf_v0.6.1")
			if len(rung) == 5 {
				rung = append(rung, "-r", p.ref)
			}
			rung = append(rung, "-d", p.dis)
			libvmaf = append(libvmaf, benchCmd{tool, vmafArgs(p, 2)})
		}
		r, v := alternate(b, []benchCmd{{rungBin, rung}}, libvmaf)
		report(b, "720p, 3 renditions in 1 run", 2, r, v)
	})
}

// benchCmd is one process to time.
type benchCmd struct {
	name string
	args []string
}

// benchResult is the median wall time of a side and its peak resident
// memory (the largest of its processes').
type benchResult struct {
	wall   time.Duration
	peakMB float64
}

// alternate runs side a then side b, benchRuns times, and returns the
// median of each side's total wall time and its peak memory.
func alternate(b *testing.B, a, c []benchCmd) (benchResult, benchResult) {
	b.Helper()
	var ta, tc []time.Duration
	var ra, rc benchResult
	for range benchRuns {
		d, mb := runAll(b, a)
		ta, ra.peakMB = append(ta, d), max(ra.peakMB, mb)
		d, mb = runAll(b, c)
		tc, rc.peakMB = append(tc, d), max(rc.peakMB, mb)
	}
	ra.wall, rc.wall = median(ta), median(tc)
	return ra, rc
}

// runAll runs cmds one after the other and returns their total wall time
// and the largest peak resident memory among them, in MB.
func runAll(b *testing.B, cmds []benchCmd) (time.Duration, float64) {
	b.Helper()
	var total time.Duration
	var peak float64
	for _, c := range cmds {
		cmd := exec.Command(c.name, c.args...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		total += time.Since(start)
		if err != nil {
			b.Fatalf("%s %v: %v: %s", c.name, c.args, err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, float64(ru.Maxrss)/1024) // Linux reports KB
		}
	}
	return total, peak
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// report prints one row of the table and records the ratios.
func report(b *testing.B, label string, threads int, r, v benchResult) {
	speed := v.wall.Seconds() / r.wall.Seconds()
	fmt.Printf("%-28s %7d %9.2f %9.2f %6.2fx %9.0f %9.0f\n", label, threads, r.wall.Seconds(), v.wall.Seconds(), speed, r.peakMB, v.peakMB)
	b.ReportMetric(speed, "speed-vs-libvmaf")
	b.ReportMetric(r.peakMB/v.peakMB, "mem-ratio")
	b.ReportMetric(0, "ns/op")
}
