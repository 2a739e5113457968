package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"rung/internal/s3test"
	"rung/serve"
)

// serveToken is the bearer token of the tests' MinIO webhook and serve.
const serveToken = "rung-test-token-7f3a"

// serveProc is a `rung serve` process of a test.
type serveProc struct {
	URL    string
	Log    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// temporalCLI skips the test when no Temporal CLI is installed.
func temporalCLI(t *testing.T) {
	t.Helper()
	if _, err := serve.TemporalBinary(); err != nil {
		t.Skipf("no Temporal CLI (`make temporal`): %v", err)
	}
}

// startServe starts `rung serve --listen addr args...` with its JSON log
// in a file and waits until /readyz answers 200.
func startServe(t *testing.T, addr string, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{URL: "http://" + addr, Log: filepath.Join(t.TempDir(), "serve.log"), exited: make(chan struct{})}
	logf, err := os.Create(p.Log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(rungBin, append([]string{"serve", "--listen", addr}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	// A ladder killed with serve leaves its build directory: keep it in
	// the test's.
	p.cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("rung serve exited at start-up:\n%s", readFile(t, p.Log))
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("rung serve not ready after 2 minutes:\n%s", readFile(t, p.Log))
		}
	}
}

// kill kills serve with SIGKILL, as a crash would.
func (p *serveProc) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

// stop sends SIGTERM and returns the exit code.
func (p *serveProc) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		t.Fatal("rung serve did not exit within a minute of SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

// temporalAddr is the local Temporal dev server's address, from serve's log.
func (p *serveProc) temporalAddr(t *testing.T) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(readFile(t, p.Log)))
	for sc.Scan() {
		var line struct{ Msg, Temporal string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "local Temporal dev server" {
			return line.Temporal
		}
	}
	t.Fatalf("serve's log names no local Temporal:\n%s", readFile(t, p.Log))
	return ""
}

// metric returns the value of one series of serve's /metrics, such as
// `rung_events_received_total{result="started"}`.
func (p *serveProc) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f
		}
	}
	return 0
}

