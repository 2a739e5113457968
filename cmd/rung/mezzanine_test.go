package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mezzanine is one source format of TestMezzanines: the ffmpeg arguments
// that generate it (a second of test pattern; "IN" is replaced by the
// output path) and what rung must see in it.
type mezzanine struct {
	name, file string
	args       []string
	// post, when set, rewrites the generated file with these ffmpeg
	// arguments (IN and OUT) — for a stream-copy remux.
	post       []string
	fieldOrder string
	rotation   float64
	sar        string // "" for square pixels
	timecode   string
	audio      []string // the output's audio streams: codec/layout
	encoded    [2]int   // the output's width and height
	// ladder runs a small rung ladder in every test run; the other
	// formats' ladders run when RUNG_TEST_ALL_LADDERS is set (a minute
	// more on two cores), as for the table of issue 13.
	ladder bool
}

var (
	testsrc = []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"}
	sine    = []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}
)

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func mezzanines() []mezzanine {
	interlaced := []string{"-f", "lavfi", "-i", "testsrc2=size=352x288:rate=50"}
	ilace := []string{"-vf", "interlace=scan=tff", "-c:v", "mpeg2video", "-pix_fmt", "yuv422p", "-flags", "+ildct+ilme", "-top", "1", "-b:v", "8M"}
	return []mezzanine{
		{name: "ProRes 422 HQ 10-bit MOV, PCM 5.1 + stereo, timecode", file: "prores.mov",
			args: cat(testsrc, sine, []string{"-f", "lavfi", "-i", "sine=frequency=880:sample_rate=48000", "-t", "1", "-map", "0:v", "-map", "1:a", "-map", "2:a",
				"-filter:a:0", "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", "-ac:a:1", "2",
				"-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-c:a", "pcm_s24le", "-timecode", "01:00:00:00"}),
			fieldOrder: "progressive", timecode: "01:00:00:00", audio: []string{"aac/5.1", "aac/stereo"}, encoded: [2]int{320, 180}},
		{name: "DNxHR HQX 10-bit MXF", file: "dnxhr.mxf",
			args:       cat(testsrc, []string{"-t", "1", "-c:v", "dnxhd", "-profile:v", "dnxhr_hqx", "-pix_fmt", "yuv422p10le"}),
			fieldOrder: "progressive", timecode: "00:00:00:00", encoded: [2]int{320, 180}},
		{name: "MPEG-2 4:2:2 interlaced MXF, PCM", file: "mpeg2.mxf",
			args:       cat(interlaced, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a"}, ilace, []string{"-c:a", "pcm_s16le"}),
			fieldOrder: "tt", timecode: "00:00:00:00", audio: []string{"aac/mono"}, encoded: [2]int{352, 288}, ladder: true},
		{name: "MPEG-2 4:2:2 interlaced TS, MP2", file: "mpeg2.ts",
			args:       cat(interlaced, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a"}, ilace, []string{"-c:a", "mp2"}),
			fieldOrder: "tt", audio: []string{"aac/mono"}, encoded: [2]int{352, 288}},
		{name: "AVI MPEG-4 Part 2 with B-frames, AC3", file: "mpeg4.avi",
			args:       cat(testsrc, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-bf", "2", "-c:a", "ac3", "-shortest"}),
			fieldOrder: "progressive", audio: []string{"ac3/mono"}, encoded: [2]int{320, 180}, ladder: true},
		{name: "AVI MJPEG, PCM", file: "mjpeg.avi",
			args:       cat(testsrc, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a", "-c:v", "mjpeg", "-q:v", "3", "-c:a", "pcm_s16le"}),
			fieldOrder: "progressive", audio: []string{"aac/mono"}, encoded: [2]int{320, 180}},
		{name: "VFR H.264 MP4, rotation 90, AAC", file: "vfr.mp4",
			args: cat(testsrc, sine, []string{"-t", "1.5", "-map", "0:v", "-map", "1:a", "-vf", `select='not(eq(mod(n\,7)\,3))'`, "-fps_mode", "vfr",
				"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"}),
			post:       []string{"-i", "IN", "-c", "copy", "-metadata:s:v:0", "rotate=90", "OUT"},
			fieldOrder: "progressive", rotation: 90, audio: []string{"aac/mono"}, encoded: [2]int{320, 180}, ladder: true},
		{name: "HEVC Main10 MP4", file: "hevc10.mp4",
			args: cat(testsrc, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a", "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le",
				"-x265-params", "log-level=error", "-c:a", "aac"}),
			fieldOrder: "progressive", audio: []string{"aac/mono"}, encoded: [2]int{320, 180}},
		{name: "anamorphic 720x576 16:9 (SAR 64:45)", file: "anamorphic.mp4",
			args: cat([]string{"-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25"}, sine, []string{"-t", "1", "-map", "0:v", "-map", "1:a", "-vf", "setsar=64/45",
				"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"}),
			fieldOrder: "progressive", sar: "64/45", audio: []string{"aac/mono"}, encoded: [2]int{720, 576}, ladder: true},
		{name: "1366x768 H.264", file: "s1366x768.mp4",
			args:       []string{"-f", "lavfi", "-i", "testsrc2=size=1366x768:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast"},
			fieldOrder: "progressive", encoded: [2]int{1366, 768}},
		{name: "1279x719 FFV1 4:4:4", file: "s1279x719.mkv",
			args:       []string{"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-vf", "format=yuv444p,crop=1279:719:0:0", "-t", "1", "-c:v", "ffv1"},
			fieldOrder: "progressive", encoded: [2]int{1278, 718}},
	}
}

// ffmpegGen runs the ffmpeg CLI quietly.
func ffmpegGen(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// ffprobeJSON runs ffprobe with args (json output) into v.
func ffprobeJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, err := exec.Command("ffprobe", append([]string{"-v", "error", "-of", "json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ffprobe %v: %v", args, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("ffprobe %v: %v", args, err)
	}
}

// frameTimes returns the video frames' times in seconds as ffprobe
// decodes them (best-effort timestamps, which the ffmpeg CLI uses; a
// last frame without one gets the previous plus the frame before's gap).
func frameTimes(t *testing.T, path string) []float64 {
	var doc struct {
		Frames []struct {
			T string `json:"best_effort_timestamp_time"`
		}
	}
	ffprobeJSON(t, &doc, "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", path)
	var ts []float64
	for i, f := range doc.Frames {
		v, err := strconv.ParseFloat(f.T, 64)
		if err != nil && i >= 2 {
			v = 2*ts[i-1] - ts[i-2]
		}
		ts = append(ts, v)
	}
	return ts
}

// streamStarts returns the start time of the first video stream and of the
// first audio stream (NaN without audio) and the audio streams as
// codec/layout.
func streamStarts(t *testing.T, path string) (video, audio float64, tracks []string) {
	var doc struct {
		Streams []struct {
			Type   string `json:"codec_type"`
			Codec  string `json:"codec_name"`
			Layout string `json:"channel_layout"`
			Start  string `json:"start_time"`
		}
	}
	ffprobeJSON(t, &doc, "-show_entries", "stream=codec_type,codec_name,channel_layout,start_time", path)
	video, audio = math.NaN(), math.NaN()
	for _, s := range doc.Streams {
		st, _ := strconv.ParseFloat(s.Start, 64)
		switch {
		case s.Type == "video" && math.IsNaN(video):
			video = st
		case s.Type == "audio":
			if math.IsNaN(audio) {
				audio = st
			}
			tracks = append(tracks, s.Codec+"/"+s.Layout)
		}
	}
	return video, audio, tracks
}

// TestMezzanines runs every mezzanine format of issue 13 through rung
// probe, a chunked rung encode (frame-exact: the source's frames and
// relative timing as ffprobe decodes them, audio kept in sync within a
// frame), rung score and a small rung ladder, and logs one table row per
// format (go test -run Mezzanines -v).
func TestMezzanines(t *testing.T) {
	modelDir(t)
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	t.Logf("| format | rung probe: size, SAR, rotation, frames, scan, colour, timecode | encode frames / ffprobe | timing Δ max | A/V start Δ src → out | audio | VMAF | ladder |")
	t.Logf("|---|---|---|---|---|---|---|---|")
	for _, m := range mezzanines() {
		t.Run(m.file, func(t *testing.T) {
			src := filepath.Join(dir, m.file)
			args := append(append([]string{}, m.args...), src)
			if m.post != nil {
				args[len(args)-1] = src + ".pre" + filepath.Ext(src)
			}
			ffmpegGen(t, args...)
			if m.post != nil {
				var post []string
				for _, a := range m.post {
					post = append(post, strings.NewReplacer("IN", args[len(args)-1], "OUT", src).Replace(a))
				}
				ffmpegGen(t, post...)
			}
			// rung probe
			stdout, stderr, code := runRung(t, "probe", "--json", src)
			if code != 0 {
				t.Fatalf("probe: exit %d: %s", code, stderr)
			}
			var info struct {
				Video struct {
					Width, Height                      int
					PixFmt                             string `json:"pix_fmt"`
					Frames                             int
					SAR                                struct{ Num, Den int } `json:"sample_aspect_ratio"`
					Rotation                           float64
					FieldOrder                         string `json:"field_order"`
					Timecode                           string
					Range, Primaries, Transfer, Matrix string
				}
			}
			if err := json.Unmarshal([]byte(stdout), &info); err != nil {
				t.Fatal(err)
			}
			var colour struct {
				Video struct {
					Range     string `json:"color_range"`
					Primaries string `json:"color_primaries"`
					Transfer  string `json:"color_transfer"`
					Matrix    string `json:"color_space"`
				}
			}
			json.Unmarshal([]byte(stdout), &colour)
			v := info.Video
			sar := fmt.Sprintf("%d/%d", v.SAR.Num, v.SAR.Den)
			if v.FieldOrder != m.fieldOrder || v.Rotation != m.rotation || v.Timecode != m.timecode || (m.sar != "" && sar != m.sar) {
				t.Errorf("probe: field order %q, rotation %g, timecode %q, SAR %s; want %q, %g, %q, %s", v.FieldOrder, v.Rotation, v.Timecode, sar, m.fieldOrder, m.rotation, m.timecode, m.sar)
			}
			want := frameTimes(t, src)
			if v.Frames != len(want) {
				t.Errorf("probe: %d frames, ffprobe decodes %d", v.Frames, len(want))
			}
			// rung encode, in chunks
			out := filepath.Join(dir, m.file+".mp4")
			_, stderr, code = runRung(t, "encode", src, "-o", out, "--preset", "ultrafast", "--chunk-seconds", "0.4", "--min-chunk", "0.2")
			if code != 0 {
				t.Fatalf("encode: exit %d: %s", code, stderr)
			}
			if strings.Contains(stderr, "warning") {
				t.Errorf("encode: %s", stderr)
			}
			got := frameTimes(t, out)
			maxDiff := 0.0
			if len(got) != len(want) {
				t.Errorf("encode: %d frames, the source %d", len(got), len(want))
			} else {
				for i := range got {
					maxDiff = max(maxDiff, math.Abs((got[i]-got[0])-(want[i]-want[0])))
				}
				if maxDiff > 0.001 {
					t.Errorf("encode: frame times differ from the source's by up to %.4f s", maxDiff)
				}
			}
			var outInfo struct {
				Streams []struct {
					Width, Height int
					SAR           string `json:"sample_aspect_ratio"`
				}
			}
			ffprobeJSON(t, &outInfo, "-select_streams", "v:0", "-show_entries", "stream=width,height,sample_aspect_ratio", out)
			if s := outInfo.Streams[0]; s.Width != m.encoded[0] || s.Height != m.encoded[1] || (m.sar != "" && s.SAR != strings.ReplaceAll(m.sar, "/", ":")) {
				t.Errorf("encode: %dx%d SAR %s, want %dx%d SAR %s", s.Width, s.Height, s.SAR, m.encoded[0], m.encoded[1], m.sar)
			}
			// A/V: when the first frame is shown against the audio's start.
			_, sa, _ := streamStarts(t, src)
			_, oa, tracks := streamStarts(t, out)
			frame := want[1] - want[0]
			avSrc, avOut := want[0]-sa, got[0]-oa
			if !math.IsNaN(avSrc) && math.Abs(avOut-avSrc) > frame {
				t.Errorf("A/V: video starts %.4f s after the audio in the source, %.4f s in the output: more than a frame apart", avSrc, avOut)
			}
			if strings.Join(tracks, " ") != strings.Join(m.audio, " ") {
				t.Errorf("audio %v, want %v", tracks, m.audio)
			}
			// rung score, by frame order
			stdout, stderr, code = runRung(t, "score", "-r", src, "-d", out)
			if code != 0 {
				t.Fatalf("score: exit %d: %s", code, stderr)
			}
			vmaf := strings.TrimSpace(stdout)
			// rung ladder, three rungs at one small height
			lad := filepath.Join(dir, m.file+".ladder")
			ladder := "skipped (RUNG_TEST_ALL_LADDERS)"
			if m.ladder || os.Getenv("RUNG_TEST_ALL_LADDERS") != "" {
				_, stderr, code = runRung(t, "ladder", src, "-o", lad, "--rungs", "3", "--resolutions", "144", "--preset", "ultrafast", "--min-vmaf", "0")
				ladder = "ran"
				if code != 0 {
					ladder = "failed"
					t.Errorf("ladder: exit %d: %s", code, stderr)
				} else if _, err := os.Stat(filepath.Join(lad, "master.m3u8")); err != nil {
					t.Errorf("ladder: %v", err)
				}
			}
			rot := ""
			if v.Rotation != 0 {
				rot = fmt.Sprintf(", rotation %g", v.Rotation)
			}
			t.Logf("| %s | %dx%d %s, SAR %s%s, %d frames, %s, %s/%s/%s/%s, tc %s | %d / %d | %.4f s | %.4f → %.4f s | %s | %s | %s |",
				m.name, v.Width, v.Height, v.PixFmt, sar, rot, v.Frames, v.FieldOrder,
				colour.Video.Range, colour.Video.Primaries, colour.Video.Transfer, colour.Video.Matrix, orNone(v.Timecode),
				len(got), len(want), maxDiff, avSrc, avOut, strings.Join(tracks, " "), vmaf, ladder)
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// TestBadMezzanines: sources rung cannot encode fail in one line naming
// the file and the problem, exit 1, and leave no output or work dir.
func TestBadMezzanines(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	// A picture size change mid-stream: two MPEG-TS files back to back.
	ffmpegGen(t, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", p("a.ts"))
	ffmpegGen(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-output_ts_offset", "1.4", p("b.ts"))
	a, _ := os.ReadFile(p("a.ts"))
	b, _ := os.ReadFile(p("b.ts"))
	os.WriteFile(p("sizechange.ts"), append(a, b...), 0o644)
	// A corrupted middle: random bytes over a third of an H.264 MP4.
	ffmpegGen(t, "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", p("corrupt.mp4"))
	c, _ := os.ReadFile(p("corrupt.mp4"))
	for i := len(c) / 3; i < 2*len(c)/3; i++ {
		c[i] = byte(i*7919 + 13)
	}
	os.WriteFile(p("corrupt.mp4"), c, 0o644)
	// Cut short: a faststart MP4 missing its last kilobyte.
	ffmpegGen(t, "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "2", "-c:v", "libx264", "-movflags", "+faststart", p("full.mp4"))
	f, _ := os.ReadFile(p("full.mp4"))
	os.WriteFile(p("cut.mp4"), f[:len(f)-1024], 0o644)
	ffmpegGen(t, "-f", "lavfi", "-i", "sine", "-t", "1", "-c:a", "aac", p("audio.m4a"))
	os.WriteFile(p("subs.srt"), []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n"), 0o644)
	ffmpegGen(t, "-i", p("subs.srt"), p("subs.mkv"))
	for _, tc := range []struct{ file, problem string }{
		{"sizechange.ts", "the picture size changes mid-stream"},
		{"corrupt.mp4", "did not decode"},
		{"cut.mp4", "truncated"},
		{"audio.m4a", "no video stream"},
		{"subs.mkv", "no video stream"},
	} {
		out := p(tc.file + ".out.mp4")
		_, stderr, code := runRung(t, "encode", p(tc.file), "-o", out, "--preset", "ultrafast")
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 1 || len(lines) != 1 || !strings.Contains(stderr, tc.file) || !strings.Contains(stderr, tc.problem) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line naming the file and %q", tc.file, code, stderr, tc.problem)
		}
		if left, _ := filepath.Glob(out + "*"); len(left) > 0 {
			t.Errorf("%s: left %v", tc.file, left)
		}
	}
}
