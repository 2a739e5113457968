package media

import (
	"testing"

	"rung/quality"
)

// TestCAMBIFeature checks that every rung size gives a CAMBI feature
// libvmaf's option table accepts: the encode's size where it can, the
// scoring size otherwise (a 256x144 rung has enc_height under 150).
func TestCAMBIFeature(t *testing.T) {
	tests := []struct {
		w, h int
		want string
	}{
		{1920, 1080, "cambi=enc_width=1920:enc_height=1080"},
		{384, 216, "cambi=enc_width=384:enc_height=216"},
		{256, 144, "cambi"},
		{216, 150, "cambi=enc_width=216:enc_height=150"},
		{200, 200, "cambi"},
		{160, 96, "cambi"},
	}
	for _, tt := range tests {
		got := cambiFeature(tt.w, tt.h)
		if got != tt.want {
			t.Errorf("cambiFeature(%d, %d) = %q, want %q", tt.w, tt.h, got, tt.want)
		}
		if _, err := quality.Extractors(nil, []string{got}); err != nil {
			t.Errorf("cambiFeature(%d, %d) = %q: %v", tt.w, tt.h, got, err)
		}
	}
}
