package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rung/encode"
	"rung/internal/s3test"
)

// multishot is the clip of the integration tests, cut into 14 chunks by
// encodeArgs.
const multishot = "multishot_768x432.mkv"

// encodeArgs are the chunking and codec flags shared by the local and the
// Temporal encodes that are compared.
var encodeArgs = []string{"--codec", "x264", "--crf", "28", "--preset", "veryfast", "--chunk-seconds", "0.8", "--min-chunk", "0.4"}

// probeFile probes a local media file.
func probeFile(tb testing.TB, path string) *encode.Info {
	tb.Helper()
	src, closeSrc, err := encode.OpenSource(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer closeSrc()
	info, err := encode.Probe(context.Background(), src, path)
	if err != nil {
		tb.Fatal(err)
	}
	return info
}

// vmaf scores dist against ref with `rung score` and returns the pooled
// mean.
func (r *rig) vmaf(tb testing.TB, ref, dist string) float64 {
	tb.Helper()
	out, errOut, code := r.rung(tb, "score", "-r", ref, "-d", dist, "--json", "-")
	if code != 0 {
		tb.Fatalf("score %s: %s", dist, errOut)
	}
	var s struct {
		Pooled map[string]map[string]float64 `json:"pooled_metrics"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		tb.Fatalf("score JSON: %v", err)
	}
	return s.Pooled["vmaf"]["mean"]
}

// TestTemporalEncode encodes the multishot clip in 14 chunks through a real
// Temporal dev server and MinIO with two `rung worker` processes, and
// compares the output with a local `rung encode` of the same settings:
// both workers encode chunks, the frames and timestamps are the local
// ones, and so is the VMAF.
func TestTemporalEncode(t *testing.T) {
	r := newRig(t, multishot)
	// Two chunks at once per worker on two cores: one encoder thread per
	// chunk, as the local encode with --workers 2 uses.
	metrics := s3test.FreeAddr(t)
	wa := r.startWorker(t, "worker-a", "--concurrency", "2", "--metrics", metrics)
	r.startWorker(t, "worker-b", "--concurrency", "2")
	output := "s3://rung/out/multishot.mp4"
	args := append([]string{"encode", r.source, "-o", output, "--temporal", r.tmp.Addr, "--json"}, encodeArgs...)
	out, errOut, code := r.rung(t, args...)
	if code != 0 {
		t.Fatalf("rung encode --temporal: exit %d: %s", code, errOut)
	}
	res := result(t, r.tmp.Client(), output)
	if *update {
		recordHistory(t, r.tmp.Client(), EncodeWorkflowID(output), encodeStreamHistory)
	}
	kinds := map[string]int{}
	for _, e := range events(t, out) {
		kinds[e["event"].(string)]++
	}
	if kinds["plan"] != 1 || kinds["chunk_done"] != res.Chunks || kinds["concat"] != 1 || kinds["done"] != 1 {
		t.Errorf("--json events %v, want one plan, %d chunk_done, one concat, one done", kinds, res.Chunks)
	}
	byWorker := map[string]int{}
	for _, run := range res.Runs {
		byWorker[run.Worker]++
	}
	t.Logf("%d chunks, %d frames, %d bytes; chunks per worker %v; events %v", res.Chunks, res.Frames, res.Bytes, byWorker, kinds)
	if res.Chunks < 10 || byWorker["worker-a"] == 0 || byWorker["worker-b"] == 0 {
		t.Errorf("%d chunks by %v: want 10 or more, encoded by both workers", res.Chunks, byWorker)
	}

	id := EncodeWorkflowID(output)
	if list, errOut, code := r.rung(t, "jobs", "list", "--temporal", r.tmp.Addr); code != 0 || !strings.Contains(list, id) || !strings.Contains(list, "completed") {
		t.Errorf("rung jobs list: exit %d, %s%s", code, list, errOut)
	}
	if show, errOut, code := r.rung(t, "jobs", "show", id, "--temporal", r.tmp.Addr); code != 0 || !strings.Contains(show, `"status": "completed"`) || !strings.Contains(show, `"stage": "done"`) {
		t.Errorf("rung jobs show: exit %d, %s%s", code, show, errOut)
	}
	checkMetrics(t, "http://"+metrics+"/metrics", byWorker["worker-a"])
	// SIGTERM: the worker stops polling and exits cleanly.
	wa.term()
	if code := wa.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(wa.log.String(), "stopped") {
		t.Errorf("worker after SIGTERM: exit %d, log:\n%s", code, wa.log.String())
	}

	remote := filepath.Join(r.dir, "temporal.mp4")
	r.download(t, output, remote)
	local := filepath.Join(r.dir, "local.mp4")
	if _, errOut, code := r.rung(t, append([]string{"encode", r.clip, "-o", local, "--workers", "2"}, encodeArgs...)...); code != 0 {
		t.Fatalf("local rung encode: %s", errOut)
	}
	ri, li := probeFile(t, remote).Video, probeFile(t, local).Video
	if ri.Frames != li.Frames || ri.TimeBase != li.TimeBase || !slices.Equal(ri.PTS, li.PTS) {
		t.Errorf("Temporal output: %d frames, time base %v; local: %d frames, time base %v; timestamps equal: %v",
			ri.Frames, ri.TimeBase, li.Frames, li.TimeBase, slices.Equal(ri.PTS, li.PTS))
	}
	a, _ := os.ReadFile(remote)
	b, _ := os.ReadFile(local)
	identical := bytes.Equal(a, b)
	vr, vl := r.vmaf(t, r.clip, remote), r.vmaf(t, r.clip, local)
	t.Logf("VMAF Temporal %.4f, local %.4f (difference %.4f); byte-identical: %v (%d and %d bytes)", vr, vl, vr-vl, identical, len(a), len(b))
	if math.Abs(vr-vl) > 0.05 {
		t.Errorf("VMAF %.4f through Temporal, %.4f locally: more than 0.05 apart", vr, vl)
	}
}

// checkMetrics reads a worker's /metrics and checks that its chunk
// encodes were counted.
func checkMetrics(t *testing.T, url string, chunks int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	for _, want := range []string{
		fmt.Sprintf(`rung_activities_total{activity="rung.EncodeChunk",outcome="ok"} %d`, chunks),
		fmt.Sprintf(`rung_chunk_encode_seconds_count{codec="x264"} %d`, chunks),
		`rung_encoded_frames_total `, `rung_s3_bytes_total{direction="out"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestTemporalEncodeBadInput: a source that is not media fails the job at
// once with rung's one-line error and exit code 1, and writes no output.
func TestTemporalEncodeBadInput(t *testing.T) {
	r := newRig(t, multishot)
	r.startWorker(t, "worker-a", "--concurrency", "1")
	r.s3.Put(r.bucket, "in/text.mkv", []byte(strings.Repeat("not a video\n", 1000)))
	began := time.Now()
	_, errOut, code := r.rung(t, "encode", "s3://rung/in/text.mkv", "-o", "s3://rung/out/text.mp4", "--temporal", r.tmp.Addr)
	if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") > 1 || !strings.Contains(errOut, "s3://rung/in/text.mkv") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and one line naming the file", code, errOut)
	}
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("bad input took %s: retried?", d)
	}
	_, errOut, code = r.rung(t, "mezzfs", "stat", "s3://rung/out/text.mp4")
	if code == 0 {
		t.Error("a failed job left an output object")
	}
	// A local path is refused before anything starts.
	_, errOut, code = r.rung(t, "encode", r.clip, "-o", "s3://rung/out/x.mp4", "--temporal", r.tmp.Addr)
	if code != 2 || !strings.Contains(errOut, "s3://") {
		t.Errorf("local input with --temporal: exit %d: %s", code, errOut)
	}
}
