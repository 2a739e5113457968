package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// rungCmd returns a command running the CLI built by TestMain.
func rungCmd(args ...string) *exec.Cmd { return exec.Command(rungBin, args...) }

// sharedDir is the shared data directory: $RUNG_SHARED, else ../shared
// beside the module.
func sharedDir() string {
	if dir := os.Getenv("RUNG_SHARED"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
}

// shared returns the shared data directory or skips the test when its
// clips are absent.
func shared(t testing.TB) string {
	t.Helper()
	dir := sharedDir()
	if _, err := os.Stat(filepath.Join(dir, "clips")); err != nil {
		t.Skipf("shared clips not found at %s (set RUNG_SHARED): %v", dir, err)
	}
	return dir
}

// event is the part of encode's JSON progress events the tests read.
type event struct {
	Kind  string `json:"event"`
	Chunk int    `json:"chunk"`
}

// countEvents counts the JSON progress events of each kind in out.
func countEvents(t *testing.T, out []byte) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("progress line %q: %v", line, err)
		}
		n[e.Kind]++
	}
	return n
}

// TestEncodeKillResume kills `rung encode` with SIGKILL after two chunks
// are done, checks that no output appeared, reruns it and checks that the
// rerun encodes exactly the missing chunks and that the result is byte for
// byte the output of an uninterrupted run.
func TestEncodeKillResume(t *testing.T) {
	src := filepath.Join(shared(t), "clips", "bottles_640x360.mkv")
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	args := []string{"encode", src, "-o", out, "--codec", "x264", "--crf", "30", "--preset", "medium",
		"--chunk-seconds", "0.5", "--min-chunk", "0.25", "--workers", "1", "--json"}
	const chunks = 6 // 90 frames at 29.83 fps in chunks of 15

	cmd := rungCmd(args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Kind == "chunk_done" {
			if done++; done == 2 {
				cmd.Process.Kill()
				break
			}
		}
	}
	cmd.Wait()
	if done < 2 {
		t.Fatalf("the first run ended after %d chunks without being killed", done)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("output exists after the kill: %v", err)
	}

	rerun, err := rungCmd(args...).Output()
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	n := countEvents(t, rerun)
	t.Logf("rerun: %d chunks encoded, %d from the work dir", n["chunk_start"], n["chunk_cached"])
	if n["chunk_cached"] < 2 || n["chunk_cached"] >= chunks {
		t.Errorf("rerun found %d finished chunks, want 2..%d", n["chunk_cached"], chunks-1)
	}
	if n["chunk_start"] != chunks-n["chunk_cached"] || n["chunk_done"] != n["chunk_start"] {
		t.Errorf("rerun encoded %d chunks (%d done), want the %d missing", n["chunk_start"], n["chunk_done"], chunks-n["chunk_cached"])
	}

	clean := filepath.Join(t.TempDir(), "out.mp4")
	cleanArgs := append([]string(nil), args...)
	cleanArgs[3] = clean
	if b, err := rungCmd(cleanArgs...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v: %s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("resumed output (%d bytes) differs from an uninterrupted run's (%d bytes)", len(got), len(want))
	}
}

// TestEncodeBadInput checks that bad inputs and arguments fail with one
// line on stderr, a non-zero exit code, and no output or work dir left.
func TestEncodeBadInput(t *testing.T) {
	clips := filepath.Join(shared(t), "clips")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole, err := os.ReadFile(filepath.Join(clips, "bottles_640x360.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := write("truncated.mkv", whole[:len(whole)*2/5])
	text := write("notes.mkv", []byte("this is not a video\n"))
	audioOnly := filepath.Join(dir, "audio.m4a")
	if b, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine", "-t", "1", audioOnly).CombinedOutput(); err != nil {
		t.Skipf("ffmpeg cannot make an audio-only file: %v: %s", err, b)
	}
	notDir := write("file.txt", []byte("x"))
	good := filepath.Join(clips, "bottles_640x360.mkv")

	tests := []struct {
		name, input, output string
		extra               []string
		code                int
		want                string // in the error line
	}{
		{"truncated", truncated, "t.mp4", nil, 1, "truncated"},
		{"text file", text, "x.mp4", nil, 1, "not a media file"},
		{"unknown codec", good, "c.mp4", []string{"--codec", "h266"}, 2, "unknown codec"},
		{"unwritable output dir", good, filepath.Join(notDir, "o.mp4"), nil, 1, "not writable"},
		{"no video stream", audioOnly, "a.mp4", nil, 1, "no video stream"},
		{"missing input", filepath.Join(dir, "nope.mkv"), "m.mp4", nil, 1, "no such file"},
		{"unknown container", good, "out.avi", nil, 2, "unknown output container"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.output
			if !filepath.IsAbs(out) {
				out = filepath.Join(dir, out)
			}
			cmd := rungCmd(append([]string{"encode", tt.input, "-o", out, "--crf", "30", "--preset", "ultrafast"}, tt.extra...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			msg := strings.TrimSuffix(stderr.String(), "\n")
			if code != tt.code || strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line containing %q", code, msg, tt.code, tt.want)
			}
			for _, p := range []string{out, out + ".rung"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s left behind", p)
				}
			}
		})
	}
}