// rss returns serve's peak resident memory (VmHWM) in MiB.
func (p *serveProc) rss(t *testing.T) float64 {
	t.Helper()
	b := readFile(t, fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	for _, line := range strings.Split(b, "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// minioWithWebhook starts MinIO with a webhook target "RUNG" that posts
// to serve at addr with the test token and queues events in a directory
// while serve is away.
func minioWithWebhook(t *testing.T, addr string) *s3test.Server {
	t.Helper()
	return s3test.StartEnv(t,
		"MINIO_NOTIFY_WEBHOOK_ENABLE_RUNG=on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_RUNG=http://"+addr+"/events",
		"MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_RUNG="+serveToken,
		"MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_RUNG="+t.TempDir(),
	)
}

// notifyCreated sends bucket's ObjectCreated events to the webhook target,
// retrying for a while: MinIO registers its targets after it starts
// answering S3 calls.
func notifyCreated(t *testing.T, srv *s3test.Server, bucket string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := srv.Client().PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String(bucket),
			NotificationConfiguration: &types.NotificationConfiguration{
				QueueConfigurations: []types.QueueConfiguration{{
					QueueArn: aws.String("arn:minio:sqs::RUNG:webhook"),
					Events:   []types.Event{"s3:ObjectCreated:*"},
				}},
			},
		})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("put bucket notification on %s: %v", bucket, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitObject waits until bucket/key exists; it fails the test at once
// when failKey appears instead.
func waitObject(t *testing.T, c *s3.Client, bucket, key, failKey string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !objectExists(t, c, bucket, key) {
		if failKey != "" && objectExists(t, c, bucket, failKey) {
			dst := filepath.Join(t.TempDir(), "error.json")
			download(t, c, bucket, failKey, dst)
			t.Fatalf("s3://%s/%s appeared instead of %s:\n%s", bucket, failKey, key, readFile(t, dst))
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3://%s/%s did not appear within %s", bucket, key, timeout)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// listKeys lists the keys under prefix.
func listKeys(t *testing.T, c *s3.Client, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// jobWorkflows lists the rung.serve.Job workflows of a Temporal server:
// ID → the number of executions with that ID, and how many are closed.
func jobWorkflows(t *testing.T, addr string) (runs map[string]int, closed int) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(quietLogger())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runs = map[string]int{}
	var token []byte
	for {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = '" + serve.JobWorkflowName + "'", PageSize: 1000, NextPageToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.GetExecutions() {
			runs[e.GetExecution().GetWorkflowId()]++
			if e.GetCloseTime() != nil {
				closed++
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return runs, closed
		}
	}
}

// postEvent posts body to serve's /events with auth as the Authorization
// header and returns the status.
func postEvent(t *testing.T, serveURL, auth string, body io.Reader) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, serveURL+"/events", body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// minioEventBody is the body MinIO's webhook target sends for an
// ObjectCreated:Put of key (escaped as MinIO escapes it).
func minioEventBody(name, bucket, key, etag string) string {
	return `{"EventName":"` + name + `","Key":"` + bucket + "/" + key + `","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2026-12-04T17:01:02.345Z","eventName":"` + name +
		`","userIdentity":{"principalId":"rungtest"},"requestParameters":{"principalId":"rungtest","region":"","sourceIPAddress":"127.0.0.1"},"responseElements":{},"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"` + bucket +
		`","ownerIdentity":{"principalId":"rungtest"},"arn":"arn:aws:s3:::` + bucket + `"},"object":{"key":"` + url.QueryEscape(key) + `","size":1000,"eTag":"` + etag + `","sequencer":"1"}},"source":{"host":"127.0.0.1","port":"","userAgent":"test"}}]}`
}

// serveSetup is a MinIO with a webhook to a serve address, buckets mezz
// (notified) and out, a token file and a small clip.
type serveSetup struct {
	srv       *s3test.Server
	addr      string
	tokenFile string
	clip      string
}

func newServeSetup(t *testing.T) *serveSetup {
	t.Helper()
	temporalCLI(t)
	modelDir(t)
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	s := &serveSetup{addr: s3test.FreeAddr(t)}
	s.srv = minioWithWebhook(t, s.addr)
	s3Env(t, s.srv)
	s.srv.Bucket("mezz")
	s.srv.Bucket("out")
	notifyCreated(t, s.srv, "mezz")
	s.tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(s.tokenFile, []byte(serveToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.clip = filepath.Join(t.TempDir(), "clip.y4m")
	writeY4M(t, s.clip, 216, 128, 25, 0) // 216 wide: the smallest CAMBI scores
	return s
}

// serveArgs are the flags of a test's rung serve (local Temporal in dir).
func (s *serveSetup) serveArgs(dataDir string, extra ...string) []string {
	return append([]string{"--output", "s3://out/ladders", "--token-file", s.tokenFile, "--data-dir", dataDir,
		"--ladder-args", "--rungs 3 --fixed none"}, extra...)
}

// TestServeEndToEnd is `rung serve` on one machine with a real MinIO
// (webhook target with a token and a queue dir) and the local Temporal
// dev server serve starts: an uploaded clip gets its ladder under the
// output prefix and ffprobe reads its master.m3u8; a bad upload gets
// error.json and no master.m3u8; refused events are counted and start
// nothing; SIGTERM ends serve cleanly.
func TestServeEndToEnd(t *testing.T) {
	s := newServeSetup(t)
	p := startServe(t, s.addr, s.serveArgs(t.TempDir())...)
	c := s.srv.Client()

	s.srv.PutFile("mezz", "titles/My Clip.y4m", s.clip)
	waitObject(t, c, "out", "ladders/titles/My Clip/master.m3u8", "ladders/titles/My Clip/error.json", 3*time.Minute)
	dir := t.TempDir()
	for _, key := range listKeys(t, c, "out", "ladders/titles/My Clip/") {
		local := filepath.Join(dir, strings.TrimPrefix(key, "ladders/titles/My Clip/"))
		os.MkdirAll(filepath.Dir(local), 0o755)
		download(t, c, "out", key, local)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
		filepath.Join(dir, "master.m3u8")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "h264,") {
		t.Fatalf("ffprobe master.m3u8: %v\n%s", err, out)
	}
	t.Logf("ffprobe of the uploaded ladder's master.m3u8 (codec,width,height): %s", strings.Join(strings.Fields(string(out)), " "))
	for _, f := range []string{"ladder.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("ladder output: %v", err)
		}
	}

	// The same event again, after its job ended: Temporal's reject-duplicate
	// policy still refuses the ID, and serve counts a duplicate.
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("mezz"), Key: aws.String("titles/My Clip.y4m")})
	if err != nil {
		t.Fatal(err)
	}
	redelivery := minioEventBody("s3:ObjectCreated:Put", "mezz", "titles/My Clip.y4m", strings.Trim(aws.ToString(head.ETag), `"`))
	if code := postEvent(t, p.URL, "Bearer "+serveToken, strings.NewReader(redelivery)); code != http.StatusOK {
		t.Errorf("redelivery after the job ended: status %d", code)
	}

	// A clip rung refuses: error.json with its one-line reason, no
	// master.m3u8.
	short := filepath.Join(t.TempDir(), "short.y4m")
	writeY4M(t, short, 216, 128, 5, 0)
	s.srv.PutFile("mezz", "bad/short.y4m", short)
	waitObject(t, c, "out", "ladders/bad/short/error.json", "", 2*time.Minute)
	errDoc := filepath.Join(t.TempDir(), "error.json")
	download(t, c, "out", "ladders/bad/short/error.json", errDoc)
	if b := readFile(t, errDoc); !strings.Contains(b, "shorter than one chunk") || strings.Contains(b, "retryable") {
		t.Errorf("error.json does not give the reason:\n%s", b)
	}
	if keys := listKeys(t, c, "out", "ladders/bad/short/"); len(keys) != 1 {
		t.Errorf("a failed job left %v, want only error.json", keys)
	}

	// Refused or ignored events, counted, none starting a workflow.
	good := minioEventBody("s3:ObjectCreated:Put", "mezz", "other.y4m", "0123")
	for _, tt := range []struct {
		name, auth, body string
		code             int
	}{
		{"no token", "", good, http.StatusUnauthorized},
		{"wrong token", "Bearer wrong-" + serveToken, good, http.StatusUnauthorized},
		{"malformed JSON", "Bearer " + serveToken, good[:len(good)/2], http.StatusBadRequest},
		{"oversized body", "Bearer " + serveToken, good + strings.Repeat(" ", 1<<20), http.StatusRequestEntityTooLarge},
		{"key with ../", "Bearer " + serveToken, minioEventBody("s3:ObjectCreated:Put", "mezz", "a/../../etc/x.y4m", "0123"), http.StatusBadRequest},
		{"non-ObjectCreated", "Bearer " + serveToken, minioEventBody("s3:ObjectRemoved:Delete", "mezz", "titles/My Clip.y4m", ""), http.StatusOK},
		{"under the output prefix", "Bearer " + serveToken, minioEventBody("s3:ObjectCreated:Put", "out", "ladders/titles/My Clip/hls/rung0_216x128.mp4", "0123"), http.StatusOK},
	} {
		if code := postEvent(t, p.URL, tt.auth, strings.NewReader(tt.body)); code != tt.code {
			t.Errorf("%s: status %d, want %d", tt.name, code, tt.code)
		}
	}
	want := map[string]float64{"started": 2, "duplicate": 1, "ignored": 2, "unauthorized": 2, "invalid": 3, "failed": 0}
	for r, n := range want {
		if got := p.metric(t, `rung_events_received_total{result="`+r+`"}`); got != n {
			t.Errorf("rung_events_received_total{result=%q} = %v, want %v", r, got, n)
		}
	}
	if got := p.metric(t, "rung_jobs_started_total"); got != 2 {
		t.Errorf("rung_jobs_started_total = %v, want 2", got)
	}
	runs, _ := jobWorkflows(t, p.temporalAddr(t))
	list, errOut, code := runRung(t, "jobs", "list", "--temporal", p.temporalAddr(t), "--json")
	if code != 0 || strings.Count(list, `"type":"`+serve.JobWorkflowName+`"`) != 2 {
		t.Errorf("rung jobs list (exit %d) does not list the 2 jobs:\n%s%s", code, list, errOut)
	}
	if len(runs) != 2 {
		t.Errorf("Temporal has %d job workflows, want 2 (the clip and the short one): %v", len(runs), runs)
	}
	deadline := time.Now().Add(30 * time.Second)
	for p.metric(t, `rung_job_duration_seconds_count{outcome="succeeded"}`) != 1 || p.metric(t, `rung_job_duration_seconds_count{outcome="failed"}`) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("rung_job_duration_seconds does not count one succeeded and one failed job")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := p.metric(t, "rung_jobs_in_flight"); got != 0 {
		t.Errorf("rung_jobs_in_flight = %v after both jobs ended", got)
	}
	log := readFile(t, p.Log)
	if strings.Contains(log, serveToken) {
		t.Error("serve's log holds the token")
	}
	for id := range runs {
		if !strings.Contains(log, `"job":"`+id+`"`) {
			t.Errorf("serve's log has no line with job %s", id)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("rung serve exited %d after SIGTERM:\n%s", code, readFile(t, p.Log))
	}
}

// TestServeBurst sends 100 events at once for 50 small objects (each event
// twice), while MinIO delivers its own 50 (redeliveries): 50 workflows,
// 50 ladders, none lost or run twice, and serve's peak memory under a
// bound.
func TestServeBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	s := newServeSetup(t)
	p := startServe(t, s.addr, s.serveArgs(t.TempDir(), "--concurrency", "2")...)
	c := s.srv.Client()
	const n = 50
	etags := make([]string, n)
	for i := range n {
		etags[i] = strings.Trim(s.srv.Put("mezz", fmt.Sprintf("burst/%02d.y4m", i), clipBytes(t, s.clip, i)), `"`)
	}
	var wg sync.WaitGroup
	codes := make(chan int, 2*n)
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := minioEventBody("s3:ObjectCreated:Put", "mezz", fmt.Sprintf("burst/%02d.y4m", i%n), etags[i%n])
			codes <- postEvent(t, p.URL, "Bearer "+serveToken, strings.NewReader(body))
		}()
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("an event was answered %d", code)
		}
	}
	deadline := time.Now().Add(8 * time.Minute)
	for {
		done := len(matching(listKeys(t, c, "out", "ladders/burst/"), "ladder.json"))
		events := p.metric(t, `rung_events_received_total{result="started"}`) + p.metric(t, `rung_events_received_total{result="duplicate"}`)
		if done == n && events == 3*n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 8 minutes: %d of %d ladders, %v of %d events", done, n, events, 3*n)
		}
		time.Sleep(time.Second)
	}
	if got := p.metric(t, "rung_jobs_started_total"); got != n {
		t.Errorf("rung_jobs_started_total = %v, want %d", got, n)
	}
	if got := p.metric(t, `rung_events_received_total{result="duplicate"}`); got != 2*n {
		t.Errorf("%v duplicates, want %d", got, 2*n)
	}
	runs, _ := jobWorkflows(t, p.temporalAddr(t))
	if len(runs) != n {
		t.Errorf("%d job workflows, want %d", len(runs), n)
	}
	for id, r := range runs {
		if r != 1 {
			t.Errorf("workflow %s ran %d times", id, r)
		}
	}
	if errs := matching(listKeys(t, c, "out", "ladders/burst/"), "error.json"); len(errs) != 0 {
		t.Errorf("failed jobs: %v", errs)
	}
	const boundMiB = 160
	rss := p.rss(t)
	t.Logf("%d jobs from %d events; rung serve peak RSS %.1f MiB (bound %d MiB; ladders run as child processes, Temporal as another)", n, 3*n, rss, boundMiB)
	if rss > boundMiB {
		t.Errorf("rung serve peak RSS %.1f MiB, above %d MiB", rss, boundMiB)
	}
}

// clipBytes returns the clip with its i-th frame's first byte changed, so
// that every object has its own content and ETag.
func clipBytes(t *testing.T, clip string, i int) []byte {
	t.Helper()
	b, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	hdr := bytes.Index(b, []byte("FRAME\n"))
	b[hdr+6+i] ^= 0x10
	return b
}

// matching returns the keys whose last element is name.
func matching(keys []string, name string) []string {
	var out []string
	for _, k := range keys {
		if path.Base(k) == name {
			out = append(out, k)
		}
	}
	return out
}

// TestServeKill kills serve (and with it its local Temporal and the
// ladder) with SIGKILL in the middle of a job and starts it again on the
// same data directory: the job completes, once.
func TestServeKill(t *testing.T) {
	s := newServeSetup(t)
	data := t.TempDir()
	args := s.serveArgs(data, "--heartbeat-timeout", "3s")
	// A longer clip, so that the kill lands inside the ladder.
	long := filepath.Join(t.TempDir(), "long.y4m")
	writeY4M(t, long, 216, 128, 100, 0)
	p := startServe(t, s.addr, args...)
	s.srv.PutFile("mezz", "kill/long.y4m", long)
	deadline := time.Now().Add(time.Minute)
	for !ladderRunning(t, p.cmd.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatalf("no ladder started within a minute:\n%s", readFile(t, p.Log))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	children := childPIDs(p.cmd.Process.Pid)
	p.kill()
	time.Sleep(500 * time.Millisecond)
	for _, pid := range children {
		if syscall.Kill(pid, 0) == nil {
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(st), ") Z ") {
				t.Errorf("process %d of the killed serve still runs", pid)
			}
		}
	}
	c := s.srv.Client()
	if objectExists(t, c, "out", "ladders/kill/long/master.m3u8") {
		t.Fatal("the ladder finished before the kill: make the clip longer")
	}
	p2 := startServe(t, s.addr, args...)
	waitObject(t, c, "out", "ladders/kill/long/master.m3u8", "ladders/kill/long/error.json", 4*time.Minute)
	addr := p2.temporalAddr(t)
	runs, closed := jobWorkflows(t, addr)
	for deadline := time.Now().Add(time.Minute); closed != 1 && time.Now().Before(deadline); {
		// master.m3u8 is uploaded before the workflow closes.
		time.Sleep(250 * time.Millisecond)
		runs, closed = jobWorkflows(t, addr)
	}
	if len(runs) != 1 || closed != 1 {
		t.Errorf("workflows %v (%d closed), want one, closed", runs, closed)
	}
	for id, r := range runs {
		if r != 1 {
			t.Errorf("workflow %s ran %d times", id, r)
		}
		if a := ladderAttempt(t, addr, id); a != 2 {
			t.Errorf("the ladder of %s completed at attempt %d, want 2: the one the kill cut, then one more", id, a)
		} else {
			t.Logf("workflow %s: one run, its ladder completed at attempt %d", id, a)
		}
	}
	if got := p2.metric(t, "rung_jobs_started_total"); got != 0 {
		t.Errorf("the restarted serve started %v jobs, want 0", got)
	}
	if keys := matching(listKeys(t, c, "out", "ladders/kill/"), "ladder.json"); len(keys) != 1 {
		t.Errorf("ladder.json objects %v, want one", keys)
	}
	p2.stop(t)
}

// ladderAttempt returns the attempt at which the ladder activity of
// workflow id last started.
func ladderAttempt(t *testing.T, addr, id string) int32 {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(quietLogger())})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var attempt int32
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			attempt = a.GetAttempt()
		}
	}
	return attempt
}

