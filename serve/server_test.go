package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"rung/serve/event"
)

const testToken = "s3cr3t-token"

// fakeRunner remembers the jobs it started; Start fails while failures
// is above zero. Its jobs end when done is closed.
type fakeRunner struct {
	mu       sync.Mutex
	started  map[string]Job
	starts   int
	failures int
	done     chan struct{}
}

func newFakeRunner() *fakeRunner {
	return &fakeRunner{started: make(map[string]Job), done: make(chan struct{})}
}

func (f *fakeRunner) Start(ctx context.Context, job Job) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("temporal: connection refused")
	}
	if _, ok := f.started[job.ID]; ok {
		return ErrAlreadyStarted
	}
	f.started[job.ID] = job
	f.starts++
	return nil
}

func (f *fakeRunner) Wait(ctx context.Context, id string) (Result, error) {
	select {
	case <-f.done:
		return Result{Outcome: "succeeded", Duration: 3 * time.Second}, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func (f *fakeRunner) Running(ctx context.Context) ([]string, error) { return nil, nil }

func (f *fakeRunner) jobs() map[string]Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := make(map[string]Job, len(f.started))
	for k, v := range f.started {
		m[k] = v
	}
	return m
}

// testServer starts a Server with a fake runner and output
// s3://out/ladders; logs go to the returned buffer.
func testServer(t *testing.T, match string) (*Server, *fakeRunner, *httptest.Server, *syncBuffer) {
	t.Helper()
	f := newFakeRunner()
	logs := &syncBuffer{}
	s, err := New(Config{
		Output: Location{Bucket: "out", Prefix: "ladders"},
		Token:  testToken,
		Match:  match,
		Runner: f,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		close(f.done)
		s.Close()
	})
	return s, f, hs, logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func post(t *testing.T, url, auth string, body io.Reader) (int, reply) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/events", body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep reply
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatalf("reply to POST /events (%d) is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, rep
}

// minioEvent is the body MinIO's webhook target sends for a PUT of key
// (url.QueryEscape'd, as MinIO does) into bucket.
func minioEvent(name, bucket, escapedKey, etag string) string {
	return `{"EventName":"` + name + `","Key":"` + bucket + `/k","Records":[{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"","eventTime":"2026-12-04T17:01:02.345Z","eventName":"` + name +
		`","userIdentity":{"principalId":"rungtest"},"requestParameters":{"principalId":"rungtest","region":"","sourceIPAddress":"127.0.0.1"},"responseElements":{},"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"` + bucket +
		`","ownerIdentity":{"principalId":"rungtest"},"arn":"arn:aws:s3:::` + bucket + `"},"object":{"key":"` + escapedKey + `","size":1000,"eTag":"` + etag + `","sequencer":"1"}},"source":{"host":"127.0.0.1","port":"","userAgent":"test"}}]}`
}

func counts(s *Server) map[string]float64 {
	m := map[string]float64{}
	for _, r := range []string{resultStarted, resultDuplicate, resultIgnored, resultUnauthorized, resultInvalid, resultFailed} {
		m[r] = testutil.ToFloat64(s.m.events.WithLabelValues(r))
	}
	return m
}

func TestEventsStartOnce(t *testing.T) {
	s, f, hs, logs := testServer(t, "")
	body := minioEvent("s3:ObjectCreated:Put", "mezz", "titles%2FMy+Film.mkv", "etag1")
	code, rep := post(t, hs.URL, "Bearer "+testToken, strings.NewReader(body))
	if code != http.StatusOK || len(rep.Jobs) != 1 || rep.Jobs[0].Result != resultStarted {
		t.Fatalf("first delivery: %d %+v", code, rep)
	}
	j := rep.Jobs[0]
	if j.Source != "s3://mezz/titles/My Film.mkv" || j.Output != "s3://out/ladders/titles/My Film" {
		t.Errorf("job %+v: want source s3://mezz/titles/My Film.mkv, output s3://out/ladders/titles/My Film", j)
	}
	// A redelivery starts nothing; a new upload of the key (new ETag) does.
	code, rep = post(t, hs.URL, "Bearer "+testToken, strings.NewReader(body))
	if code != http.StatusOK || rep.Jobs[0].Result != resultDuplicate || rep.Jobs[0].ID != j.ID {
		t.Fatalf("redelivery: %d %+v", code, rep)
	}
	code, rep = post(t, hs.URL, "bearer "+testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "mezz", "titles%2FMy+Film.mkv", "etag2")))
	if code != http.StatusOK || rep.Jobs[0].Result != resultStarted || rep.Jobs[0].ID == j.ID {
		t.Fatalf("new upload of the key: %d %+v", code, rep)
	}
	if got := len(f.jobs()); got != 2 {
		t.Errorf("%d jobs started, want 2", got)
	}
	want := map[string]float64{resultStarted: 2, resultDuplicate: 1}
	for r, n := range counts(s) {
		if n != want[r] {
			t.Errorf("rung_events_received_total{result=%q} = %v, want %v", r, n, want[r])
		}
	}
	if n := testutil.ToFloat64(s.m.jobsStarted); n != 2 {
		t.Errorf("rung_jobs_started_total = %v, want 2", n)
	}
	if n := testutil.ToFloat64(s.m.inFlight); n != 2 {
		t.Errorf("rung_jobs_in_flight = %v, want 2", n)
	}
	if !strings.Contains(logs.String(), `"job":"`+j.ID+`"`) {
		t.Errorf("logs do not carry the job ID %s:\n%s", j.ID, logs)
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("logs hold the token:\n%s", logs)
	}
}

