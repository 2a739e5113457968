package quality

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// sampleResult is a small result with a feature that is missing on one
// frame, a tiny value (printed with 16 decimals, as libvmaf does) and a
// subsampled frame list.
func sampleResult() *Result {
	s := NewScores()
	vals := []float64{97.25, 88.5, 91.000001, 60.123456789}
	for i, v := range vals {
		s.Set("integer_adm2", i, 0.9+float64(i)/100)
		s.Set("integer_motion2", i, float64(i)*0.5)
		if i != 2 {
			s.Set("psnr_y", i, 40+float64(i))
		}
		s.Set("tiny", i, 1.5e-9*float64(i+1))
		s.Set("vmaf", i, v)
	}
	return &Result{Scores: s, Frames: 4, Scored: []int{0, 1, 2, 3}, Width: 96, Height: 64, FPS: 12.345}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(path+".got", got, 0o644)
		t.Fatalf("%s differs (wrote %s.got; -update rewrites it)", path, path)
	}
}

func TestWriters(t *testing.T) {
	res := sampleResult()
	tests := []struct {
		golden string
		write  func(*bytes.Buffer) error
	}{
		{"output.golden.json", func(b *bytes.Buffer) error { return WriteJSON(b, res, []string{"p5", "low1"}) }},
		{"output.golden.xml", func(b *bytes.Buffer) error { return WriteXML(b, res, []string{"p5"}) }},
		{"output.golden.csv", func(b *bytes.Buffer) error { return WriteCSV(b, res) }},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, b.Bytes())
		})
	}
}

func TestFormatScore(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0.000000"},
		{1, "1.000000"},
		{99.1578085, "99.157809"}, // rounded to six decimals
		{0.0000001, "0.0000001000000000"},
		{-0.00000012, "-0.0000001200000000"},
		{12.0000000004, "12.0000000004000000"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
	}
	for _, tt := range tests {
		if got := formatScore(tt.v); got != tt.want {
			t.Errorf("formatScore(%v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}
