package encode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

//go:generate sh testdata/gen.sh

// bytesSource is a Source over memory.
type bytesSource struct{ *bytes.Reader }

func (s bytesSource) Size() int64 { return s.Reader.Size() }

func newBytesSource(b []byte) bytesSource { return bytesSource{bytes.NewReader(b)} }

func TestProbeSeeds(t *testing.T) {
	tests := []struct {
		file, container, codec string
		keyframes              int
	}{
		{"tiny.mp4", "mov,mp4,m4a,3gp,3g2,mj2", "h264", 1},
		{"tiny.mkv", "matroska,webm", "ffv1", 5},
		{"tiny.webm", "matroska,webm", "vp9", 1},
		{"tiny.ts", "mpegts", "mpeg2video", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			info, err := Probe(context.Background(), newBytesSource(b), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			v := info.Video
			if info.Container != tt.container || v.Codec != tt.codec || v.Width != 64 || v.Height != 36 || v.Frames != 5 ||
				len(v.Keyframes) != tt.keyframes || v.Keyframes[0].Frame != 0 || v.Keyframes[0].Pos < 0 || v.BitDepth != 8 {
				t.Errorf("probe: %s %s %dx%d %d frames, %d keyframes %+v, %d-bit", info.Container, v.Codec, v.Width, v.Height, v.Frames, len(v.Keyframes), v.Keyframes, v.BitDepth)
			}
			if len(v.PTS) != 5 || !v.ConstantRate {
				t.Errorf("pts %v, constant %v", v.PTS, v.ConstantRate)
			}
		})
	}
}

// TestSourceReaderSeek checks the AVIO callbacks' contract: AVSEEK_SIZE
// answers the size, AVSEEK_FORCE is ignored, the end is AVERROR_EOF.
func TestSourceReaderSeek(t *testing.T) {
	r := &sourceReader{src: newBytesSource([]byte("0123456789"))}
	if n, err := r.seek(0, avseekSize); n != 10 || err != nil {
		t.Errorf("AVSEEK_SIZE: %d, %v", n, err)
	}
	if n, err := r.seek(-3, io.SeekEnd|avseekForce); n != 7 || err != nil {
		t.Errorf("seek end-3 forced: %d, %v", n, err)
	}
	buf := make([]byte, 8)
	if n, err := r.read(buf); n != 3 || err != nil || string(buf[:n]) != "789" {
		t.Errorf("read at 7: %q, %v", buf[:n], err)
	}
	if _, err := r.read(buf); err == nil {
		t.Error("read at the end: no error, want AVERROR_EOF")
	}
	if _, err := r.seek(-1, io.SeekStart); err == nil {
		t.Error("seek before the start: no error")
	}
}

func TestKeyframeAtOrBefore(t *testing.T) {
	v := &VideoInfo{Keyframes: []Keyframe{{Frame: 0}, {Frame: 10}, {Frame: 20}}}
	for _, tt := range []struct{ frame, want int }{{0, 0}, {5, 0}, {10, 10}, {19, 10}, {25, 20}} {
		if k, ok := v.KeyframeAtOrBefore(tt.frame); !ok || k.Frame != tt.want {
			t.Errorf("KeyframeAtOrBefore(%d) = %d, %v; want %d", tt.frame, k.Frame, ok, tt.want)
		}
	}
	if _, ok := (&VideoInfo{}).KeyframeAtOrBefore(3); ok {
		t.Error("no keyframes: found one")
	}
}

// FuzzProbe feeds corrupted containers to Probe and, when it succeeds, to
// the decoder: neither may panic or hang, and errors must name the input.
// Run it with a short -fuzzminimizetime (make fuzz uses 2s): minimizing
// kilobyte-sized containers for the default 60 s leaves no time to fuzz.
// mezzanineSeeds are the tiny mezzanine formats of gen.sh.
var mezzanineSeeds = []string{"tiny-bframes.avi", "tiny-mjpeg.avi", "tiny-prores.mov", "tiny-interlaced.mxf", "tiny-main10.mp4", "tiny-rotated.mp4"}

