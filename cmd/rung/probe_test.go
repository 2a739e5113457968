package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbe checks `rung probe INPUT --json` against what SOURCES.md states
// about a clip, and the one-line error for a missing INPUT.
func TestProbe(t *testing.T) {
	clip := filepath.Join(shared(t), "clips", "bottles_640x360.mkv")
	stdout, stderr, code := runRung(t, "probe", clip, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var info struct {
		Container string `json:"container"`
		Video     struct {
			Codec     string                 `json:"codec"`
			Width     int                    `json:"width"`
			Height    int                    `json:"height"`
			PixFmt    string                 `json:"pix_fmt"`
			Frames    int                    `json:"frames"`
			FrameRate struct{ Num, Den int } `json:"frame_rate"`
			Keyframes []struct {
				Frame int
				Pos   int64
			} `json:"keyframes"`
		} `json:"video"`
	}
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatalf("probe --json: %v", err)
	}
	v := info.Video
	if info.Container != "matroska,webm" || v.Codec != "ffv1" || v.Width != 640 || v.Height != 360 || v.PixFmt != "yuv420p" ||
		v.Frames != 90 || v.FrameRate.Num != 179 || v.FrameRate.Den != 6 || len(v.Keyframes) != 90 || v.Keyframes[89].Pos <= v.Keyframes[0].Pos {
		t.Errorf("probe: %+v", info)
	}
	_, stderr, code = runRung(t, "probe", clip+".missing")
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing input: exit %d, stderr %q", code, stderr)
	}
}
