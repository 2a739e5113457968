package encode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/asticode/go-astiav"
)

// chunkFormat is the container of encoded chunks in the work dir: NUT
// keeps any codec and any time base exactly.
const chunkFormat = "nut"

// Chunk is a range of source frames encoded as one piece: frames
// [Start, End) in presentation order. Every chunk starts with a keyframe
// of the output.
type Chunk struct {
	Index int `json:"index"`
	Start int `json:"start"`
	End   int `json:"end"` // exclusive
}

// Len returns the number of frames in the chunk.
func (c Chunk) Len() int { return c.End - c.Start }

// ChunkJob is everything EncodeChunk needs: the source, its probe, the
// frame range, the settings and where to write.
type ChunkJob struct {
	Source   Source
	Info     *Info
	Chunk    Chunk
	Settings Settings
	// Path receives the encoded packets (NUT); it appears only once
	// complete and synced.
	Path string
	// DecodeThreads is the decoder's thread count (0: FFmpeg chooses).
	DecodeThreads int
	// Frames, when set, is called after every encoded frame with the
	// number of frames of the chunk done and the bytes written.
	Frames func(done int, bytes int64)
	// Strict fails the chunk on any packet or frame that does not decode;
	// otherwise the frames that decode are encoded and Concat reports the
	// others.
	Strict bool
}

