package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"rung/encode"
	"rung/internal/s3test"
	"rung/mezzfs"
)

// bigMezzanine returns a ≥1 GB Matroska file (FFV1 1080p, every frame a
// keyframe) made by repeating a shared clip 40 times with a stream copy,
// built once into $HOME/.cache/rung/mezzfs (outside the repository).
func bigMezzanine(t *testing.T) string {
	t.Helper()
	clip := sharedClip(t, "bbb_1920x1080.mkv")
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, ".cache", "rung", "mezzfs")
	path := filepath.Join(dir, "bbb_1920x1080_x40.mkv")
	if st, err := os.Stat(path); err == nil && st.Size() >= 1e9 {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp.mkv"
	cmd := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-stream_loop", "39", "-i", clip, "-map", "0", "-c", "copy", tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the large mezzanine: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMezzfsLargeObjectRanges checks that probing and chunk encoding of an
// s3:// mezzanine fetch only what they need: a probe under 2% of a ≥1 GB
// object, one middle chunk under 1.2 times its byte range.
func TestMezzfsLargeObjectRanges(t *testing.T) {
	if testing.Short() {
		t.Skip("large object test skipped in -short mode")
	}
	big := bigMezzanine(t)
	srv := s3test.Start(t)
	bucket := srv.Bucket("mezzanines")
	srv.PutFile(bucket, "bbb.mkv", big)
	url := s3test.URL(bucket, "bbb.mkv")
	ctx := context.Background()
	quietFFmpeg()

	// The keyframe index, from the local copy (the same bytes).
	local, closeLocal, err := encode.OpenSource(big)
	if err != nil {
		t.Fatal(err)
	}
	info, err := encode.Probe(ctx, local, url)
	closeLocal()
	if err != nil {
		t.Fatal(err)
	}
	size := info.Size

	t.Run("probe", func(t *testing.T) {
		// As a user would: rung probe s3://... --stats FILE.
		s3Env(t, srv)
		statsPath := filepath.Join(t.TempDir(), "stats.json")
		out, errOut, code := runRung(t, "probe", url, "--json", "--stats", statsPath)
		if code != 0 {
			t.Fatalf("rung probe %s: exit %d: %s", url, code, errOut)
		}
		var got encode.Info
		if err := json.Unmarshal([]byte(out), &got); err != nil || got.Video == nil || got.Video.Frames != info.Video.Frames {
			t.Fatalf("rung probe %s: %v; want %d frames", url, err, info.Video.Frames)
		}
		b, err := os.ReadFile(statsPath)
		if err != nil {
			t.Fatal(err)
		}
		st, err := mezzfs.ReadStatsFile(b)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("probe of %d bytes (%s): %+v, fetched %.2f%%", size, got.Index, st, 100*st.FetchedRatio(size))
		if got.Index != encode.IndexCues {
			t.Errorf("probe used the %s, want the Matroska cues", got.Index)
		}
		if st.FetchedRatio(size) >= 0.02 {
			t.Errorf("probe fetched %.2f%% of the object, want under 2%%", 100*st.FetchedRatio(size))
		}
		if got.Video.Duration != info.Video.Duration || len(got.Video.Keyframes) != len(info.Video.Keyframes) {
			t.Errorf("rung probe: %.3f s, %d keyframes; the local probe: %.3f s, %d keyframes",
				got.Video.Duration, len(got.Video.Keyframes), info.Video.Duration, len(info.Video.Keyframes))
		}
	})

	t.Run("middle chunk", func(t *testing.T) {
		v := info.Video
		chunk := encode.Chunk{Index: 3, Start: v.Frames/2 - 120, End: v.Frames/2 + 120}
		first, _ := v.KeyframeAtOrBefore(chunk.Start)
		next, _ := v.KeyframeAtOrBefore(chunk.End)
		span := next.Pos - first.Pos
		stats := new(mezzfs.Stats)
		src, err := mezzfs.Open(ctx, url, mezzfs.Options{S3: srv.Client(), Stats: stats})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		err = encode.EncodeChunk(ctx, encode.ChunkJob{
			Source: src, Info: info, Chunk: chunk, Path: filepath.Join(t.TempDir(), "chunk.nut"),
			Settings: encode.Settings{Codec: "x264", CRF: 30, Preset: "ultrafast", Height: 360},
		})
		if err != nil {
			t.Fatal(err)
		}
		st := stats.Snapshot()
		ratio := float64(st.BytesFetched) / float64(span)
		t.Logf("chunk %d:%d spans %d bytes (%d..%d); %+v, fetched %.3fx the span", chunk.Start, chunk.End, span, first.Pos, next.Pos, st, ratio)
		if ratio >= 1.2 {
			t.Errorf("encoding the chunk fetched %.2fx its byte range, want under 1.2x", ratio)
		}
	})
}

// TestMezzfsEncodeCLI encodes an s3:// source with the CLI and checks the
// output and the statistics file.
func TestMezzfsEncodeCLI(t *testing.T) {
	clip := sharedClip(t, "bottles_640x360.mkv")
	srv := s3test.Start(t)
	s3Env(t, srv)
	bucket := srv.Bucket("mezzanines")
	srv.PutFile(bucket, "bottles.mkv", clip)
	dir := t.TempDir()
	out, stats, trace := filepath.Join(dir, "out.mp4"), filepath.Join(dir, "stats.json"), filepath.Join(dir, "trace.jsonl")
	_, errOut, code := runRung(t, "encode", s3test.URL(bucket, "bottles.mkv"), "-o", out, "--codec", "x264", "--preset", "ultrafast",
		"--crf", "30", "--stats", stats, "--mezzfs-trace", trace, "--no-audio")
	if code != 0 {
		t.Fatalf("rung encode s3://: exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no output: %v", err)
	}
	b, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	st, err := mezzfs.ReadStatsFile(b)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(clip)
	if st.BytesRead < fi.Size() || st.BytesFetched < fi.Size() || st.Requests < 2 {
		t.Fatalf("stats %+v for a %d-byte source", st, fi.Size())
	}
	if tb, err := os.ReadFile(trace); err != nil || len(tb) == 0 {
		t.Fatalf("no trace: %v", err)
	}
}
