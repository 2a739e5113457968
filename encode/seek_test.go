package encode

import (
	"path/filepath"
	"testing"

	"rung/internal/vmafref"
)

// TestChunksAreFrameExact encodes, losslessly and in chunks, a source with
// B-frames and a keyframe every 12 frames (so chunk workers seek and drop
// leading frames): every decoded output frame must equal the source frame
// at the same index, which no skipped, repeated or reordered frame
// survives.
func TestChunksAreFrameExact(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "gop.mp4")
	runFFmpeg(t, "-i", filepath.Join(vmafref.Dir(t), "clips", "bottles_640x360.mkv"),
		"-vf", "scale=320:180", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "3", "-g", "12", "-keyint_min", "12", "-sc_threshold", "0", src)
	res := encodeFile(t, src, Job{Settings: Settings{Codec: "x264", CRF: 0, Preset: "ultrafast"}, Output: filepath.Join(dir, "out.mkv"),
		PlanOptions: PlanOptions{ChunkSeconds: 0.6, MinChunk: 0.3, NoScenes: true}})
	if res.Chunks < 5 {
		t.Fatalf("%d chunks, want >= 5", res.Chunks)
	}
	want, err := OpenFile(t.Context(), src, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	got, err := OpenFile(t.Context(), res.Output, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if n := comparePictures(t, got, want); n != 90 {
		t.Errorf("compared %d frames, want 90", n)
	}
}