// childPIDs lists the children of pid.
func childPIDs(pid int) []int {
	var pids []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}

// ladderRunning reports whether pid has a `rung ladder` child.
func ladderRunning(t *testing.T, pid int) bool {
	for _, c := range childPIDs(pid) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c))
		if err == nil && bytes.Contains(b, []byte("ladder\x00")) {
			return true
		}
	}
	return false
}

// quietLogger drops the Temporal client's logs.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestServeCluster is the cluster set-up: `rung serve --temporal` only
// starts workflows, and a `rung worker` on the same task queue runs them.
func TestServeCluster(t *testing.T) {
	s := newServeSetup(t)
	bin, _ := serve.TemporalBinary()
	lt, err := serve.StartLocalTemporal(context.Background(), bin, t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lt.Close() })
	wlog, err := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	if err != nil {
		t.Fatal(err)
	}
	w := exec.Command(rungBin, "worker", "--temporal", lt.Addr, "--concurrency", "1", "--cache-dir", t.TempDir())
	w.Stdout, w.Stderr = wlog, wlog
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Process.Kill(); w.Wait(); wlog.Close() })
	p := startServe(t, s.addr, "--temporal", lt.Addr, "--output", "s3://out/ladders", "--token-file", s.tokenFile,
		"--ladder-args", "--rungs 3 --fixed none")
	s.srv.PutFile("mezz", "cluster/clip.y4m", s.clip)
	waitObject(t, s.srv.Client(), "out", "ladders/cluster/clip/master.m3u8", "ladders/cluster/clip/error.json", 3*time.Minute)
	if log := readFile(t, p.Log); strings.Contains(log, "Started Worker") || strings.Contains(log, "local Temporal") {
		t.Errorf("rung serve --temporal ran a worker or a Temporal of its own:\n%s", log)
	}
	runs, _ := jobWorkflows(t, lt.Addr)
	if len(runs) != 1 {
		t.Errorf("job workflows %v, want one", runs)
	}
	p.stop(t)
}