// EncodeChunk decodes frames [Start, End) of the source, seeking to the
// keyframe before Start, deinterlaces them with bwdif when the source is
// interlaced (unless Settings.KeepInterlaced; bwdif is also given the
// frames on either side of the chunk, so that chunked and one-piece
// encodes see the same pictures), scales them to the settings' height and
// encodes them into job.Path. Each packet's pts is its frame's place in the chunk
// (encoder time base, one frame), so that frames which did not decode
// (damaged packets) leave a gap that Concat sees.
func EncodeChunk(ctx context.Context, job ChunkJob) error {
	s, c, v := job.Settings, job.Chunk, job.Info.Video
	if err := s.Validate(); err != nil {
		return err
	}
	if c.Start < 0 || c.End > v.Frames || c.Start >= c.End {
		return fmt.Errorf("encode: %s: chunk %d frames %d:%d outside 0:%d", job.Info.Name, c.Index, c.Start, c.End, v.Frames)
	}
	frame := astiav.AllocFrame()
	defer frame.Free()
	deint := v.Interlaced() && !s.KeepInterlaced
	first := c.Start
	if deint && first > 0 {
		first-- // bwdif looks at the frame before
	}
	fd, pending, err := openAt(ctx, job.Source, job.Info, first, job.DecodeThreads, frame)
	if err != nil {
		return err
	}
	defer fd.Close()
	ce, err := newChunkEncoder(job.Info, s, c.Index, job.Path)
	if err != nil {
		return err
	}
	defer ce.close()
	next := c.Start // the frame expected next
	// emit encodes frame i of the source when it is the chunk's next.
	emit := func(frame *astiav.Frame, i int) error {
		switch {
		case i < next || i >= c.End:
			return nil // decoded from the keyframe before the chunk, or bwdif's neighbour
		case i > next && job.Strict:
			// Frames come in presentation order: a gap is a frame that did
			// not decode.
			return fmt.Errorf("encode: %s: %w: frames %d:%d did not decode (%d damaged packets)", job.Info.Name, ErrDamaged, next, i, fd.damaged)
		}
		if err := ce.add(frame, i-c.Start); err != nil {
			return err
		}
		next = i + 1
		if job.Frames != nil {
			job.Frames(ce.done, ce.w.bytes)
		}
		return nil
	}
	var di *deinterlacer // bwdif sees the frames before and after the chunk too, as in one piece
	defer func() {
		if di != nil {
			di.close()
		}
	}()
	// drain emits what the deinterlacer has ready.
	drain := func() error {
		for {
			f, err := di.pull()
			if f == nil || err != nil {
				return err
			}
			if err := emit(f, frameIndex(v, f.Pts())); err != nil {
				return err
			}
		}
	}
	for next < c.End {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !pending { // openAt decoded the first frame
			err := fd.next(frame)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		pending = false
		i := frameIndex(v, frame.Pts())
		if i < 0 {
			return fmt.Errorf("encode: %s: decoded a frame with pts %d, which the probe did not see", job.Info.Name, frame.Pts())
		}
		if !deint {
			if err := emit(frame, i); err != nil {
				return err
			}
			continue
		}
		if i < c.Start-1 {
			continue
		}
		if di == nil {
			if di, err = newDeinterlacer(job.Info.Name, frame, fd.stream.TimeBase(), v.SAR.av()); err != nil {
				return err
			}
		}
		if err := di.push(frame); err != nil {
			return err
		}
		if err := drain(); err != nil {
			return err
		}
		if i >= c.End { // bwdif has had the frame after the chunk
			break
		}
	}
	if di != nil {
		if err := di.push(nil); err != nil {
			return err
		}
		if err := drain(); err != nil {
			return err
		}
	}
	if next < c.End && job.Strict {
		return fmt.Errorf("encode: %s: %w: frames %d:%d did not decode (%d damaged packets)", job.Info.Name, ErrDamaged, next, c.End, fd.damaged)
	}
	if job.Strict && fd.damaged > 0 {
		return fmt.Errorf("encode: %s: %w: %d packets did not decode", job.Info.Name, ErrDamaged, fd.damaged)
	}
	if err := ce.finish(job.Path); err != nil {
		return err
	}
	if job.Frames != nil {
		job.Frames(ce.done, ce.w.bytes)
	}
	return nil
}

// openAt opens a decoder of src whose first frame, decoded into f
// (pending true; false when nothing decodes), is at or before frame
// start: it seeks to the keyframe at or before start and, when the
// demuxer lands after it (MPEG-TS seeks by dts, which B-frames put before
// the pts), to each earlier keyframe in turn, down to the start of the
// file.
func openAt(ctx context.Context, src Source, info *Info, start, threads int, f *astiav.Frame) (fd *frameDecoder, pending bool, err error) {
	v := info.Video
	ki, found := slices.BinarySearchFunc(v.Keyframes, start, func(k Keyframe, f int) int { return k.Frame - f })
	if !found {
		ki-- // the keyframe before start, -1 when there is none
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		fd, err := openFrameDecoder(src, info.Name, threads)
		if err != nil {
			return nil, false, err
		}
		seeked := ki >= 0 && v.Keyframes[ki].Frame > 0
		if seeked {
			if err := fd.seek(v.Keyframes[ki].PTS); err != nil {
				fd.Close()
				return nil, false, err
			}
		}
		err = fd.next(f)
		if errors.Is(err, io.EOF) {
			return fd, false, nil
		}
		if err != nil {
			fd.Close()
			return nil, false, err
		}
		if !seeked || frameIndex(v, f.Pts()) <= start {
			return fd, true, nil
		}
		fd.Close()
		ki--
	}
}

// chunkEncoder encodes the frames of one chunk, scaled to the settings,
// into a NUT file that appears under its final name only once complete.
type chunkEncoder struct {
	name  string // the source's, for errors
	index int
	enc   *encoder
	m     *atomicMuxer
	w     *chunkWriter
	sc    *scaler
	done  int // frames sent to the encoder
}

// newChunkEncoder opens the encoder of s and a chunk file for chunk index
// next to path (the name it gets may be given only to finish).
func newChunkEncoder(info *Info, s Settings, index int, path string) (*chunkEncoder, error) {
	enc, err := newEncoder(info, s)
	if err != nil {
		return nil, err
	}
	m, err := newAtomicMuxer(path, chunkFormat)
	if err != nil {
		enc.close()
		return nil, err
	}
	ce := &chunkEncoder{name: info.Name, index: index, enc: enc, m: m,
		sc: newScaler(enc.cc.Width(), enc.cc.Height(), enc.cc.PixelFormat())}
	st := m.fc.NewStream(nil)
	if err := st.CodecParameters().FromCodecContext(enc.cc); err != nil {
		ce.close()
		return nil, fmt.Errorf("encode: chunk %d: stream parameters: %w", index, err)
	}
	st.SetTimeBase(enc.cc.TimeBase())
	// Timestamps are written as the encoder gives them (no shift to make
	// dts non-negative), so that a packet's pts stays its frame's place.
	hdr := astiav.NewDictionary()
	defer hdr.Free()
	hdr.Set("avoid_negative_ts", "disabled", 0)
	if err := m.writeHeader(hdr); err != nil {
		ce.close()
		return nil, err
	}
	ce.w = &chunkWriter{m: m, st: st, tb: enc.cc.TimeBase()}
	return ce, nil
}

// add encodes a decoded source frame, the place-th of the chunk.
func (ce *chunkEncoder) add(frame *astiav.Frame, place int) error {
	f, err := ce.sc.convert(frame)
	if err != nil {
		return fmt.Errorf("encode: %s: %w", ce.name, err)
	}
	f.SetPictureType(astiav.PictureTypeNone) // let the encoder choose; decoders mark I frames
	// The pts is the frame's place in the chunk, so that Concat knows
	// which frames are there when some did not decode.
	f.SetPts(int64(place))
	err = ce.enc.send(f, ce.w.write)
	f.Unref() // the encoder keeps its own reference: the scaler must not write into this buffer again
	if err != nil {
		return err
	}
	ce.done++
	return nil
}

// finish flushes the encoder, checks that it gave one packet per frame and
// renames the chunk file into place as path.
func (ce *chunkEncoder) finish(path string) error {
	if err := ce.enc.send(nil, ce.w.write); err != nil {
		return err
	}
	if ce.w.packets != ce.done {
		return fmt.Errorf("encode: %s: chunk %d: encoder gave %d packets for %d frames", ce.name, ce.index, ce.w.packets, ce.done)
	}
	ce.m.path = path
	return ce.m.commit()
}

// close frees the encoder and removes the chunk file unless finish
// committed it.
func (ce *chunkEncoder) close() {
	ce.m.abort()
	ce.sc.free()
	ce.enc.close()
}

// chunkWriter writes encoded packets into a chunk file.
type chunkWriter struct {
	m       *atomicMuxer
	st      *astiav.Stream
	tb      astiav.Rational
	packets int
	bytes   int64
}

func (w *chunkWriter) write(p *astiav.Packet) error {
	p.SetStreamIndex(w.st.Index())
	p.RescaleTs(w.tb, w.st.TimeBase())
	w.packets++
	w.bytes += int64(p.Size())
	if err := w.m.fc.WriteFrame(p); err != nil {
		return fmt.Errorf("encode: %s: write packet: %w", w.m.path, err)
	}
	return nil
}
