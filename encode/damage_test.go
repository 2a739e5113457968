package encode

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ffprobeBestEffort returns the best-effort timestamps (seconds, as
// ffprobe prints them) of the video frames of path; "N/A" where FFmpeg
// has none.
func ffprobeBestEffort(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
		"frame=best_effort_timestamp_time", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return strings.Fields(string(out))
}

// TestEncodeAVIWithoutPTS encodes an AVI whose MPEG-4 Part 2 video has
// B-frames, so that most packets carry no pts (the ffmpeg command of issue
// 13): every frame is encoded, at FFmpeg's best-effort timestamps, in
// chunks, with the AC3 audio.
func TestEncodeAVIWithoutPTS(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "bframes.avi")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-f", "lavfi", "-i", "sine",
		"-t", "2", "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-bf", "2", "-g", "12", "-c:a", "ac3", "-shortest", src)
	s, closeSrc, err := OpenSource(src)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	info, err := Probe(context.Background(), s, src)
	if err != nil {
		t.Fatal(err)
	}
	want := ffprobeBestEffort(t, src)
	if info.Index != IndexDecoded || info.Video.Frames != len(want) {
		t.Fatalf("probe: %d frames from the %s, ffprobe decodes %d", info.Video.Frames, info.Index, len(want))
	}
	res := encodeFile(t, src, Job{Settings: Settings{Codec: "x264", CRF: 30, Preset: "ultrafast"}, Output: filepath.Join(dir, "out.mp4"),
		PlanOptions: PlanOptions{ChunkSeconds: 0.5, MinChunk: 0.25}})
	if res.Chunks < 3 || res.Frames != len(want) || len(res.Lost) != 0 {
		t.Fatalf("encode: %d frames in %d chunks (lost %v), want %d in 3 or more", res.Frames, res.Chunks, res.Lost, len(want))
	}
	got := ffprobeFrames(t, res.Output)
	if len(got) != len(want) {
		t.Fatalf("output has %d frames, source %d", len(got), len(want))
	}
	// The last frame has no best-effort timestamp in ffprobe: rung gives it
	// the previous one plus a frame, as the ffmpeg CLI does.
	for i, w := range want {
		if w == "N/A" {
			if i != len(want)-1 {
				t.Fatalf("source frame %d has no best-effort timestamp", i)
			}
			prev, _ := strconv.ParseFloat(want[i-1], 64)
			w = strconv.FormatFloat(prev+0.04, 'f', 6, 64)
		}
		if got[i].PTSTime != w {
			t.Fatalf("frame %d: pts_time %s, source's best-effort %s", i, got[i].PTSTime, w)
		}
	}
	streams := ffprobeStreams(t, res.Output)
	if len(streams) != 2 || streams[1].CodecName != "ac3" {
		t.Errorf("streams %+v: want the video and the AC3 audio", streams)
	}
	if msg := ffmpegDecodeErrors(t, res.Output); msg != "" {
		t.Errorf("decoding %s: %s", res.Output, msg)
	}
}

// damagedMP4 writes an H.264 MP4 of frames frames whose last packet in the
// file cannot be decoded (its first NAL length is overwritten).
func damagedMP4(t *testing.T, dir string, frames int) string {
	t.Helper()
	src := filepath.Join(dir, "damaged.mp4")
	runFFmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-f", "lavfi", "-i", "sine",
		"-frames:v", strconv.Itoa(frames), "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-c:a", "mp2", src)
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos", "-of", "csv=p=0", src).Output()
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for _, f := range strings.Fields(string(out)) {
		p, _ := strconv.ParseInt(f, 10, 64)
		last = max(last, p)
	}
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0xff, 0xff, 0xff, 0xff}, last); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestEncodeDamagedLastPacket encodes an MP4 whose last video packet does
// not decode: the other frames are encoded at their timestamps and the
// lost one is reported; Strict refuses the input and leaves no output.
func TestEncodeDamagedLastPacket(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := damagedMP4(t, dir, 50)
	set := Settings{Codec: "x264", CRF: 30, Preset: "ultrafast"}
	var warnings []Event
	res := encodeFile(t, src, Job{Settings: set, Output: filepath.Join(dir, "out.mp4"),
		PlanOptions: PlanOptions{ChunkSeconds: 0.5, MinChunk: 0.25}, Progress: func(e Event) {
			if e.Kind == EventWarning {
				warnings = append(warnings, e)
			}
		}})
	if res.Frames != 49 || len(res.Lost) != 1 || res.Lost[0] != 49 {
		t.Fatalf("encoded %d frames, lost %v; want 49 and [49]", res.Frames, res.Lost)
	}
	if len(warnings) != 1 || warnings[0].Lost != 1 || !strings.Contains(warnings[0].Message, "1 of 50 frames did not decode (frame 49)") {
		t.Errorf("warnings %+v: want one naming frame 49", warnings)
	}
	got := ffprobeFrames(t, res.Output)
	if len(got) != 49 || got[48].PTSTime != "1.920000" {
		t.Errorf("output has %d frames, the last at %v; want 49, the last at 1.92 s", len(got), got[len(got)-1])
	}
	if msg := ffmpegDecodeErrors(t, res.Output); msg != "" {
		t.Errorf("decoding %s: %s", res.Output, msg)
	}

	s, closeSrc, err := OpenSource(src)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSrc()
	strict := filepath.Join(dir, "strict.mp4")
	_, err = Encode(context.Background(), Job{Source: s, Name: src, Settings: set, Output: strict, Strict: true,
		PlanOptions: PlanOptions{ChunkSeconds: 0.5, MinChunk: 0.25}})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("strict encode: %v, want ErrDamaged", err)
	}
	if _, err := os.Stat(strict); !os.IsNotExist(err) {
		t.Errorf("strict encode left %s", strict)
	}
}
