package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seed reads one of encode's generated fixtures (encode/testdata/gen.sh).
func seed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMatroska(t *testing.T) {
	b := seed(t, "tiny.mkv") // 5 FFV1 frames at 25 fps, every one a keyframe
	x, err := Matroska(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	v := x.Video()
	if v == nil || v.Complete || v.TimeBase != [2]int64{1, 1000} || v.FrameDuration != 40 || len(v.Entries) != 5 {
		t.Fatalf("video track %+v", v)
	}
	for i, e := range v.Entries {
		if e.PTS != int64(40*i) || !e.Key || e.Pos <= 0 || e.Pos >= int64(len(b)) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
}

func TestMP4(t *testing.T) {
	b := seed(t, "tiny.mp4") // 5 H.264 frames, two B-frames, one keyframe
	x, err := MP4(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	v := x.Video()
	if v == nil || !v.Complete || v.Codec != "avc1" || len(v.Entries) != 5 {
		t.Fatalf("video track %+v", v)
	}
	end := int64(0)
	for i, e := range v.Entries {
		if e.Key != (i == 0) || e.Size <= 0 || e.Pos < end || e.Pos+e.Size > int64(len(b)) {
			t.Errorf("sample %d: %+v", i, e)
		}
		end = e.Pos + e.Size
	}
	if v.Entries[1].PTS <= v.Entries[2].PTS { // decode order: P before the Bs it anchors
		t.Errorf("composition offsets not applied: %+v", v.Entries)
	}
}

// mp4Box builds one box.
func mp4Box(typ string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	return append(append(b, typ...), p...)
}

func TestBadInput(t *testing.T) {
	mkv := seed(t, "tiny.mkv")
	mp4 := seed(t, "tiny.mp4")
	mdhd := make([]byte, 24)
	mdhd[14] = 1 // time scale 256
	tests := []struct {
		name string
		mp4  bool
		data []byte
		is   error
	}{
		{"empty matroska", false, nil, nil},
		{"empty mp4", true, nil, nil},
		{"matroska cut in its header", false, mkv[:20], nil},
		{"matroska cut in its cues", false, mkv[:len(mkv)-64], nil},
		{"not EBML", false, []byte("RIFF\x00\x00\x00\x00AVI LIST"), nil},
		{"EBML with a huge size", false, []byte{0x1A, 0x45, 0xDF, 0xA3, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, nil},
		{"mp4 cut in moov", true, mp4[:len(mp4)-40], nil},
		{"mp4 box past the end", true, mp4Box("ftyp", make([]byte, 8))[:12], nil},
		{"mp4 without moov", true, mp4Box("ftyp", []byte("isom\x00\x00\x02\x00")), nil},
		{"fragmented mp4", true, append(mp4Box("moov", mp4Box("mvex")), mp4Box("moof")...), ErrNoIndex},
		{"mp4 box of size 7", true, []byte{0, 0, 0, 7, 'm', 'o', 'o', 'v'}, nil},
		{"mp4 sample table overruns", true, mp4Box("moov", mp4Box("trak",
			mp4Box("mdia", mp4Box("mdhd", mdhd), mp4Box("minf", mp4Box("stbl", mp4Box("stsz", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})))))), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.mp4 {
				_, err = MP4(bytes.NewReader(tt.data), int64(len(tt.data)))
			} else {
				_, err = Matroska(bytes.NewReader(tt.data), int64(len(tt.data)))
			}
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("%v, want %v", err, tt.is)
			}
			t.Log(err)
		})
	}
}

// checkIndex holds what any index returned must satisfy.
func checkIndex(t *testing.T, x *Index, size int64) {
	n := 0
	for _, tr := range x.Tracks {
		n += len(tr.Entries)
		if tr.TimeBase[0] <= 0 || tr.TimeBase[1] <= 0 {
			t.Fatalf("track %d: time base %v", tr.ID, tr.TimeBase)
		}
		for _, e := range tr.Entries {
			if e.Pos > size || e.Size < 0 || e.Pos >= 0 && e.Pos+e.Size > size {
				t.Fatalf("track %d: entry %+v outside %d bytes", tr.ID, e, size)
			}
		}
	}
	if n > maxEntries {
		t.Fatalf("%d entries", n)
	}
}

func FuzzMatroska(f *testing.F) {
	f.Add(seed(f, "tiny.mkv"))
	f.Add(seed(f, "tiny.webm"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := Matroska(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			checkIndex(t, x, int64(len(b)))
		}
	})
}

func FuzzMP4(f *testing.F) {
	f.Add(seed(f, "tiny.mp4"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := MP4(bytes.NewReader(b), int64(len(b)))
		if err == nil {
			checkIndex(t, x, int64(len(b)))
		}
	})
}
