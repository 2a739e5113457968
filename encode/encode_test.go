package encode

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// ffprobeFrames returns the video frames of path as Debian's ffprobe
// decodes them: presentation times and keyframe flags.
type probedFrame struct {
	PTSTime  string `json:"pts_time"`
	KeyFrame int    `json:"key_frame"`
}

func ffprobeFrames(t *testing.T, path string) []probedFrame {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "frame=pts_time,key_frame", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var doc struct{ Frames []probedFrame }
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return doc.Frames
}

// ffmpegDecodeErrors decodes path with the ffmpeg CLI and returns what it
// printed at level error (nothing for a clean file).
func ffmpegDecodeErrors(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg decode %s: %v: %s", path, err, out)
	}
	var errs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// The null muxer complains about its own rounded timestamps, for
		// the sources too; only decoder messages count.
		if line != "" && !strings.HasPrefix(line, "[null @") {
			errs = append(errs, line)
		}
	}
	return strings.Join(errs, "\n")
}

// runFFmpeg runs the ffmpeg CLI quietly with args, overwriting outputs.
func runFFmpeg(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// probedStream is what ffprobeStreams reports of one stream.
type probedStream struct {
	CodecType string `json:"codec_type"`
	CodecName string `json:"codec_name"`
	PixFmt    string `json:"pix_fmt"`
	Channels  int    `json:"channels"`
	StartTime string `json:"start_time"`
	Duration  string `json:"duration"`
}

// ffprobeStreams returns the streams of path as ffprobe describes them.
func ffprobeStreams(t *testing.T, path string) []probedStream {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,codec_name,pix_fmt,channels,start_time,duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var doc struct{ Streams []probedStream }
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return doc.Streams
}

func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s CLI not installed (make deps installs it)", tool)
		}
	}
}