// TestProbeMezzanines checks what Probe reports of the mezzanine seeds:
// timestamps decoded for an AVI without pts, field order, rotation,
// timecode, bit depth.
func TestProbeMezzanines(t *testing.T) {
	for _, tc := range []struct {
		file, index, fieldOrder, timecode string
		frames, bitDepth                  int
		rotation                          float64
	}{
		{"tiny-bframes.avi", IndexDecoded, "progressive", "", 5, 8, 0},
		{"tiny-mjpeg.avi", IndexPackets, "progressive", "", 5, 8, 0},
		{"tiny-prores.mov", IndexSampleTable, "progressive", "01:00:00:00", 5, 10, 0},
		{"tiny-interlaced.mxf", IndexPackets, "tt", "00:00:00:00", 5, 8, 0},
		{"tiny-main10.mp4", IndexSampleTable, "progressive", "", 5, 10, 0},
		{"tiny-rotated.mp4", IndexSampleTable, "progressive", "", 5, 8, 90},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			src, closeSrc, err := OpenSource(path)
			if err != nil {
				t.Fatal(err)
			}
			defer closeSrc()
			info, err := Probe(context.Background(), src, path)
			if err != nil {
				t.Fatal(err)
			}
			v := info.Video
			if info.Index != tc.index || v.FieldOrder != tc.fieldOrder || v.Timecode != tc.timecode || v.Frames != tc.frames || v.BitDepth != tc.bitDepth || v.Rotation != tc.rotation {
				t.Errorf("index %s, field order %s, timecode %q, %d frames, %d-bit, rotation %g; want %s, %s, %q, %d, %d, %g",
					info.Index, v.FieldOrder, v.Timecode, v.Frames, v.BitDepth, v.Rotation, tc.index, tc.fieldOrder, tc.timecode, tc.frames, tc.bitDepth, tc.rotation)
			}
		})
	}
}

func FuzzProbe(f *testing.F) {
	for _, name := range append([]string{"tiny.mp4", "tiny.mkv", "tiny.webm", "tiny.ts"}, mezzanineSeeds...) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		ctx := context.Background()
		info, err := Probe(ctx, newBytesSource(data), "fuzz.bin")
		if err != nil {
			if !bytes.Contains([]byte(err.Error()), []byte("fuzz.bin")) {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		if info.Video.Width*info.Video.Height > 1<<16 {
			return // a corrupted header's giant picture only makes the decode slow
		}
		dec, err := OpenVideo(ctx, newBytesSource(data), "fuzz.bin", DecodeOptions{Info: info, Threads: 1, BitDepth: 8})
		if err != nil {
			return
		}
		defer dec.Close()
		p := dec.Info().NewPicture()
		for range 3 {
			if err := dec.ReadPicture(p); err != nil {
				if !errors.Is(err, io.EOF) && !bytes.Contains([]byte(err.Error()), []byte("fuzz.bin")) {
					t.Fatalf("decode error does not name the input: %v", err)
				}
				return
			}
		}
	})
}

// TestNestedOpensRefused checks that an input naming other files (an
// ffconcat list, an HLS playlist) cannot make FFmpeg open them: a source
// is data, never a pointer to local files or URLs.
func TestNestedOpensRefused(t *testing.T) {
	media, err := filepath.Abs(filepath.Join("testdata", "tiny.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"list.ffconcat": "ffconcat version 1.0\nfile '" + media + "'\n",
		"list.m3u8":     "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:0.2,\nfile://" + media + "\n#EXT-X-ENDLIST\n",
	} {
		if _, err := Probe(context.Background(), newBytesSource([]byte(text)), name); err == nil {
			t.Errorf("%s: probed %s through it", name, media)
		}
	}
}
