package ladder

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHEVCCodecString(t *testing.T) {
	// header builds a 23-byte hvcC record from its profile byte, the
	// compatibility flags, the six constraint bytes and the level.
	header := func(ptl byte, compat [4]byte, constraints [6]byte, level byte) []byte {
		b := append([]byte{1, ptl}, compat[:]...)
		b = append(b, constraints[:]...)
		return append(b, level, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0)
	}
	tests := []struct {
		name string
		hvcC []byte
		want string
	}{
		// x265 Main, 320x180 (the record in testdata/init/hvc1.mp4).
		{"main", header(0x01, [4]byte{0x60}, [6]byte{0x90}, 60), "hvc1.1.6.L60.90"},
		// Main 10 with only its own compatibility flag; Apple's example.
		{"main10", header(0x02, [4]byte{0x20}, [6]byte{0xb0}, 123), "hvc1.2.4.L123.B0"},
		// High tier, profile space 1, constraint bytes with an inner zero.
		{"high tier", header(0x40|0x20|0x04, [4]byte{0x08, 0, 0, 0x01}, [6]byte{0x98, 0, 0x0c}, 150), "hvc1.A4.80000010.H150.98.0.C"},
		{"no constraints", header(0x01, [4]byte{0x60}, [6]byte{}, 93), "hvc1.1.6.L93"},
	}
	for _, tt := range tests {
		got, err := HEVCCodecString(tt.hvcC)
		if err != nil || got != tt.want {
			t.Errorf("%s: HEVCCodecString = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	for name, bad := range map[string][]byte{
		"empty":   nil,
		"short":   header(0x01, [4]byte{0x60}, [6]byte{0x90}, 60)[:22],
		"annex b": append([]byte{0, 0, 0, 1, 0x40, 0x01}, make([]byte, 20)...),
	} {
		if s, err := HEVCCodecString(bad); err == nil || !strings.HasPrefix(err.Error(), "ladder: hvcC") {
			t.Errorf("%s: HEVCCodecString = %q, %v; want an hvcC error", name, s, err)
		}
	}
}

func TestAV1CodecString(t *testing.T) {
	tests := []struct {
		av1C []byte
		want string
	}{
		{[]byte{0x81, 0x00, 0x0c, 0x00}, "av01.0.00M.08"},             // SVT-AV1 main 8-bit, level 2.0
		{[]byte{0x81, 0x08, 0x4c, 0x00}, "av01.0.08M.10"},             // main 10-bit, level 4.0
		{[]byte{0x81, 0x4d, 0xe0, 0x00, 0x0a}, "av01.2.13H.12"},       // professional 12-bit high tier, level 5.1
		{[]byte{0x81, 0x33, 0x40, 0x10, 0x0a, 0x0b}, "av01.1.19M.10"}, // high profile, level 6.3, OBUs after
	}
	for _, tt := range tests {
		got, err := AV1CodecString(tt.av1C)
		if err != nil || got != tt.want {
			t.Errorf("AV1CodecString(% x) = %q, %v; want %q", tt.av1C, got, err, tt.want)
		}
	}
	for name, bad := range map[string][]byte{
		"empty":           nil,
		"short":           {0x81, 0, 0x0c},
		"version 0":       {0x80, 0, 0x0c, 0},
		"sequence header": {0x0a, 0x0b, 0, 0, 0},
	} {
		if s, err := AV1CodecString(bad); err == nil || !strings.HasPrefix(err.Error(), "ladder: av1C") {
			t.Errorf("%s: AV1CodecString = %q, %v; want an av1C error", name, s, err)
		}
	}
}

func TestVP9CodecString(t *testing.T) {
	tests := []struct {
		vpcC []byte
		want string
	}{
		{[]byte{1, 0, 0, 0, 0, 11, 0x82, 2, 2, 2, 0, 0}, "vp09.00.11.08"},
		{[]byte{1, 0, 0, 0, 2, 31, 0xa2, 9, 16, 9, 0, 0}, "vp09.02.31.10"},
		{[]byte{1, 0, 0, 0, 3, 62, 0xc7, 1, 1, 1, 0, 0}, "vp09.03.62.12"},
	}
	for _, tt := range tests {
		got, err := VP9CodecString(tt.vpcC)
		if err != nil || got != tt.want {
			t.Errorf("VP9CodecString(% x) = %q, %v; want %q", tt.vpcC, got, err, tt.want)
		}
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"short":     {1, 0, 0, 0, 0, 11, 0x82, 2, 2, 2, 0},
		"version 0": {0, 0, 0, 0, 0, 11, 0x82, 2, 2, 2, 0, 0},
		"profile 4": {1, 0, 0, 0, 4, 11, 0x82, 2, 2, 2, 0, 0},
		"no level":  {1, 0, 0, 0, 0, 0, 0x82, 2, 2, 2, 0, 0},
		"depth 9":   {1, 0, 0, 0, 0, 11, 0x92, 2, 2, 2, 0, 0},
	} {
		if s, err := VP9CodecString(bad); err == nil || !strings.HasPrefix(err.Error(), "ladder: vpcC") {
			t.Errorf("%s: VP9CodecString = %q, %v; want a vpcC error", name, s, err)
		}
	}
}

// initCodecTests are init sections written by ffmpeg 5.1's hls muxer for
// 320x180 24 fps encodes, with the CODECS its dash muxer writes for them
// (for HEVC, which it leaves at "hvc1", the Annex E string of the record).
var initCodecTests = []struct {
	file, entry, config string
	parse               func([]byte) (string, error)
	want                string
}{
	{"hvc1.mp4", "hvc1", "hvcC", HEVCCodecString, "hvc1.1.6.L60.90"},
	{"av01.mp4", "av01", "av1C", AV1CodecString, "av01.0.00M.08"},
	{"vp09.mp4", "vp09", "vpcC", VP9CodecString, "vp09.00.11.08"},
}

func TestSampleEntryCodecs(t *testing.T) {
	for _, tt := range initCodecTests {
		path := filepath.Join("testdata", "init", tt.file)
		entry, payload, err := SampleEntry(path, tt.config)
		if err != nil || entry != tt.entry || payload == nil {
			t.Fatalf("SampleEntry(%s) = %q, %d bytes, %v; want %s with %s", path, entry, len(payload), err, tt.entry, tt.config)
		}
		if got, err := tt.parse(payload); err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", path, got, err, tt.want)
		}
		if _, payload, err := SampleEntry(path, "none"); err != nil || payload != nil {
			t.Errorf("%s: absent config box: %d bytes, %v", path, len(payload), err)
		}
	}
	if _, err := InitCodecs("vp9", filepath.Join("testdata", "init", "av01.mp4")); err == nil || !strings.Contains(err.Error(), "av01.mp4") {
		t.Errorf("av01 init section taken for VP9: %v", err)
	}
	init, err := os.ReadFile(filepath.Join("testdata", "init", "vp09.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	badEntry := append([]byte{}, init...) // the vp09 sample entry claims more bytes than its stsd holds
	i := strings.Index(string(badEntry), "vp09")
	copy(badEntry[i-4:i], []byte{0x7f, 0xff, 0xff, 0xff})
	dir := t.TempDir()
	for name, bad := range map[string][]byte{
		"empty":            nil,
		"no moov":          init[:24],
		"cut moov":         init[:len(init)-40],
		"bad sample entry": badEntry,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".mp4")
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if entry, _, err := SampleEntry(path, "vpcC"); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: SampleEntry = %q, %v; want an error naming the file", name, entry, err)
		}
	}
}

// FuzzCodecStrings feeds arbitrary bytes to the record parsers and the
// sample entry walker: errors are fine, panics are not, and every string
// returned has its codec's prefix.
func FuzzCodecStrings(f *testing.F) {
	for _, tt := range initCodecTests {
		init, err := os.ReadFile(filepath.Join("testdata", "init", tt.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(init)
		if _, payload, err := SampleEntry(filepath.Join("testdata", "init", tt.file), tt.config); err == nil {
			f.Add(payload)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for prefix, parse := range map[string]func([]byte) (string, error){
			"hvc1.": HEVCCodecString, "av01.": AV1CodecString, "vp09.": VP9CodecString, "avc1.": AVCCodecString,
		} {
			if s, err := parse(b); err == nil && !strings.HasPrefix(s, prefix) {
				t.Fatalf("%q from % x", s, b)
			}
		}
		moov, err := readTopBox(bytes.NewReader(b), "moov")
		if err != nil {
			moov = b
		}
		for _, config := range []string{"hvcC", "av1C", "vpcC"} {
			if entry, payload, err := parseSampleEntry(moov, config); err == nil && (len(entry) != 4 || len(payload) > len(moov)) {
				t.Fatalf("entry %q with %d-byte %s from a %d-byte moov", entry, len(payload), config, len(moov))
			}
		}
	})
}
