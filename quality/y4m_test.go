package quality

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// y4mStream builds a y4m stream with the given header and n frames whose
// samples count up from seed.
func y4mStream(header string, frameBytes, n int, seed byte) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for k := range n {
		b.WriteString("FRAME\n")
		for j := range frameBytes {
			b.WriteByte(seed + byte(k+j))
		}
	}
	return b.Bytes()
}

func TestY4MHeaders(t *testing.T) {
	tests := []struct {
		header string
		chroma ChromaFormat
		depth  int
		bytes  int // per frame
	}{
		{"YUV4MPEG2 W4 H2 F25:1 Ip A1:1", Chroma420, 8, 8 + 2 + 2},
		{"YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420jpeg XYSCSS=420JPEG", Chroma420, 8, 12},
		{"YUV4MPEG2 W4 H2 F179:6 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED", Chroma420, 8, 12},
		{"YUV4MPEG2 W4 H2 C420paldv", Chroma420, 8, 12},
		{"YUV4MPEG2 W4 H2 C420", Chroma420, 8, 12},
		{"YUV4MPEG2 W4 H2 C422", Chroma422, 8, 8 + 4 + 4},
		{"YUV4MPEG2 W4 H2 C444", Chroma444, 8, 24},
		{"YUV4MPEG2 W4 H2 Cmono", Chroma400, 8, 8},
		{"YUV4MPEG2 W4 H2 C420p10 XYSCSS=420P10", Chroma420, 10, 24},
		{"YUV4MPEG2 W4 H2 C422p10", Chroma422, 10, 32},
		{"YUV4MPEG2 W4 H2 C444p12", Chroma444, 12, 48},
		{"YUV4MPEG2 W3 H3 C420jpeg", Chroma420, 8, 9 + 4 + 4}, // odd sizes round chroma up
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			data := y4mStream(tt.header, tt.bytes, 3, 7)
			r, err := NewY4MReader(bytes.NewReader(data), "t.y4m")
			if err != nil {
				t.Fatal(err)
			}
			info := r.Info()
			if info.Chroma != tt.chroma || info.BitDepth != tt.depth {
				t.Fatalf("got %s, want chroma %s depth %d", info.Format(), tt.chroma, tt.depth)
			}
			p := info.NewPicture()
			for k := range 3 {
				if err := r.ReadPicture(p); err != nil {
					t.Fatalf("frame %d: %v", k, err)
				}
				want := uint16(7 + byte(k))
				if tt.depth > 8 {
					want = uint16(7+byte(k)) | uint16(8+byte(k))<<8
				}
				if p.Planes[0][0] != want {
					t.Fatalf("frame %d: first sample %d, want %d", k, p.Planes[0][0], want)
				}
			}
			if err := r.ReadPicture(p); !errors.Is(err, io.EOF) {
				t.Fatalf("after last frame: %v, want io.EOF", err)
			}
		})
	}
}

func TestY4MFrameParameters(t *testing.T) {
	data := []byte("YUV4MPEG2 W2 H2 C444\nFRAME Ixyz XFOO=1\n" + strings.Repeat("a", 12))
	r, err := NewY4MReader(bytes.NewReader(data), "t.y4m")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Info().NewPicture()
	if err := r.ReadPicture(p); err != nil {
		t.Fatal(err)
	}
	if p.Planes[2][3] != 'a' {
		t.Fatalf("sample %d", p.Planes[2][3])
	}
}