func TestEventsRefused(t *testing.T) {
	big := strings.Repeat(" ", event.MaxBody) + minioEvent("s3:ObjectCreated:Put", "mezz", "a.mkv", "e")
	good := minioEvent("s3:ObjectCreated:Put", "mezz", "a.mkv", "e")
	tests := []struct {
		name   string
		auth   string
		body   io.Reader
		code   int
		result string
	}{
		{"no token", "", strings.NewReader(good), http.StatusUnauthorized, resultUnauthorized},
		{"wrong token", "Bearer nope", strings.NewReader(good), http.StatusUnauthorized, resultUnauthorized},
		{"token as basic", "Basic " + testToken, strings.NewReader(good), http.StatusUnauthorized, resultUnauthorized},
		{"token prefix", "Bearer " + testToken[:4], strings.NewReader(good), http.StatusUnauthorized, resultUnauthorized},
		{"malformed JSON", "Bearer " + testToken, strings.NewReader(`{"Records":[{`), http.StatusBadRequest, resultInvalid},
		{"oversized, with length", "Bearer " + testToken, strings.NewReader(big), http.StatusRequestEntityTooLarge, resultInvalid},
		{"oversized, chunked", "Bearer " + testToken, io.MultiReader(strings.NewReader(big)), http.StatusRequestEntityTooLarge, resultInvalid},
		{"key with ../", "Bearer " + testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "mezz", "a%2F..%2F..%2Fb.mkv", "e")), http.StatusBadRequest, resultInvalid},
		{"absolute key", "Bearer " + testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "mezz", "%2Fb.mkv", "e")), http.StatusBadRequest, resultInvalid},
		{"non-ObjectCreated", "Bearer " + testToken, strings.NewReader(minioEvent("s3:ObjectRemoved:Delete", "mezz", "a.mkv", "")), http.StatusOK, resultIgnored},
		{"accessed", "Bearer " + testToken, strings.NewReader(minioEvent("s3:ObjectAccessed:Get", "mezz", "a.mkv", "e")), http.StatusOK, resultIgnored},
		{"under the output prefix", "Bearer " + testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "out", "ladders%2Fa%2Fhls%2Fmaster.m3u8", "e")), http.StatusOK, resultIgnored},
		{"AWS test event", "Bearer " + testToken, strings.NewReader(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-04T17:00:00.000Z","Bucket":"mezz"}`), http.StatusOK, resultIgnored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f, hs, logs := testServer(t, "")
			code, rep := post(t, hs.URL, tt.auth, tt.body)
			if code != tt.code {
				t.Errorf("status %d, want %d (%+v)", code, tt.code, rep)
			}
			for r, n := range counts(s) {
				want := 0.0
				if r == tt.result {
					want = 1
				}
				if n != want {
					t.Errorf("rung_events_received_total{result=%q} = %v, want %v", r, n, want)
				}
			}
			if n := len(f.jobs()); n != 0 {
				t.Errorf("%d jobs started, want none", n)
			}
			if strings.Contains(logs.String(), testToken) {
				t.Errorf("logs hold the token:\n%s", logs)
			}
		})
	}
}