// encodeFile runs Encode on a local file.
func encodeFile(t *testing.T, src string, job Job) *Result {
	t.Helper()
	s, closeSrc, err := OpenSource(src)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	job.Source, job.Name = s, src
	res, err := Encode(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// mixedClip joins three shared clips (bottles 90 frames, cars 50, person
// 40, scaled to 640x360) into one 25 fps FFV1 source with scene cuts at
// frames 90 and 140.
func mixedClip(t *testing.T, dir string) string {
	t.Helper()
	clips := filepath.Join(vmafref.Dir(t), "clips")
	out := filepath.Join(dir, "mixed.mkv")
	runFFmpeg(t, "-i", filepath.Join(clips, "bottles_640x360.mkv"), "-i", filepath.Join(clips, "cars_768x432.mkv"), "-i", filepath.Join(clips, "person_768x432.mkv"),
		"-filter_complex", "[0:v]setsar=1[a];[1:v]scale=640:360,setsar=1[b];[2:v]scale=640:360,setsar=1[c];[a][b][c]concat=n=3:v=1,setpts=N/(25*TB)[v]",
		"-map", "[v]", "-r", "25", "-fps_mode", "passthrough", "-c:v", "ffv1", "-g", "1", out)
	return out
}

// TestChunkedEncode encodes a clip in chunks and in one piece with the
// same settings: the chunked output has exactly the source's frames and
// timestamps (ffprobe), a keyframe at every chunk start, decodes without
// error, and scores within 0.3 VMAF of the one-piece encode.
func TestChunkedEncode(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := mixedClip(t, dir)
	set := Settings{Codec: "x264", CRF: 23, Preset: "veryfast"}
	chunked := encodeFile(t, src, Job{Settings: set, Output: filepath.Join(dir, "chunked.mp4"), PlanOptions: PlanOptions{ChunkSeconds: 2, MinChunk: 0.5}})
	whole := encodeFile(t, src, Job{Settings: set, Output: filepath.Join(dir, "whole.mp4"), Frames: &Chunk{Start: 0, End: 180}})
	if !slices.Equal(chunked.Plan.SceneCuts, []int{90, 140}) {
		t.Errorf("scene cuts %v, want [90 140]", chunked.Plan.SceneCuts)
	}
	if chunked.Chunks != 4 || whole.Chunks != 1 {
		t.Fatalf("chunks: %d chunked, %d whole; want 4 and 1", chunked.Chunks, whole.Chunks)
	}
	want := ffprobeFrames(t, src)
	got := ffprobeFrames(t, chunked.Output)
	if len(got) != len(want) || len(got) != 180 {
		t.Fatalf("chunked output has %d frames, source %d", len(got), len(want))
	}
	for i := range want {
		if got[i].PTSTime != want[i].PTSTime {
			t.Fatalf("frame %d: pts_time %s, source %s", i, got[i].PTSTime, want[i].PTSTime)
		}
	}
	for _, c := range chunked.Plan.Chunks {
		if got[c.Start].KeyFrame != 1 {
			t.Errorf("chunk %d starts at frame %d, which is not a keyframe", c.Index, c.Start)
		}
	}
	if msg := ffmpegDecodeErrors(t, chunked.Output); msg != "" {
		t.Errorf("decoding %s: %s", chunked.Output, msg)
	}
	vc, vw := pooledVMAF(t, src, chunked.Output), pooledVMAF(t, src, whole.Output)
	t.Logf("VMAF chunked %.4f (%d chunks, %d bytes), one piece %.4f (%d bytes)", vc, chunked.Chunks, chunked.Bytes, vw, whole.Bytes)
	if math.Abs(vc-vw) > 0.3 {
		t.Errorf("VMAF chunked %.4f vs one piece %.4f: differ by more than 0.3", vc, vw)
	}
}

// TestEncodeAudioMKV encodes a generated clip with AAC audio into MKV
// with x265 and 10 bits: the audio is copied and starts with the video,
// and the frame count and timestamps are the source's.
func TestEncodeAudioMKV(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mkv")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:v", "ffv1", "-g", "1", "-c:a", "aac", src)
	res := encodeFile(t, src, Job{Settings: Settings{Codec: "x265", CRF: 28, Preset: "ultrafast", BitDepth: 10},
		Output: filepath.Join(dir, "out.mkv"), PlanOptions: PlanOptions{ChunkSeconds: 0.5, MinChunk: 0.25, NoScenes: true}})
	if res.Chunks != 4 {
		t.Errorf("chunks = %d, want 4", res.Chunks)
	}
	want, got := ffprobeFrames(t, src), ffprobeFrames(t, res.Output)
	if !slices.Equal(got, want) && len(got) == len(want) {
		for i := range got {
			got[i].KeyFrame = want[i].KeyFrame // keyframes differ; timestamps must not
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("output frames %v, source %v", got, want)
	}
	streams := ffprobeStreams(t, res.Output)
	if len(streams) != 2 || streams[0].CodecName != "hevc" || streams[0].PixFmt != "yuv420p10le" ||
		streams[1].CodecName != "aac" || streams[0].StartTime != "0.021000" || streams[1].StartTime != "0.000000" {
		// The source's video starts at 0.021 s, after the AAC priming.
		t.Errorf("streams %+v: want hevc yuv420p10le from 0.021 s and aac from 0 s, as in the source", streams)
	}
	if msg := ffmpegDecodeErrors(t, res.Output); msg != "" {
		t.Errorf("decoding %s: %s", res.Output, msg)
	}
	if _, err := os.Stat(res.Output + ".rung"); err != nil {
		t.Errorf("work dir: %v", err)
	}
}

// TestEncodeAudioToAAC encodes a source with PCM audio, which MP4 cannot
// hold, into MP4: the audio is re-encoded to AAC and lasts as long as the
// video, from the same start.
func TestEncodeAudioToAAC(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "pcm.mkv")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25",
		"-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "2", "-ac", "2", "-c:v", "ffv1", "-c:a", "pcm_s16le", src)
	res := encodeFile(t, src, Job{Settings: Settings{Codec: "x264", CRF: 30, Preset: "ultrafast"}, Output: filepath.Join(dir, "out.mp4"),
		PlanOptions: PlanOptions{ChunkSeconds: 0.5, MinChunk: 0.25, NoScenes: true}})
	streams := ffprobeStreams(t, res.Output)
	if len(streams) != 2 || streams[1].CodecName != "aac" || streams[1].Channels != 2 ||
		streams[0].StartTime != streams[1].StartTime || streams[0].Duration != "2.000000" || streams[1].Duration != "2.000000" {
		t.Errorf("streams %+v: want video and stereo AAC, both from the same start for 2 s", streams)
	}
	if msg := ffmpegDecodeErrors(t, res.Output); msg != "" {
		t.Errorf("decoding %s: %s", res.Output, msg)
	}
}
