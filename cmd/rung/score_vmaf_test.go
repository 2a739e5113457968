package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// TestLibvmafArgs checks the rewriting of the vmaf tool's spellings.
func TestLibvmafArgs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rung score -r a -d b --json -o out.json --quiet", "rung score -r a -d b --json out.json"},
		{"rung score -r a -d b -o out.xml", "rung score -r a -d b --xml out.xml"},
		{"rung score -r a -d b --json out.json", "rung score -r a -d b --json out.json"},
		{"rung score -r a -d b --json -", "rung score -r a -d b --json -"},
		{"rung score -r a -d b --csv --json --output=o -q", "rung score -r a -d b --csv o --json o"},
		{"rung score -r a.yuv -d b.yuv -w 480 -h 270 -p 420 -b 10 --cpumask 48", "rung score -r a.yuv -d b.yuv --width 480 --height 270 --pixfmt yuv420p10le"},
		{"rung score -p 444 -b 8", "rung score --pixfmt yuv444p"},
		{"rung score -h", "rung score -h"},
		{"rung score --json", "rung score --json"},
		{"rung probe x --json", "rung probe x --json"},
	} {
		if got := strings.Join(libvmafArgs(strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("libvmafArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzLibvmafArgs feeds arbitrary argument lists to libvmafArgs: it must
// not panic and must keep the program and subcommand.
func FuzzLibvmafArgs(f *testing.F) {
	f.Add("-r a -d b --json -o out.json --quiet")
	f.Add("-w 1 -h -p -b")
	f.Add("--output= --json --xml -o")
	f.Fuzz(func(t *testing.T, s string) {
		args := append([]string{"rung", "score"}, strings.Split(s, " ")...)
		out := libvmafArgs(args)
		if len(out) < 2 || out[0] != "rung" || out[1] != "score" {
			t.Fatalf("libvmafArgs(%q) = %q", args, out)
		}
	})
}

// libvmafJSON is the part of libvmaf's JSON output compared here.
type libvmafJSON struct {
	Frames []struct {
		FrameNum int                `json:"frameNum"`
		Metrics  map[string]float64 `json:"metrics"`
	} `json:"frames"`
	PooledMetrics map[string]map[string]float64 `json:"pooled_metrics"`
}

// TestScoreLibvmafSyntax runs rung score with the exact arguments libvmaf
// 3.2.0's vmaf tool was given for runs of ../shared/vmaf-ref/pairs-v1.json
// (--model path=...:cambi.enc_width=..., --feature cambi=..., --no_prediction,
// --threads, --json, --quiet, -o) and requires what the tool wrote: the same
// feature names per frame and pooled, and the same numbers at its printed
// precision (%.6f).
func TestScoreLibvmafSyntax(t *testing.T) {
	dir, entries := vmafref.EntriesV1(t)
	want := map[string]bool{"bottles_640x360_48f_crf38.vmaf_v1.0.16_3d0h": true, "bottles_640x360_crf38.cambi": true}
	for _, e := range entries {
		if !want[e.Name] {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			ref, dis := vmafref.Inputs(t, dir, e)
			out := filepath.Join(t.TempDir(), "out.json")
			args := []string{"score", "-r", ref, "-d", dis}
			for _, a := range e.VmafArgs {
				if strings.HasPrefix(a, "path=") {
					a = "path=" + filepath.Join(dir, strings.TrimPrefix(a, "path="))
				}
				args = append(args, a)
			}
			args = append(args, "-o", out)
			if _, stderr, code := runRung(t, args...); code != 0 {
				t.Fatalf("rung %s: exit %d: %s", strings.Join(args, " "), code, stderr)
			}
			var got, lib libvmafJSON
			for _, f := range []struct {
				path string
				v    *libvmafJSON
			}{{out, &got}, {filepath.Join(dir, e.JSON), &lib}} {
				b, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(b, f.v); err != nil {
					t.Fatalf("%s: %v", f.path, err)
				}
			}
			if len(got.Frames) != len(lib.Frames) {
				t.Fatalf("%d frames, libvmaf %d", len(got.Frames), len(lib.Frames))
			}
			same := func(what string, g, l map[string]float64) {
				if !reflect.DeepEqual(keys(g), keys(l)) {
					t.Fatalf("%s: names %v, libvmaf %v", what, keys(g), keys(l))
				}
				for k, v := range l {
					if fmt.Sprintf("%.6f", g[k]) != fmt.Sprintf("%.6f", v) {
						t.Errorf("%s: %s = %.6f, libvmaf %.6f", what, k, g[k], v)
					}
				}
			}
			for i := range lib.Frames {
				same(fmt.Sprintf("frame %d", i), got.Frames[i].Metrics, lib.Frames[i].Metrics)
			}
			if !reflect.DeepEqual(keys2(got.PooledMetrics), keys2(lib.PooledMetrics)) {
				t.Fatalf("pooled names %v, libvmaf %v", keys2(got.PooledMetrics), keys2(lib.PooledMetrics))
			}
			for k, l := range lib.PooledMetrics {
				g := got.PooledMetrics[k]
				for _, m := range []string{"min", "max", "mean", "harmonic_mean"} {
					if fmt.Sprintf("%.6f", g[m]) != fmt.Sprintf("%.6f", l[m]) {
						t.Errorf("pooled %s %s = %.6f, libvmaf %.6f", k, m, g[m], l[m])
					}
				}
			}
		})
	}
}

func keys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sortStrings(out)
}

func keys2(m map[string]map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sortStrings(out)
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}

// TestScoreBuiltinModels copies the binary into an empty directory, with no
// model directory anywhere, and scores with the built-in vmaf_v0.6.1 and
// VMAF v1 models, by rung's and libvmaf's names.
func TestScoreBuiltinModels(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "rung")
	b, err := os.ReadFile(rungBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	clips := t.TempDir()
	ref, dis := filepath.Join(clips, "ref.y4m"), filepath.Join(clips, "dis.y4m")
	writeY4M(t, ref, 480, 320, 3, 0)
	writeY4M(t, dis, 480, 320, 3, 6)
	for _, model := range []string{"vmaf_v0.6.1", "version=vmaf_v1.0.16_3d0h", "version=vmaf_v1.0.16_hfr_5d0h:name=v1"} {
		cmd := exec.Command(bin, "score", "-r", ref, "-d", dis, "--model", model)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "RUNG_MODEL_DIR=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": mean ") {
			t.Errorf("--model %s from an empty directory: %v: %s", model, err, out)
		}
	}
}

// TestScoreV1Errors checks bad v1 input: one line on stderr, exit 2 for a
// malformed argument, 1 for what only the run can find.
func TestScoreV1Errors(t *testing.T) {
	modelDir(t)
	ref, dis := fixturePair(t, 2) // 96x64: too small for CAMBI and SpEED
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", "version=vmaf_nope"}, 1, "not found"},
		{[]string{"--model", "version=vmaf_v1.0.16_3d0h"}, 1, "96x64 is too small"},
		{[]string{"--feature", "cambi"}, 1, "too small"},
		{[]string{"--feature", "banding"}, 2, `unknown feature "banding"`},
		{[]string{"--feature", "cambi=topk=2"}, 2, "out of range"},
		{[]string{"--feature", "cambi=nope=1"}, 2, `no option "nope"`},
		{[]string{"--model", "version=vmaf_v1.0.16_3d0h:cambi.window_size=3"}, 2, "out of range"},
		{[]string{"--model", "path=x.json:bogus"}, 2, "bad option string"},
		{[]string{"--no_prediction"}, 2, "needs at least one --feature"},
	} {
		_, stderr, code := runRung(t, append([]string{"score", "-r", ref, "-d", dis}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line containing %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// TestScoreGateMetrics checks --gate on any metric with --min and --max,
// the verdict in the JSON and the JUnit report.
func TestScoreGateMetrics(t *testing.T) {
	modelDir(t)
	dir := t.TempDir()
	ref, dis := filepath.Join(dir, "ref.y4m"), filepath.Join(dir, "dis.y4m")
	writeY4M(t, ref, 320, 240, 3, 0)
	writeY4M(t, dis, 320, 240, 3, 6)
	base := []string{"score", "-r", ref, "-d", dis, "--no_prediction", "--feature", "cambi", "--feature", "psnr"}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--gate", "cambi", "--max", "1000"}, 0, ""},
		{[]string{"--gate", "cambi", "--max", "-1"}, 3, "quality gate failed: cambi mean 0.000000 (want <= -1): FAIL"},
		{[]string{"--gate", "psnr_y", "--min", "1000", "--pool", "min"}, 3, "psnr_y min"},
		{[]string{"--gate", "psnr", "--min", "1"}, 2, "ambiguous"},
		{[]string{"--gate", "vmaf", "--min", "1"}, 2, `no metric "vmaf"`},
		{[]string{"--min", "1"}, 2, "need --gate"},
		{[]string{"--gate", "cambi", "--min", "2", "--max", "1"}, 2, "above --max"},
	} {
		args := append(append([]string{}, base...), c.args...)
		_, stderr, code := runRung(t, args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	js, junit := filepath.Join(dir, "out.json"), filepath.Join(dir, "gate.xml")
	_, stderr, code := runRung(t, append(base, "--gate", "cambi", "--max", "-1", "--json", js, "--junit", junit)...)
	if code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Gates []struct {
			Metric, Name, Pool string
			Value, Max         float64
			Pass               bool
		} `json:"gates"`
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Gates) != 1 || doc.Gates[0].Metric != "cambi" || doc.Gates[0].Name != "cambi" || doc.Gates[0].Pass || doc.Gates[0].Max != -1 {
		t.Errorf("JSON gates = %+v", doc.Gates)
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<testsuite name="rung score" tests="1" failures="1">`, `<testcase name="cambi mean" classname="` + dis, `<failure message="cambi mean`} {
		if !strings.Contains(string(x), want) {
			t.Errorf("JUnit report lacks %q:\n%s", want, x)
		}
	}
}
