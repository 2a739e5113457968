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
	outOf map[int]*audioOut // source stream index -> its output
	names []string          // codec names, for error messages
	// start and end bound the audio copied (source video time base): the
	// encoded frames' time range, or everything when they are the whole
	// source (so that audio before the first frame, such as AAC priming,
	// stays).
	start, end int64
	vtb        astiav.Rational // source video time base
	held       bool            // pkt holds a packet not yet written
	eof        bool
}

// audioOut is where one source audio stream goes: an output stream, fed
// by copying or, when the container cannot hold the codec, through AAC.
type audioOut struct {
	st  *astiav.Stream
	aac *aacTranscoder // nil: packets are copied
}

// newAudioCopier opens job.Audio and adds an output stream for each of its
// audio streams (re-encoded to AAC when format is mp4 and cannot hold the
// codec). It returns nil when the source has no audio.
func newAudioCopier(job ConcatJob, m *atomicMuxer, format string) (*audioCopier, error) {
	d, err := openDemuxer(job.Audio, job.Info.Name)
	if err != nil {
		return nil, err
	}
	v := job.Info.Video
	first, last := job.Chunks[0].Start, job.Chunks[len(job.Chunks)-1].End-1
	a := &audioCopier{
		d: d, pkt: astiav.AllocPacket(), out: m, outOf: map[int]*audioOut{},
		start: v.PTS[first], end: v.PTS[last] + v.FrameDuration(last), vtb: v.TimeBase.av(),
	}
	if first == 0 && last == v.Frames-1 {
		a.start, a.end = math.MinInt64, math.MaxInt64
	}
	track := 0
	for _, s := range d.fc.Streams() {
		if s.CodecParameters().MediaType() != astiav.MediaTypeAudio {
			continue
		}
		if track++; job.AudioTrack > 0 && track != job.AudioTrack {
			continue
		}
		out := &audioOut{st: m.fc.NewStream(nil)}
		a.outOf[s.Index()] = out
		codec := s.CodecParameters().CodecID().Name()
		a.names = append(a.names, codec)
		if format == "mp4" && !mp4Audio[codec] {
			if out.aac, err = newAACTranscoder(job.Info.Name, s, out.st); err != nil {
				a.close()
				return nil, err
			}
			continue
		}
		if err := s.CodecParameters().Copy(out.st.CodecParameters()); err != nil {
			a.close()
			return nil, fmt.Errorf("encode: %s: audio stream %d: %w", job.Info.Name, s.Index(), err)
		}
		out.st.CodecParameters().SetCodecTag(0)
		out.st.SetTimeBase(s.TimeBase())
	}
	if job.AudioTrack > track {
		a.close()
		return nil, fmt.Errorf("encode: %s: audio track %d asked for, the source has %d", job.Info.Name, job.AudioTrack, track)
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
		out := a.outOf[a.pkt.StreamIndex()]
		if out.aac != nil {
			err := out.aac.send(a.pkt, a.writer(out, out.aac.enc.TimeBase()))
			a.pkt.Unref()
			if err != nil {
				return err
			}
			continue
		}
		if err := a.writer(out, in.TimeBase())(a.pkt); err != nil {
			return err
		}
	}
	return nil
}

// writer returns the function writing a packet in time base tb to out.
func (a *audioCopier) writer(out *audioOut, tb astiav.Rational) func(*astiav.Packet) error {
	return func(p *astiav.Packet) error {
		p.SetStreamIndex(out.st.Index())
		p.SetPos(-1)
		p.RescaleTs(tb, out.st.TimeBase())
		if err := a.out.fc.WriteInterleavedFrame(p); err != nil {
			return fmt.Errorf("encode: %s: write audio: %w", a.out.path, err)
		}
		return nil
	}
}

// finish flushes the AAC encoders, once every packet has been read.
func (a *audioCopier) finish() error {
	for _, out := range a.outOf {
		if out.aac != nil {
			if err := out.aac.send(nil, a.writer(out, out.aac.enc.TimeBase())); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *audioCopier) close() {
	for _, out := range a.outOf {
		if out.aac != nil {
			out.aac.close()
		}
	}
	a.pkt.Free()
	a.d.Close()
}
