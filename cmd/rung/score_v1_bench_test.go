package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
)

// BenchmarkScoreV1VsLibvmaf runs `rung score` and libvmaf's CLI
// (../shared/tools/vmaf, libvmaf 3.2.0) with the same arguments, libvmaf's
// syntax, on the 720p pair in the same run, alternating (as
// BenchmarkScoreVsLibvmaf): the VMAF v1 model vmaf_v1.0.16_3d0h (CAMBI,
// speed_chroma, ADM3, motion3) at 1 and 2 threads, and CAMBI alone at 2
// threads. It prints the median wall times, rung's speed relative to
// libvmaf's and both peak memories.
func BenchmarkScoreV1VsLibvmaf(b *testing.B) {
	dir := vmafref.Dir(b)
	tool := filepath.Join(dir, "tools", "vmaf")
	if _, err := os.Stat(tool); err != nil {
		b.Skipf("libvmaf CLI not found at %s: nothing to compare with", tool)
	}
	_, e := vmafref.Find(b, "bbb_1280x720_crf28.vmaf_v0.6.1")
	ref, dis := vmafref.Inputs(b, dir, e)
	tmp := b.TempDir()
	model := "path=" + filepath.Join(dir, "vmaf", "model", "vmaf_v1.0.16", "vmaf_v1.0.16_3d0h.json") + ":cambi.enc_width=1280:cambi.enc_height=720"
	fmt.Printf("%-28s %7s %9s %9s %7s %9s %9s\n", "input", "threads", "rung s", "libvmaf s", "speed", "rung MB", "libvmaf MB")
	for _, c := range []struct {
		name, label string
		args        []string
		threads     []int
	}{
		{"v1", "720p v1.0.16_3d0h, 75 fr", []string{"--model", model}, []int{1, 2}},
		{"cambi", "720p cambi alone, 75 fr", []string{"--feature", "cambi=enc_width=1280:enc_height=720", "--no_prediction"}, []int{2}},
	} {
		for _, threads := range c.threads {
			b.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(b *testing.B) {
				args := append([]string{"-r", ref, "-d", dis, "--threads", fmt.Sprint(threads), "--json", "--quiet"}, c.args...)
				rung := append(append([]string{"score"}, args...), "-o", filepath.Join(tmp, "rung.json"))
				lib := append(append([]string{}, args...), "-o", filepath.Join(tmp, "libvmaf.json"))
				r, v := alternate(b, []benchCmd{{rungBin, rung}}, []benchCmd{{tool, lib}})
				report(b, c.label, threads, r, v)
			})
		}
	}
}
