package ladder

import (
	"strings"
	"testing"
)

// TestValidateCodecs checks that every codec the ladder accepts passes
// validation without a reference ladder, and that a reference ladder with a
// codec that has no bitrate-targeted encodes is refused before any encode.
func TestValidateCodecs(t *testing.T) {
	for _, codec := range []string{"x264", "x265", "svtav1", "aom", "vp9"} {
		if err := (Options{Input: "in.y4m", OutDir: "out", Codec: codec}).Validate(); err != nil {
			t.Errorf("%s without a reference ladder: %v", codec, err)
		}
		err := (Options{Input: "in.y4m", OutDir: "out", Codec: codec, Fixed: "apple"}).Validate()
		if x26x := codec == "x264" || codec == "x265"; x26x != (err == nil) {
			t.Errorf("%s with the apple reference ladder: %v", codec, err)
		} else if err != nil && !strings.Contains(err.Error(), "--fixed none") {
			t.Errorf("%s: error does not say how to go on: %v", codec, err)
		}
	}
}
