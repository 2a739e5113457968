package cluster

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"rung/ladder"
)

// ladderArgs keep the ladder tests short: two sizes, a fast preset, no
// reference ladder.
var ladderArgs = []string{"--resolutions", "360,234", "--fixed", "none", "--preset", "veryfast", "--rungs", "3"}

// readReport reads a ladder.json.
func readReport(tb testing.TB, path string) ladder.Report {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var r ladder.Report
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return r
}

// TestTemporalLadder builds the ladder of a shared clip through Temporal
// (two workers) and locally: the same trial encodes, the same rungs, with
// the same bitrates and VMAF.
func TestTemporalLadder(t *testing.T) {
	r := newRig(t, "bottles_640x360.mkv")
	r.startWorker(t, "worker-a", "--concurrency", "2")
	r.startWorker(t, "worker-b", "--concurrency", "2")
	if _, errOut, code := r.rung(t, append([]string{"ladder", r.source, "-o", "s3://rung/ladder", "--temporal", r.tmp.Addr, "--json"}, ladderArgs...)...); code != 0 {
		t.Fatalf("rung ladder --temporal: exit %d: %s", code, errOut)
	}
	localDir := filepath.Join(r.dir, "local")
	if _, errOut, code := r.rung(t, append([]string{"ladder", r.clip, "-o", localDir}, ladderArgs...)...); code != 0 {
		t.Fatalf("local rung ladder: exit %d: %s", code, errOut)
	}
	remoteJSON := filepath.Join(r.dir, "temporal-ladder.json")
	r.download(t, "s3://rung/ladder/ladder.json", remoteJSON)
	r.download(t, "s3://rung/ladder/master.m3u8", filepath.Join(r.dir, "master.m3u8"))
	got, want := readReport(t, remoteJSON), readReport(t, filepath.Join(localDir, "ladder.json"))
	if got.TrialEncodes != want.TrialEncodes || len(got.Rungs) != len(want.Rungs) {
		t.Fatalf("Temporal: %d trials, %d rungs; local: %d trials, %d rungs", got.TrialEncodes, len(got.Rungs), want.TrialEncodes, len(want.Rungs))
	}
	for i := range got.Rungs {
		g, w := got.Rungs[i], want.Rungs[i]
		t.Logf("rung %d: Temporal %s %.3f kb/s VMAF %.4f; local %s %.3f kb/s VMAF %.4f", i, g.Label(), g.Kbps, g.VMAF, w.Label(), w.Kbps, w.VMAF)
		if g.Label() != w.Label() || g.Kbps != w.Kbps || g.VMAF != w.VMAF || g.File != w.File {
			t.Errorf("rung %d differs", i)
		}
	}
}
