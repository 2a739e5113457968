package ladder

import (
	"reflect"
	"strings"
	"testing"
)

func TestSizes(t *testing.T) {
	tests := []struct {
		src     Size
		heights []int
		want    []Size
		err     string
	}{
		{Size{1920, 1080}, nil, []Size{{1920, 1080}, {1280, 720}, {960, 540}, {768, 432}, {640, 360}, {416, 234}}, ""},
		{Size{640, 360}, nil, []Size{{640, 360}, {416, 234}}, ""},
		{Size{768, 432}, nil, []Size{{768, 432}, {640, 360}, {416, 234}}, ""},
		{Size{1280, 720}, []int{360, 720, 360}, []Size{{1280, 720}, {640, 360}}, ""},
		{Size{640, 480}, []int{240}, []Size{{320, 240}}, ""},
		{Size{640, 360}, []int{720}, nil, "resolution 720 lines is above the source's 640x360"},
		{Size{640, 360}, []int{8}, nil, "too small"},
		{Size{0, 0}, nil, nil, "source size"},
	}
	for _, tt := range tests {
		got, err := Sizes(tt.src, tt.heights)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Sizes(%v, %v) err = %v, want %q", tt.src, tt.heights, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Sizes(%v, %v) = %v, %v; want %v", tt.src, tt.heights, got, err, tt.want)
		}
	}
}

func TestCRFGrid(t *testing.T) {
	r, err := CRFRangeFor("x264")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{18, 21, 24, 27, 30, 33, 36, 39, 42, 45}
	if got := r.Values(); !reflect.DeepEqual(got, want) {
		t.Errorf("x264 CRFs = %v, want %v", got, want)
	}
	if _, err := CRFRangeFor("mpeg2"); err == nil {
		t.Error("unknown codec accepted")
	}
	g := Grid([]Size{{640, 360}, {416, 234}}, want)
	if len(g) != 20 || g[10].Size.Height != 234 || g[10].CRF != 18 {
		t.Errorf("Grid = %v", g)
	}
}

func TestFixedFor(t *testing.T) {
	a, err := FixedFor("apple", Size{640, 360})
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 9 || a[0] != (FixedRung{Size{416, 234}, 145}) || a[8] != (FixedRung{Size{640, 360}, 7800}) {
		t.Errorf("apple for 640x360 = %v", a)
	}
	n, err := FixedFor("netflix2015", Size{1920, 1080})
	if err != nil {
		t.Fatal(err)
	}
	if len(n) != 10 || n[0].Kbps != 235 || n[9].Kbps != 5800 || n[0].Size != (Size{426, 240}) {
		t.Errorf("netflix2015 for 1080p = %v", n)
	}
	if _, err := FixedFor("youtube", Size{640, 360}); err == nil || !strings.Contains(err.Error(), "[apple netflix2015]") {
		t.Errorf("unknown ladder: %v", err)
	}
}
