package encode

import (
	"context"
	"path/filepath"
	"testing"
)

// TestCodecs encodes a 5-frame 128x72 clip with every codec in chunks of
// two frames into MP4 and MKV and probes the result: codec, size, bit
// depth and frame count.
func TestCodecs(t *testing.T) {
	needFFmpeg(t)
	clip := filepath.Join(t.TempDir(), "clip.mkv")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=128x72:rate=25",
		"-frames:v", "5", "-pix_fmt", "yuv420p", "-c:v", "ffv1", clip)
	tests := []struct {
		codec, preset, want string
		bitDepth            int
	}{
		{"x264", "ultrafast", "h264", 8},
		{"x264", "ultrafast", "h264", 10},
		{"x265", "ultrafast", "hevc", 8},
		{"vp9", "8", "vp9", 8},
		{"svtav1", "12", "av1", 8},
		{"aom", "8", "av1", 8},
	}
	for _, tt := range tests {
		for _, ext := range []string{".mp4", ".mkv"} {
			t.Run(tt.codec+"/"+tt.want+ext, func(t *testing.T) {
				set := Settings{Codec: tt.codec, CRF: 35, Preset: tt.preset, BitDepth: tt.bitDepth}
				if err := set.Validate(); err != nil {
					t.Skip(err) // this FFmpeg build lacks the encoder
				}
				out := filepath.Join(t.TempDir(), "out"+ext)
				res := encodeFile(t, clip, Job{Settings: set, Output: out,
					PlanOptions: PlanOptions{ChunkSeconds: 0.08, MinChunk: 0.04, NoScenes: true}})
				if res.Chunks != 3 {
					t.Errorf("%d chunks, want 3", res.Chunks)
				}
				src, closeSrc, err := OpenSource(out)
				if err != nil {
					t.Fatal(err)
				}
				defer closeSrc()
				info, err := Probe(context.Background(), src, out)
				if err != nil {
					t.Fatal(err)
				}
				v := info.Video
				if v.Codec != tt.want || v.Frames != 5 || v.Width != 128 || v.Height != 72 || v.BitDepth != tt.bitDepth {
					t.Errorf("output: %s %dx%d %d-bit, %d frames", v.Codec, v.Width, v.Height, v.BitDepth, v.Frames)
				}
			})
		}
	}
}

// TestSettingsValidate checks the refusals that need no encoder.
func TestSettingsValidate(t *testing.T) {
	bad := []Settings{
		{Codec: "h266", CRF: 23},
		{Codec: "x264", CRF: 23, BitDepth: 12},
		{Codec: "x264", CRF: -1},
		{Codec: "vp9", QP: 30},
		{Codec: "aom", CRF: 30, Preset: "slow"},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}
