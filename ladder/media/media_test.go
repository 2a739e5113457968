package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rung/ladder"
)

// writeY4M writes a small 4:2:0 y4m clip with moving gradients.
func writeY4M(t *testing.T, path string, w, h, frames, fps int) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", w, h, fps)
	for f := 0; f < frames; f++ {
		b.WriteString("FRAME\n")
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				b.WriteByte(byte((x + y + 3*f) & 255))
			}
		}
		for i := 0; i < 2*(w/2)*(h/2); i++ {
			b.WriteByte(byte(128 + (i+f)%16))
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sharedDir is ../../../shared (RUNG_SHARED), where the clips and models
// live.
func sharedDir() string {
	if d := os.Getenv("RUNG_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared")
}

// TestRunRealMediaBadInput: with the real encoder, bad sources are refused
// with one line naming the file, before any encode.
func TestRunRealMediaBadInput(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.y4m")
	writeY4M(t, short, 64, 48, 10, 25)
	ok := filepath.Join(dir, "ok.y4m")
	writeY4M(t, ok, 64, 48, 30, 25)
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("this is not a video\n"), 0o644)
	tests := []struct {
		name, input string
		heights     []int
		want        string
	}{
		{"shorter than one chunk", short, nil, "short.y4m is 0.40 s (10 frames) long, shorter than one chunk"},
		{"resolution above source", ok, []int{720}, "resolution 720 lines is above the source's 64x48"},
		{"not a video", text, nil, "notes.txt"},
		{"missing", filepath.Join(dir, "missing.mkv"), nil, "missing.mkv"},
	}
	for _, tt := range tests {
		m, err := New(Options{CacheDir: filepath.Join(dir, "chunks")})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(tt.name, " ", "-"))
		_, err = ladder.Run(context.Background(), ladder.Options{Input: tt.input, OutDir: out, Heights: tt.heights, Media: m})
		m.Close()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", tt.name, err, tt.want)
		}
		if _, err := os.Stat(filepath.Join(out, "ladder.json")); !os.IsNotExist(err) {
			t.Errorf("%s: ladder.json written", tt.name)
		}
	}
}

// TestMediaModel: models are found through $RUNG_MODEL_DIR and loaded once;
// an unknown name is refused naming it.
func TestMediaModel(t *testing.T) {
	dir := filepath.Join(sharedDir(), "vmaf", "model")
	if _, err := os.Stat(filepath.Join(dir, ladder.DefaultModel+".json")); err != nil {
		t.Skipf("no models in %s: %v", dir, err)
	}
	t.Setenv("RUNG_MODEL_DIR", dir)
	m, err := New(Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.model(ladder.DefaultModel)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := m.model(ladder.DefaultModel); err != nil || b != a {
		t.Errorf("second load: %p, %v; want the first %p", b, err, a)
	}
	if _, err := m.model("no_such_model"); err == nil || !strings.Contains(err.Error(), "ladder: ") || !strings.Contains(err.Error(), "no_such_model") {
		t.Errorf("unknown model: err = %v", err)
	}
}
