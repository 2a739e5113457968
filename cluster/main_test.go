package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"rung/internal/s3test"
	"rung/internal/temporaltest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// rungBin is the CLI, built once for the package's tests: workers are
// real `rung worker` processes.
var rungBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "rung-cluster-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rungBin = filepath.Join(dir, "rung")
	if out, err := exec.Command("go", "build", "-o", rungBin, "rung/cmd/rung").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rung: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedClip returns the path of a shared clip, or skips the test.
func sharedClip(tb testing.TB, name string) string {
	tb.Helper()
	dir := os.Getenv("RUNG_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	clip := filepath.Join(dir, "clips", name)
	if _, err := os.Stat(clip); err != nil {
		tb.Skipf("shared clips not found (%v): set RUNG_SHARED", err)
	}
	return clip
}

// rig is a real MinIO, a real Temporal dev server and the source clip in
// a bucket.
type rig struct {
	s3     *s3test.Server
	tmp    *temporaltest.Server
	bucket string
	source string // s3:// URL of the clip
	clip   string // its local path
	dir    string
}

func newRig(tb testing.TB, clip string) *rig {
	tb.Helper()
	local := sharedClip(tb, clip)
	r := &rig{s3: s3test.Start(tb), dir: tb.TempDir()}
	r.tmp = temporaltest.Start(tb)
	r.bucket = r.s3.Bucket("rung")
	r.s3.PutFile(r.bucket, "in/"+clip, local)
	r.source, r.clip = s3test.URL(r.bucket, "in/"+clip), local
	return r
}

// env is the environment of rung processes: the MinIO credentials and
// endpoint.
func (r *rig) env() []string {
	return append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+s3test.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3test.SecretKey,
		"AWS_ENDPOINT_URL="+r.s3.Endpoint, "AWS_REGION=us-east-1",
	)
}

// workerProc is a `rung worker` process.
type workerProc struct {
	name string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// startWorker starts `rung worker` named name with its own cache dir.
func (r *rig) startWorker(tb testing.TB, name string, args ...string) *workerProc {
	tb.Helper()
	cache := filepath.Join(r.dir, "cache-"+name)
	cmd := exec.Command(rungBin, append([]string{"worker", "--temporal", r.tmp.Addr, "--identity", name, "--cache-dir", cache}, args...)...)
	cmd.Env = r.env()
	w := &workerProc{name: name, cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start worker %s: %v", name, err)
	}
	go func() { cmd.Wait(); close(w.done) }()
	tb.Cleanup(func() { w.kill() })
	return w
}

// kill ends the worker as a crash would (SIGKILL).
func (w *workerProc) kill() {
	select {
	case <-w.done:
		return
	default:
	}
	w.cmd.Process.Kill()
	<-w.done
}

// term asks the worker to stop (SIGTERM) and waits for it.
func (w *workerProc) term() {
	w.cmd.Process.Signal(syscall.SIGTERM)
	<-w.done
}

// rung runs the CLI with the rig's environment and returns its stdout,
// stderr and exit code.
func (r *rig) rung(tb testing.TB, args ...string) (string, string, int) {
	tb.Helper()
	cmd := exec.Command(rungBin, args...)
	cmd.Env = r.env()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		tb.Fatalf("run rung: %v", err)
	}
	return o.String(), e.String(), code
}

// result fetches the result of the last encode workflow to output.
func result(tb testing.TB, c client.Client, output string) EncodeResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var res EncodeResult
	if err := c.GetWorkflow(ctx, EncodeWorkflowID(output), "").Get(ctx, &res); err != nil {
		tb.Fatalf("workflow of %s: %v", output, err)
	}
	return res
}

// download copies an object to a local file.
func (r *rig) download(tb testing.TB, url, dst string) {
	tb.Helper()
	_, errOut, code := r.rung(tb, "mezzfs", "cp", url, dst)
	if code != 0 {
		tb.Fatalf("download %s: %s", url, errOut)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// events decodes --json lines.
func events(tb testing.TB, out string) []map[string]any {
	tb.Helper()
	var evs []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var e map[string]any
		if err := dec.Decode(&e); err == io.EOF {
			return evs
		} else if err != nil {
			tb.Fatalf("--json output: %v\n%s", err, out)
		}
		evs = append(evs, e)
	}
}
