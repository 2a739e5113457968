package media

import (
	"os"
	"testing"

	"github.com/asticode/go-astiav"
)

// TestMain keeps FFmpeg's own logging out of test output unless
// RUNG_FFMPEG_LOG is set.
func TestMain(m *testing.M) {
	if os.Getenv("RUNG_FFMPEG_LOG") == "" {
		astiav.SetLogLevel(astiav.LogLevelQuiet)
	}
	os.Exit(m.Run())
}
