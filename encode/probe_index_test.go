package encode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
)

// countingSource counts the bytes read through it.
type countingSource struct {
	Source
	read atomic.Int64
}

func (c *countingSource) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.Source.ReadAt(p, off)
	c.read.Add(int64(n))
	return n, err
}

// makeClip runs ffmpeg with a test pattern (and a tone) as input and args
// as the output options, writing dir/name.
func makeClip(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	in := []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24:duration=4",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=4"}
	runFFmpeg(t, append(append(in, args...), out)...)
	return out
}

// TestProbeIndexMatchesPackets checks that a probe from the container's
// index gives the frame list, keyframes and durations of a probe that reads
// every packet, while reading a fraction of the file, and that inputs
// whose index does not list every frame fall back to reading packets.
func TestProbeIndexMatchesPackets(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		index string
	}{
		{"intra.mkv", []string{"-map", "0:v", "-c:v", "ffv1", "-g", "1"}, IndexCues},
		{"intra-audio.mkv", []string{"-c:v", "ffv1", "-g", "1", "-c:a", "pcm_s16le"}, IndexCues},
		{"intra.webm", []string{"-map", "0:v", "-c:v", "libvpx-vp9", "-g", "1", "-deadline", "realtime", "-cpu-used", "8"}, IndexCues},
		{"gop.mkv", []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "24"}, IndexPackets},
		{"bframes.mp4", []string{"-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-bf", "3", "-c:a", "aac"}, IndexSampleTable},
		{"faststart.mov", []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "12", "-c:a", "pcm_s16le", "-movflags", "+faststart"}, IndexSampleTable},
		{"intra.mov", []string{"-map", "0:v", "-c:v", "prores_ks", "-profile:v", "0"}, IndexSampleTable},
		{"fragmented.mp4", []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-movflags", "frag_keyframe+empty_moov"}, IndexPackets},
		{"vfr.mp4", []string{"-map", "0:v", "-vf", "select='not(eq(mod(n,5),3))'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2"}, IndexSampleTable},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := makeClip(t, dir, tt.name, tt.args...)
			src, closeSrc, err := OpenSource(path)
			if err != nil {
				t.Fatal(err)
			}
			defer closeSrc()
			want, err := probe(ctx, src, path, false)
			if err != nil {
				t.Fatal(err)
			}
			cs := &countingSource{Source: src}
			got, err := Probe(ctx, cs, path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Index != tt.index {
				t.Fatalf("probe used the %s, want the %s", got.Index, tt.index)
			}
			g, w := got.Video, want.Video
			if g.Frames != w.Frames || !slices.Equal(g.PTS, w.PTS) || g.Duration != w.Duration || g.ConstantRate != w.ConstantRate {
				t.Errorf("index: %d frames, %.6f s, constant %v, pts %v\npackets: %d frames, %.6f s, constant %v, pts %v",
					g.Frames, g.Duration, g.ConstantRate, g.PTS, w.Frames, w.Duration, w.ConstantRate, w.PTS)
			}
			if len(g.Keyframes) != len(w.Keyframes) {
				t.Fatalf("%d keyframes, want %d", len(g.Keyframes), len(w.Keyframes))
			}
			for i, k := range g.Keyframes {
				wk := w.Keyframes[i]
				// Cues locate a keyframe's cluster, a few bytes before its packet.
				if k.Frame != wk.Frame || k.PTS != wk.PTS || k.Pos > wk.Pos || (got.Index == IndexSampleTable && k.Pos != wk.Pos) {
					t.Errorf("keyframe %d: %+v, want %+v", i, k, wk)
				}
			}
			for i, s := range got.Streams {
				// An indexed probe counts the video packets only.
				if s.Packets != want.Streams[i].Packets && (s.Packets != 0 || i == g.Index) {
					t.Errorf("stream %d: %d packets, want %d", i, s.Packets, want.Streams[i].Packets)
				}
			}
			if got.Index != IndexPackets {
				frac := float64(cs.read.Load()) / float64(src.Size())
				t.Logf("%s: read %d of %d bytes (%.1f%%)", tt.name, cs.read.Load(), src.Size(), 100*frac)
			}
		})
	}
}

// TestProbeIndexTruncated checks that a file cut short is refused whether
// its index survives (MP4 with the moov first) or not (Matroska with its
// Cues at the end).
func TestProbeIndexTruncated(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	for _, f := range []struct{ name, codec, flags string }{
		{"cut.mov", "libx264", "+faststart"},
		{"cut.mkv", "ffv1", ""},
	} {
		t.Run(f.name, func(t *testing.T) {
			args := []string{"-map", "0:v", "-c:v", f.codec}
			if f.flags != "" {
				args = append(args, "-movflags", f.flags)
			}
			path := makeClip(t, dir, f.name, args...)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Probe(context.Background(), newBytesSource(b[:len(b)*2/3]), f.name)
			if err == nil || !errors.Is(err, ErrTruncated) {
				t.Fatalf("probe of a file cut at 2/3: %v, want %v", err, ErrTruncated)
			}
		})
	}
}
