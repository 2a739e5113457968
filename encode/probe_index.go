package encode

import (
	"context"
	"errors"
	"strings"

	"github.com/asticode/go-astiav"

	"rung/encode/index"
)

// How Probe learned the frames of Info.Video (Info.Index).
const (
	IndexPackets     = "packets"      // every packet read
	IndexCues        = "cues"         // Matroska Cues listing every frame
	IndexSampleTable = "sample_table" // MP4/QuickTime sample tables
	// IndexDecoded: the packets have no presentation times (an AVI with
	// B-frames); every frame was decoded for its best-effort timestamp.
	IndexDecoded = "decoded"
)

// verifyPackets is how many video packets from the start of the file are
// checked against the container index before it is trusted.
const verifyPackets = 4

// indexFrame is one video frame of a container index, in decode order.
type indexFrame = index.Entry

// probeIndex fills the frame list and keyframe index of info.Video from the
// container's own index, when the index lists every video frame and agrees
// with the packets libavformat reads at the start and at the end of the
// file, so that probing a large object reads kilobytes of it. It returns
// used false, leaving info as it was, when the index cannot be used: Probe
// then reads every packet, from the start again when moved says the check
// read packets from d.
func probeIndex(ctx context.Context, d *demuxer, src Source, info *Info) (used, moved bool) {
	frames, method := indexedFrames(src, info)
	if frames == nil {
		return false, false
	}
	v := info.Video
	shift, ok := checkHead(ctx, d, v.Index, frames)
	if !ok {
		return false, true
	}
	lastDur, ok := checkTail(ctx, d, v.Index, frames, shift)
	if !ok {
		return false, true
	}
	v.PTS = make([]int64, len(frames))
	var keys []Keyframe
	for i, f := range frames {
		if f.Pos >= 0 && f.Size > 0 {
			info.indexEnd = max(info.indexEnd, f.Pos+f.Size)
		}
		v.PTS[i] = f.PTS + shift.pts
		if f.Key {
			keys = append(keys, Keyframe{PTS: v.PTS[i], Pos: f.Pos})
		}
	}
	v.setFrames(keys, lastDur)
	info.Streams[v.Index].Packets = v.Frames
	info.Index = method
	return true, true
}

// indexedFrames returns every video frame the container's index lists, in
// decode order, or nil when the index does not list every one.
func indexedFrames(src Source, info *Info) ([]indexFrame, string) {
	var (
		x      *index.Index
		err    error
		method string
	)
	switch {
	case strings.Contains(info.Container, "matroska"):
		x, err = index.Matroska(src, src.Size())
		method = IndexCues
	case strings.Contains(info.Container, "mp4") || strings.Contains(info.Container, "mov"):
		x, err = index.MP4(src, src.Size())
		method = IndexSampleTable
	default:
		return nil, ""
	}
	if err != nil {
		if errors.Is(err, index.ErrPastEnd) {
			info.indexErr = err // checkComplete refuses the file
		}
		return nil, ""
	}
	if nthVideo(info) != 0 {
		return nil, "" // the index's first video track is not the stream rung decodes
	}
	t := x.Video()
	v := info.Video
	if t == nil || len(t.Entries) == 0 {
		return nil, ""
	}
	num, den := t.TimeBase[0], t.TimeBase[1]
	if num*int64(v.TimeBase.Den) != int64(v.TimeBase.Num)*den {
		return nil, "" // another time base: the index's timestamps are not libavformat's
	}
	if t.Complete {
		return t.Entries, method
	}
	// Cues list keyframes only: they list every frame when no two cue
	// points are more than one frame apart.
	step := t.FrameDuration
	if step <= 0 && v.FrameRate.Num > 0 && v.FrameRate.Den > 0 {
		step = float64(v.FrameRate.Den) * float64(den) / (float64(v.FrameRate.Num) * float64(num))
	}
	if step <= 0 {
		return nil, ""
	}
	for i := 1; i < len(t.Entries); i++ {
		if float64(t.Entries[i].PTS-t.Entries[i-1].PTS) > 1.5*step {
			return nil, ""
		}
	}
	return t.Entries, method
}

