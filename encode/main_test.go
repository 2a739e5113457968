package encode

import (
	"os"
	"testing"

	"github.com/asticode/go-astiav"
)

func TestMain(m *testing.M) {
	astiav.SetLogLevel(astiav.LogLevelError) // encoders' statistics would drown the test output
	os.Setenv("SVT_LOG", "1")
	os.Exit(m.Run())
}