func TestEventsFailedStartIsRedelivered(t *testing.T) {
	s, f, hs, _ := testServer(t, "")
	f.failures = 1
	body := minioEvent("s3:ObjectCreated:Put", "mezz", "a.mkv", "e")
	code, rep := post(t, hs.URL, "Bearer "+testToken, strings.NewReader(body))
	if code != http.StatusServiceUnavailable || rep.Jobs[0].Result != resultFailed {
		t.Fatalf("failed start answered %d %+v, want 503", code, rep)
	}
	code, rep = post(t, hs.URL, "Bearer "+testToken, strings.NewReader(body))
	if code != http.StatusOK || rep.Jobs[0].Result != resultStarted {
		t.Fatalf("redelivery after a failed start answered %d %+v, want 200 started", code, rep)
	}
	if c := counts(s); c[resultFailed] != 1 || c[resultStarted] != 1 {
		t.Errorf("counts %v", c)
	}
}

func TestEventsMatch(t *testing.T) {
	s, f, hs, _ := testServer(t, "*.mkv")
	for _, key := range []string{"a%2Fb.mkv", "c.mp4", "d.mkv"} {
		post(t, hs.URL, "Bearer "+testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "mezz", key, "e")))
	}
	if n := len(f.jobs()); n != 2 {
		t.Errorf("%d jobs started, want 2 (a/b.mkv, d.mkv)", n)
	}
	if c := counts(s); c[resultIgnored] != 1 {
		t.Errorf("counts %v, want one ignored", c)
	}
}

func TestEventsSenders(t *testing.T) {
	// The senders' payloads the event package tests against, through the
	// HTTP side.
	tests := []struct {
		file   string
		result string
		source string
	}{
		{"minio-put.json", resultStarted, "s3://mezz/titles/Big Buck+Bunny (2008).mkv"},
		{"aws-put.json", resultStarted, "s3://studio-mezz/incoming/My Film (final) v2+.mxf"},
		{"eventbridge-created.json", resultStarted, "s3://studio-mezz/incoming/trailer 2.mp4"},
		{"eventbridge-deleted.json", resultIgnored, ""},
		{"aws-test.json", resultIgnored, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, f, hs, _ := testServer(t, "")
			body, err := os.ReadFile(filepath.Join("event", "testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			code, rep := post(t, hs.URL, "Bearer "+testToken, bytes.NewReader(body))
			if code != http.StatusOK {
				t.Fatalf("status %d %+v", code, rep)
			}
			if c := counts(s); c[tt.result] != 1 {
				t.Errorf("counts %v, want one %s", c, tt.result)
			}
			if tt.source != "" {
				if len(rep.Jobs) != 1 || rep.Jobs[0].Source != tt.source || len(f.jobs()) != 1 {
					t.Errorf("jobs %+v, want one of %s", rep.Jobs, tt.source)
				}
			}
		})
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	s, _, hs, _ := testServer(t, "")
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  "ready",
		"/metrics": "rung_events_received_total{result=\"started\"} 0",
	} {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %q, want 200 with %q", path, resp.StatusCode, b, want)
		}
	}
	s.draining.Store(true)
	resp, err := http.Get(hs.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz while draining: %d, want 503", resp.StatusCode)
	}
}

