package encode

import (
	"fmt"
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
	// One worker decodes the source once and streams it to the chunks;
	// two decode each chunk on its own, from the keyframe before it.
	for _, workers := range []int{1, 2} {
		res := encodeFile(t, src, Job{Settings: Settings{Codec: "x264", CRF: 0, Preset: "ultrafast"}, Output: filepath.Join(dir, fmt.Sprintf("out%d.mkv", workers)),
			PlanOptions: PlanOptions{ChunkSeconds: 0.6, MinChunk: 0.3, NoScenes: true}, Workers: workers})
		if res.Chunks < 5 || res.Plan.Threads.Stream != (workers == 1) {
			t.Fatalf("workers %d: %d chunks, threads %+v; want >= 5 chunks", workers, res.Chunks, res.Plan.Threads)
		}
		want, err := OpenFile(t.Context(), src, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := OpenFile(t.Context(), res.Output, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n := comparePictures(t, got, want); n != 90 {
			t.Errorf("workers %d: compared %d frames, want 90", workers, n)
		}
		got.Close()
		want.Close()
	}
}
