package ladder_test

import (
	"os"
	"testing"

	"github.com/asticode/go-astiav"
)

// TestMain keeps FFmpeg's own logging out of test output unless
// RUNG_FFMPEG_LOG is set, and removes the multi-shot ladders the per-shot
// tests share.
func TestMain(m *testing.M) {
	if os.Getenv("RUNG_FFMPEG_LOG") == "" {
		astiav.SetLogLevel(astiav.LogLevelQuiet)
	}
	code := m.Run()
	for _, r := range []*multishotRun{&multishotLean, &multishotFull} {
		if r.dir != "" {
			os.RemoveAll(r.dir)
		}
	}
	os.Exit(code)
}
