package ladder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMasterPlaylist(t *testing.T) {
	got, err := MasterPlaylist([]Variant{
		{URI: "r1.m3u8", Bandwidth: 900000, AverageBandwidth: 700000, Width: 640, Height: 360, Codecs: "avc1.64001e", FrameRate: 29.833333},
		{URI: "r0.m3u8", Bandwidth: 300000, AverageBandwidth: 250000, Width: 416, Height: 234, Codecs: "avc1.64000d", FrameRate: 29.833333},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=300000,AVERAGE-BANDWIDTH=250000,RESOLUTION=416x234,CODECS="avc1.64000d",FRAME-RATE=29.833
r0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.64001e",FRAME-RATE=29.833
r1.m3u8
`
	if string(got) != want {
		t.Errorf("master:\n%s\nwant:\n%s", got, want)
	}
	if _, err := MasterPlaylist(nil); err == nil {
		t.Error("empty master accepted")
	}
	if _, err := MasterPlaylist([]Variant{{URI: "a.m3u8"}}); err == nil {
		t.Error("variant without bandwidth accepted")
	}
}

func TestParseMediaPlaylist(t *testing.T) {
	pl := "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"r0.mp4\",BYTERANGE=\"848@0\"\n" +
		"#EXTINF:2.0,\n#EXT-X-BYTERANGE:1000@848\nr0.mp4\n#EXTINF:1.5,\n#EXT-X-BYTERANGE:500\nr0.mp4\n#EXT-X-ENDLIST\n"
	segs, err := ParseMediaPlaylist("r0.m3u8", []byte(pl))
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 || segs[0] != (Segment{"r0.mp4", 2, 1000, 848}) || segs[1] != (Segment{"r0.mp4", 1.5, 500, 1848}) {
		t.Errorf("segments %+v", segs)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r0.m3u8")
	os.WriteFile(path, []byte(pl), 0o644)
	peak, avg, err := PlaylistBitrates(path)
	if err != nil || peak != 4000 || avg != 3429 {
		t.Errorf("PlaylistBitrates = %d, %d, %v; want 4000, 3429", peak, avg, err)
	}
	for name, bad := range map[string]string{
		"not m3u8":      "hello\n",
		"no extinf":     "#EXTM3U\nseg.mp4\n",
		"bad duration":  "#EXTM3U\n#EXTINF:abc,\nseg.mp4\n",
		"zero duration": "#EXTM3U\n#EXTINF:0,\nseg.mp4\n",
		"bad range":     "#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:x@1\nseg.mp4\n",
		"empty":         "#EXTM3U\n#EXT-X-ENDLIST\n",
	} {
		if _, err := ParseMediaPlaylist("p.m3u8", []byte(bad)); err == nil || !strings.Contains(err.Error(), "p.m3u8") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzParseMediaPlaylist(f *testing.F) {
	f.Add([]byte("#EXTM3U\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:1000@848\nr0.mp4\n#EXT-X-ENDLIST\n"))
	f.Add([]byte("#EXTM3U\n#EXTINF:1,\nseg.mp4\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := ParseMediaPlaylist("fuzz.m3u8", b)
		if err == nil {
			for _, s := range segs {
				if s.Duration <= 0 || s.URI == "" || s.Offset < 0 {
					t.Fatalf("bad segment %+v", s)
				}
			}
		}
	})
}

func TestAVCCodecString(t *testing.T) {
	tests := []struct {
		extra []byte
		want  string
	}{
		{[]byte{1, 0x64, 0x00, 0x1e, 0xff}, "avc1.64001e"},
		{[]byte{0, 0, 0, 1, 0x67, 0x4d, 0x40, 0x1f, 0xaa}, "avc1.4d401f"},
		{[]byte{0, 0, 1, 0x68, 1, 2, 3, 0, 0, 1, 0x27, 0x42, 0xc0, 0x0d}, "avc1.42c00d"},
	}
	for _, tt := range tests {
		got, err := AVCCodecString(tt.extra)
		if err != nil || got != tt.want {
			t.Errorf("AVCCodecString(% x) = %q, %v; want %q", tt.extra, got, err, tt.want)
		}
	}
	if _, err := AVCCodecString([]byte{0, 0, 1, 0x68}); err == nil {
		t.Error("no SPS accepted")
	}
}
