package quality

import (
	"bufio"
	"bytes"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"rung/internal/vmafref"
)

// ffmpegPSNR runs FFmpeg's psnr filter over the two y4m files and returns
// its per-frame psnr.y, psnr.u and psnr.v (frame metadata, 6 decimals).
func ffmpegPSNR(t *testing.T, dis, ref string) [][3]float64 {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", dis, "-i", ref,
		"-lavfi", "[0:v][1:v]psnr,metadata=mode=print:file=-", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg psnr: %v\n%s", err, stderr.Bytes())
	}
	var frames [][3]float64
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "frame:") {
			frames = append(frames, [3]float64{})
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || len(frames) == 0 {
			continue
		}
		plane := map[string]int{"lavfi.psnr.psnr.y": 0, "lavfi.psnr.psnr.u": 1, "lavfi.psnr.psnr.v": 2}
		p, ok := plane[key]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("ffmpeg psnr: %q: %v", line, err)
		}
		frames[len(frames)-1][p] = v
	}
	return frames
}

// TestPSNRMatchesFFmpeg compares psnr_y/cb/cr, per frame, with FFmpeg's psnr
// filter (`ffmpeg -i dist -i ref -lavfi psnr -f null -`) on an 8-bit and a
// 10-bit pair: within 0.01 dB, the filter's values being printed to 1e-6.
// FFmpeg's values are first clamped at libvmaf's 6*bpc+12 dB, which FFmpeg
// does not apply (a nearly clean chroma plane of the 8-bit pair reaches
// 60.18 dB there).
func TestPSNRMatchesFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed: needed for the comparison with its psnr filter")
	}
	for _, name := range []string{
		"cars_768x432_crf28.vmaf_v0.6.1_features",
		"bbb_1280x720_10bit_crf28.vmaf_v0.6.1_features",
	} {
		t.Run(name, func(t *testing.T) {
			dir, e := vmafref.Find(t, name)
			refPath, disPath := vmafref.Inputs(t, dir, e)
			want := ffmpegPSNR(t, disPath, refPath)
			if len(want) != e.Frames {
				t.Fatalf("ffmpeg printed %d frames, want %d", len(want), e.Frames)
			}
			ext := NewPSNR(PSNROptions{})
			maxDiff, clamped := 0.0, 0
			forEachFramePair(t, dir, e, 1, func(ref, dis *Picture, i int) {
				got := NewScores()
				if err := ext.Extract(ref, dis, i, got); err != nil {
					t.Fatal(err)
				}
				for p, n := range psnrNames {
					g, _ := got.Get(n, i)
					// libvmaf clamps at 6*bpc+12 dB; FFmpeg does not
					// (and prints inf for identical planes).
					w := math.Min(want[i][p], float64(6*ref.BitDepth+12))
					if w != want[i][p] {
						clamped++
					}
					d := math.Abs(g - w)
					maxDiff = max(maxDiff, d)
					if d > 0.01 {
						t.Errorf("frame %d: %s = %.6f, FFmpeg %.6f", i, n, g, w)
					}
				}
			})
			t.Logf("max |ours - FFmpeg psnr| = %.3g dB over %d frames (%d plane values above libvmaf's clamp)", maxDiff, e.Frames, clamped)
		})
	}
}
