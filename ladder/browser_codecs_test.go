package ladder_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"rung/ladder"
	"rung/ladder/media"
)

// TestBrowserPlaysCodecs packages a two-rung VP9 ladder and a two-rung AV1
// ladder of a one-second clip with PackageHLS and plays each master with
// hls.js in Chromium (testdata/browser/player.html): adaptively and with
// every rung forced, to the end, without a player error. It proves the
// CODECS strings and sample entries are ones a browser's MediaSource takes.
func TestBrowserPlaysCodecs(t *testing.T) {
	chromium, hlsjs := browserDeps(t)
	needFFmpeg(t)
	for _, tt := range []struct{ name, encoder string }{
		{"vp9", "libvpx-vp9 -deadline realtime -cpu-used 8"},
		{"svtav1", "libsvtav1 -preset 12"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			var vs []ladder.Variant
			for i, size := range []string{"192x108", "320x180"} {
				src := filepath.Join(t.TempDir(), "in.mp4")
				args := fmt.Sprintf("-nostdin -v error -f lavfi -i testsrc2=size=%s:rate=24 -frames:v 24 -g 12 -pix_fmt yuv420p -c:v %s %s", size, tt.encoder, src)
				if b, err := exec.Command("sh", "-c", "ffmpeg "+args).CombinedOutput(); err != nil {
					t.Fatalf("ffmpeg %s: %v\n%s", args, err, b)
				}
				v, err := media.PackageHLS(context.Background(), src, out, fmt.Sprintf("rung%d", i), 0.5)
				if err != nil {
					t.Fatal(err)
				}
				vs = append(vs, v)
			}
			if _, err := ladder.WriteMaster(out, vs); err != nil {
				t.Fatal(err)
			}
			srv, results := serve(t, out, hlsjs)
			stop := startChromium(t, chromium, append(chromiumArgs(t.TempDir()), srv.URL+"/player.html")...)
			defer stop()
			var res struct {
				OK          bool
				Unsupported []string
				Errors      []map[string]any
				Levels      []struct{ Codecs string }
				Runs        []struct {
					Level int
					Ended bool
					Why   string
				}
			}
			b := waitResult(t, results, time.Minute)
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			if len(res.Unsupported) > 0 {
				t.Skipf("this Chromium's MediaSource refuses %v", res.Unsupported)
			}
			t.Logf("player: %s", b)
			for _, e := range res.Errors {
				if lvl, _ := e["level"].(float64); lvl >= 0 || e["fatal"] == true {
					t.Errorf("player error: %v", e)
				}
			}
			if len(res.Levels) != 2 || res.Levels[0].Codecs != vs[0].Codecs || len(res.Runs) != 3 {
				t.Fatalf("levels %+v, %d runs; want 2 levels of %s and 3 runs", res.Levels, len(res.Runs), vs[0].Codecs)
			}
			for _, run := range res.Runs {
				if !run.Ended {
					t.Errorf("level %d did not play to the end (%s)", run.Level, run.Why)
				}
			}
		})
	}
}