func TestJobID(t *testing.T) {
	base := event.Object{Bucket: "mezz", Key: "a.mkv", ETag: "e1"}
	tests := []struct {
		name string
		o    event.Object
		same bool
	}{
		{"same object", base, true},
		{"same ETag, other event name", event.Object{Name: "ObjectCreated:Copy", Bucket: "mezz", Key: "a.mkv", ETag: "e1", Size: 9}, true},
		{"new ETag", event.Object{Bucket: "mezz", Key: "a.mkv", ETag: "e2"}, false},
		{"other key", event.Object{Bucket: "mezz", Key: "b.mkv", ETag: "e1"}, false},
		{"other bucket", event.Object{Bucket: "mezz2", Key: "a.mkv", ETag: "e1"}, false},
		{"a version", event.Object{Bucket: "mezz", Key: "a.mkv", ETag: "e1", VersionID: "v1"}, false},
		{"fields shifted", event.Object{Bucket: "mezz", Key: "a.mkve:e1", ETag: ""}, false},
	}
	id := JobID(base)
	if len(id) != len("rung-")+32 || !strings.HasPrefix(id, "rung-") {
		t.Fatalf("JobID = %q", id)
	}
	for _, tt := range tests {
		if got := JobID(tt.o) == id; got != tt.same {
			t.Errorf("%s: same ID = %v, want %v", tt.name, got, tt.same)
		}
	}
	if JobID(event.Object{Bucket: "m", Key: "k", VersionID: "v1", ETag: "x"}) != JobID(event.Object{Bucket: "m", Key: "k", VersionID: "v1", ETag: "y"}) {
		t.Error("with a version, the ETag changes the ID")
	}
}

func TestNewJobOutput(t *testing.T) {
	out := Location{Bucket: "out", Prefix: "ladders"}
	tests := []struct{ key, want string }{
		{"a.mkv", "s3://out/ladders/a"},
		{"dir/sub/title.v2.mov", "s3://out/ladders/dir/sub/title.v2"},
		{"noext", "s3://out/ladders/noext"},
		{".hidden", "s3://out/ladders/.hidden"},
		{"dir/.mkv", "s3://out/ladders/dir/.mkv"},
	}
	for _, tt := range tests {
		if got := NewJob(event.Object{Bucket: "mezz", Key: tt.key, ETag: "e"}, out).Output; got != tt.want {
			t.Errorf("output of %q = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := NewJob(event.Object{Bucket: "mezz", Key: "a.mkv", ETag: "e"}, Location{Bucket: "out"}).Output; got != "s3://out/a" {
		t.Errorf("output at the bucket's root = %q", got)
	}
}

func TestParseLocation(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Location
		ok   bool
	}{
		{"s3://out/ladders/", Location{"out", "ladders"}, true},
		{"s3://out", Location{"out", ""}, true},
		{"s3://out/a/b", Location{"out", "a/b"}, true},
		{"/local/dir", Location{}, false},
		{"s3:///x", Location{}, false},
		{"s3://out/../x", Location{}, false},
	} {
		got, err := ParseLocation(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLocation(%q) = %+v, %v", tt.in, got, err)
		}
	}
	l := Location{"out", "ladders"}
	for _, tt := range []struct {
		bucket, key string
		want        bool
	}{
		{"out", "ladders/a/master.m3u8", true},
		{"out", "ladders2/a.mkv", false},
		{"mezz", "ladders/a.mkv", false},
		{"out", "a.mkv", false},
	} {
		if got := l.Holds(tt.bucket, tt.key); got != tt.want {
			t.Errorf("Holds(%s, %s) = %v", tt.bucket, tt.key, got)
		}
	}
}

func TestServeShutdown(t *testing.T) {
	f := newFakeRunner()
	defer close(f.done)
	s, err := New(Config{Output: Location{Bucket: "out"}, Token: testToken, Runner: f,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	url := "http://" + l.Addr().String()
	code, _ := post(t, url, "Bearer "+testToken, strings.NewReader(minioEvent("s3:ObjectCreated:Put", "mezz", "a.mkv", "e")))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended (a follower kept it?)")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("the server still accepts after shutdown")
	}
}