// nthVideo returns how many video streams come before info.Video.
func nthVideo(info *Info) int {
	n := 0
	for _, s := range info.Streams {
		if s.Index == info.Video.Index {
			return n
		}
		if s.Type == astiav.MediaTypeVideo.String() {
			n++
		}
	}
	return -1
}

// shift is what libavformat adds to the index's timestamps (an MP4 edit
// list moves them); it must be the same for every frame.
type shift struct {
	pts, dts int64
	set      bool
}

// match checks one video packet against frame f of the index.
func (s *shift) match(pkt *astiav.Packet, f indexFrame, next *indexFrame) bool {
	pts, dts := pkt.Pts(), pkt.Dts()
	if pts == astiav.NoPtsValue {
		pts = dts
	}
	if dts == astiav.NoPtsValue {
		dts = pts
	}
	if pts == astiav.NoPtsValue || pkt.Flags().Has(astiav.PacketFlagKey) != f.Key {
		return false
	}
	if !s.set {
		s.pts, s.dts, s.set = pts-f.PTS, dts-f.DTS, true
	}
	if pts-f.PTS != s.pts || dts-f.DTS != s.dts {
		return false
	}
	// A sample table gives the packet's own offset; Cues give its
	// cluster's, before the next cue's cluster.
	if f.Size > 0 {
		return pkt.Pos() == f.Pos
	}
	return pkt.Pos() < 0 || f.Pos < 0 || pkt.Pos() >= f.Pos && (next == nil || next.Pos <= f.Pos || pkt.Pos() < next.Pos)
}

// checkHead reads the first video packets of the file and checks them
// against the index. It returns the timestamp shift they agree on.
func checkHead(ctx context.Context, d *demuxer, stream int, frames []indexFrame) (shift, bool) {
	var s shift
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for k := 0; k < min(verifyPackets, len(frames)); {
		if ctx.Err() != nil || d.fc.ReadFrame(pkt) != nil {
			return s, false
		}
		if pkt.StreamIndex() == stream {
			if !s.match(pkt, frames[k], nextFrame(frames, k)) {
				pkt.Unref()
				return s, false
			}
			k++
		}
		pkt.Unref()
	}
	return s, true
}

// checkTail seeks to the last keyframe of the index and reads to the end
// of the file: the video packets there must be exactly the index's last
// frames, so the index is neither cut short nor longer than the file. It
// returns the duration of the frame with the largest timestamp, as its
// packet states it.
func checkTail(ctx context.Context, d *demuxer, stream int, frames []indexFrame, s shift) (lastDur int64, ok bool) {
	last := -1
	for i := len(frames) - 1; i >= 0; i-- {
		if frames[i].Key {
			last = i
			break
		}
	}
	if last < 0 {
		return 0, false
	}
	if err := d.fc.SeekFrame(stream, frames[last].DTS+s.dts, astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
		return 0, false
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	k, maxPTS := last, int64(0)
	for {
		if ctx.Err() != nil {
			return 0, false
		}
		err := d.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return 0, false
		}
		if pkt.StreamIndex() == stream {
			// libavformat may land a little before the keyframe it was
			// asked for: skip what comes before it.
			if k == last && !pkt.Flags().Has(astiav.PacketFlagKey) || k >= len(frames) || !s.match(pkt, frames[k], nextFrame(frames, k)) {
				if k == last {
					pkt.Unref()
					continue
				}
				pkt.Unref()
				return 0, false
			}
			if pts := frames[k].PTS + s.pts; k == last || pts > maxPTS {
				maxPTS, lastDur = pts, pkt.Duration()
			}
			k++
		}
		pkt.Unref()
	}
	return lastDur, k == len(frames)
}

func nextFrame(frames []indexFrame, k int) *indexFrame {
	if k+1 < len(frames) {
		return &frames[k+1]
	}
	return nil
}
