package encode

import (
	"os"
	"testing"

	"github.com/asticode/go-astiav"
)

func TestMain(m *testing.M) {
	// Tests check errors themselves. FFmpeg's log would drown their output
	// and, under -fuzz, fill the worker's stderr pipe and stall it.
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	os.Setenv("SVT_LOG", "1")
	os.Exit(m.Run())
}
