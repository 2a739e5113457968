package encode

import (
	"context"
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
)

// TestColorPassthrough checks that the source's colour description (range,
// primaries, transfer, matrix) reaches the encoded output.
func TestColorPassthrough(t *testing.T) {
	src := filepath.Join(vmafref.Dir(t), "clips", "cars_768x432.mkv")
	res := encodeFile(t, src, Job{Settings: Settings{Codec: "x264", CRF: 30, Preset: "ultrafast"}, Output: filepath.Join(t.TempDir(), "out.mp4")})
	probe := func(path string) *VideoInfo {
		s, closeSrc, err := OpenSource(path)
		if err != nil {
			t.Fatal(err)
		}
		defer closeSrc()
		info, err := Probe(context.Background(), s, path)
		if err != nil {
			t.Fatal(err)
		}
		return info.Video
	}
	in, out := probe(src), probe(res.Output)
	if in.ColorPrimaries != "smpte170m" {
		t.Fatalf("source primaries %q, want smpte170m (SOURCES.md)", in.ColorPrimaries)
	}
	if out.ColorRange != in.ColorRange || out.ColorPrimaries != in.ColorPrimaries || out.ColorTransfer != in.ColorTransfer || out.ColorMatrix != in.ColorMatrix {
		t.Errorf("output colour %s/%s/%s/%s, source %s/%s/%s/%s", out.ColorRange, out.ColorPrimaries, out.ColorTransfer, out.ColorMatrix,
			in.ColorRange, in.ColorPrimaries, in.ColorTransfer, in.ColorMatrix)
	}
}
