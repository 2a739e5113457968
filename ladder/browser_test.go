package ladder_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"rung/ladder"
)

// Browser tests: a headless Chromium (Debian's chromium) plays the ladder's
// master.m3u8 with hls.js and opens report.html, both served on 127.0.0.1.
// `make browser-deps` installs chromium and hls.js; RUNG_CHROMIUM and
// RUNG_HLSJS point elsewhere.

func browserDeps(t *testing.T) (chromium, hlsjs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium = os.Getenv("RUNG_CHROMIUM")
	if chromium == "" {
		for _, c := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(c); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		t.Skip("chromium not installed (make browser-deps)")
	}
	hlsjs = os.Getenv("RUNG_HLSJS")
	if hlsjs == "" {
		hlsjs = filepath.Join("..", "bin", "web", "node_modules", "hls.js", "dist", "hls.min.js")
	}
	if _, err := os.Stat(hlsjs); err != nil {
		t.Skipf("hls.js not installed at %s (make browser-deps)", hlsjs)
	}
	return chromium, hlsjs
}

// artifactDir is where screenshots are kept: $RUNG_ARTIFACTS or
// ../bin/test-artifacts/ladder.
func artifactDir(t *testing.T) string {
	d := os.Getenv("RUNG_ARTIFACTS")
	if d == "" {
		d = filepath.Join("..", "bin", "test-artifacts")
	}
	d = filepath.Join(d, "ladder")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// serve serves the output directory under /out/, the harness pages, hls.js,
// and hands the body POSTed to /result to the returned channel.
func serve(t *testing.T, out, hlsjs string) (*httptest.Server, <-chan []byte) {
	results := make(chan []byte, 1)
	mux := http.NewServeMux()
	mux.Handle("/out/", http.StripPrefix("/out/", http.FileServer(http.Dir(out))))
	mux.HandleFunc("/hls.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, hlsjs) })
	mux.HandleFunc("/player.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "browser", "player.html"))
	})
	mux.HandleFunc("/reportcheck.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("testdata", "browser", "report.html"))
	})
	mux.HandleFunc("/result", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case results <- b:
		default:
		}
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv, results
}

// chromiumArgs are the flags of every headless run.
func chromiumArgs(profile string) []string {
	return []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
		"--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + profile}
}

// startChromium starts chromium in its own process group and returns the
// function that ends that group.
func startChromium(t *testing.T, bin string, args ...string) func() {
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, _ := os.Create(filepath.Join(t.TempDir(), "chromium.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		log.Close()
	}
}

func waitResult(t *testing.T, results <-chan []byte, d time.Duration) []byte {
	select {
	case b := <-results:
		return b
	case <-time.After(d):
		t.Fatalf("no result from the browser within %v", d)
	}
	return nil
}

// TestBrowserPlaysHLS plays master.m3u8 with hls.js in Chromium to the end,
// once with adaptive switching and once with every variant forced, and
// fails on any player error (issue 7, "What it must show" 3).
func TestBrowserPlaysHLS(t *testing.T) {
	chromium, hlsjs := browserDeps(t)
	needFFmpeg(t)
	out, r := testLadder(t)
	checkPlayback(t, chromium, hlsjs, out, r.Rungs)
}

// checkPlayback plays out/master.m3u8 with hls.js in Chromium to the end,
// adaptively and with each variant forced, and checks every run.
func checkPlayback(t *testing.T, chromium, hlsjs, out string, rungs []ladder.Rung) {
	srv, results := serve(t, out, hlsjs)
	stop := startChromium(t, chromium, append(chromiumArgs(t.TempDir()), srv.URL+"/player.html")...)
	defer stop()
	var res struct {
		OK          bool
		Unsupported []string
		Errors      []map[string]any
		Levels      []map[string]any
		Runs        []struct {
			Level         int
			Ended         bool
			Why           string
			CurrentTime   float64
			Duration      float64
			Frames        int
			Width, Height int
			Switched      []int
		}
	}
	b := waitResult(t, results, 4*time.Minute)
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if len(res.Unsupported) > 0 {
		t.Skipf("this Chromium's MediaSource refuses %v", res.Unsupported)
	}
	t.Logf("player: %s", b)
	// Every error fails a forced run; the adaptive run fails only on fatal
	// ones (hls.js reports a harmless bufferAppendNoProgress when a switch
	// re-appends a range it already buffered).
	for _, e := range res.Errors {
		if lvl, _ := e["level"].(float64); lvl >= 0 || e["fatal"] == true {
			t.Errorf("player error: %v", e)
		} else {
			t.Logf("adaptive run, non-fatal: %v", e)
		}
	}
	if len(res.Levels) != len(rungs) || len(res.Runs) != len(rungs)+1 {
		t.Fatalf("%d levels, %d runs for %d rungs", len(res.Levels), len(res.Runs), len(rungs))
	}
	for _, run := range res.Runs {
		if !run.Ended || run.CurrentTime < run.Duration-0.1 {
			t.Errorf("level %d: stopped at %.2f of %.2f s (%s)", run.Level, run.CurrentTime, run.Duration, run.Why)
		}
		if run.Level >= 0 {
			g := rungs[run.Level]
			if run.Width != g.Width || run.Height != g.Height {
				t.Errorf("forced level %d played %dx%d, want %dx%d", run.Level, run.Width, run.Height, g.Width, g.Height)
			}
			for _, s := range run.Switched {
				if s != run.Level {
					t.Errorf("forced level %d switched to %d", run.Level, s)
				}
			}
		}
	}
}

// TestBrowserReport opens report.html in Chromium, checks that every plot
// image decodes and that no warning box overlaps text, and keeps a
// screenshot under bin/test-artifacts/ladder.
func TestBrowserReport(t *testing.T) {
	chromium, hlsjs := browserDeps(t)
	needFFmpeg(t)
	out, r := testLadder(t)
	res := checkReport(t, chromium, hlsjs, out, "report.png")
	if len(res.Images) != len(r.Plots)/2 || len(res.Images) == 0 {
		t.Errorf("%d images in report.html, want %d", len(res.Images), len(r.Plots)/2)
	}
}

// reportCheck is what testdata/browser/report.html posts.
type reportCheck struct {
	Title  string
	Images []struct {
		Alt           string
		OK            bool
		Width, Height int
	}
	Warnings int
	Overlaps []struct{ Warning, Other string }
}

// checkReport opens out/report.html in Chromium: every image must decode
// and no warning box may overlap another block of text. It keeps a
// screenshot named shot under bin/test-artifacts/ladder.
func checkReport(t *testing.T, chromium, hlsjs, out, shotName string) reportCheck {
	srv, results := serve(t, out, hlsjs)
	stop := startChromium(t, chromium, append(chromiumArgs(t.TempDir()), srv.URL+"/reportcheck.html")...)
	b := waitResult(t, results, 2*time.Minute)
	stop()
	var res reportCheck
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, img := range res.Images {
		if !img.OK || img.Width < 100 {
			t.Errorf("image %q did not load (%dx%d)", img.Alt, img.Width, img.Height)
		}
	}
	for _, o := range res.Overlaps {
		t.Errorf("warning box %q overlaps %q", o.Warning, o.Other)
	}
	shot := filepath.Join(artifactDir(t), shotName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromiumArgs(t.TempDir()), "--window-size=1280,2400", "--screenshot="+shot, srv.URL+"/out/report.html")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s (%d images, %d warnings)", shot, len(res.Images), res.Warnings)
	return res
}
