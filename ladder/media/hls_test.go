package media

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"rung/ladder"
)

// TestPackageHLS packages an x264 MP4 (made with the ffmpeg CLI, test-only)
// and has ffprobe read the master and the variant.
func TestPackageHLS(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed: cannot make the test input")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in.mp4")
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-frames:v", "100", "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	v, err := PackageHLS(context.Background(), src, dir, "r0", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.URI != "r0.m3u8" || v.Width != 320 || v.Height != 180 || !strings.HasPrefix(v.Codecs, "avc1.") || v.FrameRate != 25 ||
		v.Bandwidth < v.AverageBandwidth || v.AverageBandwidth <= 0 {
		t.Errorf("variant %+v", v)
	}
	segs, err := os.ReadFile(filepath.Join(dir, "r0.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := ladder.ParseMediaPlaylist("r0.m3u8", segs); len(s) != 4 {
		t.Errorf("%d segments, want 4:\n%s", len(s), segs)
	}
	master, err := ladder.WriteMaster(dir, []ladder.Variant{v})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", master).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "h264,320,180,100") {
		t.Errorf("ffprobe master: %v: %s", err, out)
	}
	if _, err := PackageHLS(context.Background(), filepath.Join(dir, "missing.mp4"), dir, "r1", 1); err == nil || !strings.Contains(err.Error(), "missing.mp4") {
		t.Errorf("missing input: %v", err)
	}
}

// TestPackageHLSCodecs packages a tiny real encode of every codec the
// ladder accepts and checks the CODECS string against the one ffmpeg's own
// muxers write for the same file, the MP4 sample entry, and that ffprobe
// decodes the packaged rendition without error.
func TestPackageHLSCodecs(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s CLI not installed: cannot make or check the test renditions", tool)
		}
	}
	encoders, _ := exec.Command("ffmpeg", "-hide_banner", "-encoders").Output()
	tests := []struct {
		name, encoder, pixFmt, entry string
		args                         []string
	}{
		{"x264", "libx264", "yuv420p", "avc1", []string{"-preset", "ultrafast"}},
		{"x265", "libx265", "yuv420p", "hvc1", []string{"-preset", "ultrafast", "-x265-params", "log-level=error"}},
		{"x265-main10", "libx265", "yuv420p10le", "hvc1", []string{"-preset", "ultrafast", "-x265-params", "log-level=error"}},
		{"svtav1", "libsvtav1", "yuv420p", "av01", []string{"-preset", "12"}},
		{"aom", "libaom-av1", "yuv420p", "av01", []string{"-cpu-used", "8", "-usage", "realtime"}},
		{"aom-10bit", "libaom-av1", "yuv420p10le", "av01", []string{"-cpu-used", "8", "-usage", "realtime"}},
		{"vp9", "libvpx-vp9", "yuv420p", "vp09", []string{"-deadline", "realtime", "-cpu-used", "8"}},
		{"vp9-profile2", "libvpx-vp9", "yuv420p10le", "vp09", []string{"-deadline", "realtime", "-cpu-used", "8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(encoders), " "+tt.encoder+" ") {
				t.Skipf("ffmpeg has no %s encoder", tt.encoder)
			}
			dir := t.TempDir()
			src := filepath.Join(dir, "in.mp4")
			args := append([]string{"-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=192x108:rate=24",
				"-frames:v", "24", "-g", "12", "-pix_fmt", tt.pixFmt, "-c:v", tt.encoder}, tt.args...)
			if out, err := exec.Command("ffmpeg", append(args, src)...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			v, err := PackageHLS(context.Background(), src, dir, "r0", 0.5)
			if err != nil {
				t.Fatal(err)
			}
			ref := ffmpegCodecs(t, src, tt.entry)
			got, want := v.Codecs, ref
			if tt.entry == "hvc1" {
				// ffmpeg 5.1's hls muxer writes hvc1.<profile>.4.L<level>.B01: its
				// profile and level fields are real, its compatibility ("4") and
				// constraint ("B01") fields are constants, not the stream's.
				got, want = hevcProfileLevel(got), hevcProfileLevel(want)
			}
			if got != want {
				t.Errorf("CODECS %q, ffmpeg writes %q", v.Codecs, ref)
			}
			t.Logf("CODECS %q (ffmpeg: %q)", v.Codecs, ref)
			if entry, _, err := ladder.SampleEntry(filepath.Join(dir, "r0.mp4"), "none"); err != nil || entry != tt.entry {
				t.Errorf("sample entry %q, %v; want %q", entry, err, tt.entry)
			}
			out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=width,height,nb_read_frames",
				"-of", "csv=p=0", filepath.Join(dir, "r0.m3u8")).CombinedOutput()
			// The hls demuxer lists the stream twice, in its program and alone.
			lines := strings.Fields(string(out))
			if err != nil || len(lines) == 0 || strings.Count(string(out), "192,108,24") != len(lines) {
				t.Errorf("ffprobe r0.m3u8: %v: %q, want 192,108,24 and no errors", err, out)
			}
		})
	}
}

// ffmpegCodecs returns the CODECS string ffmpeg's hls muxer writes into a
// master playlist for src (ffmpeg 5.1 writes it for H.264 and HEVC only),
// or else the codecs attribute its dash muxer writes (AV1, VP9).
func ffmpegCodecs(t *testing.T, src, entry string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-nostdin", "-v", "error", "-i", src, "-c", "copy"}
	if entry == "hvc1" {
		args = append(args, "-tag:v", "hvc1")
	}
	hls := append(args, "-f", "hls", "-hls_segment_type", "fmp4", "-master_pl_name", "m.m3u8", filepath.Join(dir, "out.m3u8"))
	if out, err := exec.Command("ffmpeg", hls...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg hls: %v\n%s", err, out)
	}
	master, err := os.ReadFile(filepath.Join(dir, "m.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	if _, rest, ok := strings.Cut(string(master), `CODECS="`); ok {
		codecs, _, _ := strings.Cut(rest, `"`)
		return codecs
	}
	dash := append(args, "-f", "dash", filepath.Join(dir, "out.mpd"))
	if out, err := exec.Command("ffmpeg", dash...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg dash: %v\n%s", err, out)
	}
	mpd, err := os.ReadFile(filepath.Join(dir, "out.mpd"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(mpd), `codecs="`)
	if !ok {
		t.Fatalf("ffmpeg wrote no codecs for %s:\n%s\n%s", src, master, mpd)
	}
	codecs, _, _ := strings.Cut(rest, `"`)
	return codecs
}

// hevcProfileLevel keeps the sample entry, profile and tier+level fields
// of an hvc1 codec string.
func hevcProfileLevel(s string) string {
	f := strings.Split(s, ".")
	if len(f) < 4 {
		return s
	}
	return f[0] + "." + f[1] + ".*." + f[3]
}

// TestPackageHLSRefusesCodec checks that a codec the ladder cannot encode
// is refused with an error naming it and the file, leaving no output.
func TestPackageHLSRefusesCodec(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed: cannot make the test input")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "in.mp4")
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=24",
		"-frames:v", "10", "-c:v", "mpeg4", src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	_, err := PackageHLS(context.Background(), src, dir, "r0", 1)
	if err == nil || !strings.Contains(err.Error(), "codec mpeg4") || !strings.Contains(err.Error(), src) {
		t.Errorf("mpeg4 input: %v", err)
	}
	for _, f := range []string{"r0.m3u8", "r0.mp4"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s left behind", f)
		}
	}
}