func TestY4MErrors(t *testing.T) {
	good := y4mStream("YUV4MPEG2 W4 H2 C420jpeg", 12, 2, 0)
	tests := []struct {
		name    string
		data    []byte
		atOpen  bool
		wantSub string
	}{
		{"empty", nil, true, "empty file"},
		{"not y4m", []byte("hello world\n"), true, "not a y4m stream"},
		{"no newline", []byte("YUV4MPEG2 W4 H2"), true, "truncated y4m header"},
		{"huge header", []byte("YUV4MPEG2 X" + strings.Repeat("a", 10000) + "\n"), true, "longer than"},
		{"no width", []byte("YUV4MPEG2 H2\n"), true, "missing width"},
		{"bad width", []byte("YUV4MPEG2 W-4 H2\n"), true, "bad W value"},
		{"huge width", []byte("YUV4MPEG2 W999999 H2\n"), true, "bad W value"},
		{"bad rate", []byte("YUV4MPEG2 W4 H2 Fx\n"), true, "bad frame rate"},
		{"bad colorspace", []byte("YUV4MPEG2 W4 H2 C411\n"), true, "unsupported colorspace"},
		{"bad depth", []byte("YUV4MPEG2 W4 H2 C420p99\n"), true, "unsupported colorspace"},
		{"unknown tag", []byte("YUV4MPEG2 W4 H2 Z1\n"), true, "unknown parameter"},
		{"truncated frame", good[:len(good)-3], false, "frame 1: truncated frame data"},
		{"truncated chroma", good[:len(good)-5], false, "frame 1: truncated frame data"},
		{"bad frame header", append(append([]byte{}, good[:len(good)-12-6]...), []byte("FRAMX\n")...), false, "bad frame header"},
		{"truncated frame header", append(append([]byte{}, good[:len(good)-12-6]...), []byte("FRA")...), false, "truncated frame header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewY4MReader(bytes.NewReader(tt.data), "in.y4m")
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				p := r.Info().NewPicture()
				for err == nil {
					err = r.ReadPicture(p)
				}
			}
			if err == nil || errors.Is(err, io.EOF) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantSub)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantSub) || !strings.Contains(msg, "in.y4m") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming in.y4m and containing %q", msg, tt.wantSub)
			}
		})
	}
}

func TestRawReader(t *testing.T) {
	data := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6}, 4) // two 2x2 yuv420p10le frames... of 12 bytes each
	r, err := NewRawReader(bytes.NewReader(data), "in.yuv", 2, 2, "yuv420p10le", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().Frames != 2 {
		t.Fatalf("frames %d", r.Info().Frames)
	}
	p := r.Info().NewPicture()
	for range 2 {
		if err := r.ReadPicture(p); err != nil {
			t.Fatal(err)
		}
	}
	if p.Planes[0][0] != 0x0201 {
		t.Fatalf("sample %#x", p.Planes[0][0])
	}
	if err := r.ReadPicture(p); !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	if _, err := NewRawReader(bytes.NewReader(data), "in.yuv", 2, 2, "yuv420p10le", 13); err == nil || !strings.Contains(err.Error(), "in.yuv") {
		t.Fatalf("odd size: %v", err)
	}
	if _, err := NewRawReader(bytes.NewReader(data), "in.yuv", 2, 2, "nv12", -1); err == nil || !strings.Contains(err.Error(), "unknown pixel format") {
		t.Fatalf("bad pixfmt: %v", err)
	}
	r, _ = NewRawReader(bytes.NewReader(data[:15]), "in.yuv", 2, 2, "yuv420p10le", -1)
	_ = r.ReadPicture(p)
	if err := r.ReadPicture(p); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated: %v", err)
	}
}

// TestWiden8Asm checks the generated widening kernels (where the CPU has
// them) against the Go loop on random bytes of every length up to 300.
func TestWiden8Asm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 300 {
		src := make([]byte, n)
		for j := range src {
			src[j] = byte(rng.IntN(256))
		}
		dst := make([]uint16, n+1)
		dst[n] = 0xBEEF
		k := widen8Asm(dst[:n], src)
		if k > n {
			t.Fatalf("n %d: kernel did %d", n, k)
		}
		for j := range k {
			if dst[j] != uint16(src[j]) {
				t.Fatalf("n %d: dst[%d] = %d, want %d", n, j, dst[j], src[j])
			}
		}
		if dst[n] != 0xBEEF {
			t.Fatalf("n %d: kernel wrote past the end", n)
		}
	}
}
