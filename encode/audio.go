package encode

import (
	"errors"
	"fmt"
	"math"

	"github.com/asticode/go-astiav"
)

// audioCopier copies the source's audio packets into an output, without
// re-encoding and on the source's timeline, like the video.
type audioCopier struct {
	d     *demuxer
	pkt   *astiav.Packet
	out   *atomicMuxer
	outOf map[int]*astiav.Stream // source stream index -> output stream
	names []string               // codec names, for error messages
	// start and end bound the audio copied (source video time base): the
	// encoded frames' time range, or everything when they are the whole
	// source (so that audio before the first frame, such as AAC priming,
	// stays).
	start, end int64
	vtb        astiav.Rational // source video time base
	held       bool            // pkt holds a packet not yet written
	eof        bool
}

// newAudioCopier opens job.Audio and adds an output stream for each of its
// audio streams. It returns nil when the source has no audio.
func newAudioCopier(job ConcatJob, m *atomicMuxer) (*audioCopier, error) {
	d, err := openDemuxer(job.Audio, job.Info.Name)
	if err != nil {
		return nil, err
	}
	v := job.Info.Video
	first, last := job.Chunks[0].Start, job.Chunks[len(job.Chunks)-1].End-1
	a := &audioCopier{
		d: d, pkt: astiav.AllocPacket(), out: m, outOf: map[int]*astiav.Stream{},
		start: v.PTS[first], end: v.PTS[last] + v.FrameDuration(last), vtb: v.TimeBase.av(),
	}
	if first == 0 && last == v.Frames-1 {
		a.start, a.end = math.MinInt64, math.MaxInt64
	}
	for _, s := range d.fc.Streams() {
		if s.CodecParameters().MediaType() != astiav.MediaTypeAudio {
			continue
		}
		os := m.fc.NewStream(nil)
		if err := s.CodecParameters().Copy(os.CodecParameters()); err != nil {
			a.close()
			return nil, fmt.Errorf("encode: %s: audio stream %d: %w", job.Info.Name, s.Index(), err)
		}
		os.CodecParameters().SetCodecTag(0)
		os.SetTimeBase(s.TimeBase())
		a.outOf[s.Index()] = os
		a.names = append(a.names, s.CodecParameters().CodecID().Name())
	}
	if len(a.outOf) == 0 {
		a.close()
		return nil, nil
	}
	return a, nil
}

// writeUntil writes the audio packets whose output dts is before t
// (output time, time base tb).
func (a *audioCopier) writeUntil(t int64, tb astiav.Rational) error {
	for !a.eof {
		if !a.held {
			err := a.d.fc.ReadFrame(a.pkt)
			if errors.Is(err, astiav.ErrEof) {
				a.eof = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("encode: %s: read audio: %w", a.d.name, err)
			}
			if _, ok := a.outOf[a.pkt.StreamIndex()]; !ok {
				a.pkt.Unref()
				continue
			}
			a.held = true
		}
		in := a.d.fc.Streams()[a.pkt.StreamIndex()]
		ts := a.pkt.Pts()
		if ts == astiav.NoPtsValue {
			ts = a.pkt.Dts()
		}
		tv := astiav.RescaleQ(ts, in.TimeBase(), a.vtb) // video time base
		if tv >= astiav.RescaleQ(t, tb, a.vtb) {
			return nil // later than the video written so far: hold it
		}
		a.held = false
		if tv < a.start || tv >= a.end {
			a.pkt.Unref()
			continue
		}
		os := a.outOf[a.pkt.StreamIndex()]
		a.pkt.SetStreamIndex(os.Index())
		a.pkt.SetPos(-1)
		a.pkt.RescaleTs(in.TimeBase(), os.TimeBase())
		if err := a.out.fc.WriteInterleavedFrame(a.pkt); err != nil {
			return fmt.Errorf("encode: %s: write audio: %w", a.out.path, err)
		}
	}
	return nil
}

func (a *audioCopier) close() {
	a.pkt.Free()
	a.d.Close()
}
