package encode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/asticode/go-astiav"
)

// ConcatJob joins encoded chunks into one output file.
type ConcatJob struct {
	// Info is the probe of the source the chunks were encoded from; the
	// output takes its video timestamps.
	Info *Info
	// Chunks and Paths are the chunks in order and their files; the
	// chunks must cover consecutive frames.
	Chunks []Chunk
	Paths  []string
	// Audio, when set, is the source whose audio streams are copied (the
	// part matching the chunks' time range).
	Audio Source
	// AudioTrack, when positive, copies only that audio track (1 is the
	// source's first audio stream); 0 copies every one.
	AudioTrack int
	// Output is the file to write; Format is a libavformat muxer name,
	// or "" to choose by Output's extension (mp4, mkv).
	Output string
	Format string
}

// OutputFormat returns the muxer for an output path: mp4 for .mp4/.m4v/
// .mov, matroska for .mkv.
func OutputFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".m4v", ".mov":
		return "mp4", nil
	case ".mkv":
		return "matroska", nil
	}
	return "", fmt.Errorf("encode: %s: unknown output container (want .mp4 or .mkv)", path)
}

// chunkTiming is what the first pass learns about a chunk file: the frame
// of each packet (its place in the chunk), in decode order.
type chunkTiming struct {
	offsets []int
}

// ConcatResult is what Concat wrote.
type ConcatResult struct {
	// Frames is the number of video frames in the output.
	Frames int `json:"frames"`
	// Lost lists the source frames of the chunks' range that are not in
	// the output because they did not decode (damaged packets).
	Lost []int `json:"lost_frames,omitempty"`
}

// Concat writes the chunks' packets, without re-encoding, into one file
// whose frames carry exactly the source's timestamps (a frame range keeps
// its place on the source's timeline): the packet whose pts is k in chunk
// c is source frame c.Start+k and gets that frame's source pts. Frames a
// chunk lacks (they did not decode) are left out and listed in the result;
// the frame before such a gap lasts until the next frame. Decode
// timestamps are rebuilt for the whole file as the presentation timestamps
// delayed by the largest reorder depth of any chunk, so they increase
// strictly and never pass a pts. The file appears at Output only when
// complete.
func Concat(ctx context.Context, job ConcatJob) (*ConcatResult, error) {
	if len(job.Chunks) == 0 || len(job.Chunks) != len(job.Paths) {
		return nil, fmt.Errorf("encode: concat %s: %d chunks, %d files", job.Output, len(job.Chunks), len(job.Paths))
	}
	for i := 1; i < len(job.Chunks); i++ {
		if job.Chunks[i].Start != job.Chunks[i-1].End {
			return nil, fmt.Errorf("encode: concat %s: chunk %d starts at frame %d, previous ends at %d", job.Output, i, job.Chunks[i].Start, job.Chunks[i-1].End)
		}
	}
	format := job.Format
	if format == "" {
		var err error
		if format, err = OutputFormat(job.Output); err != nil {
			return nil, err
		}
	}
	sc, err := scanChunks(ctx, job)
	if err != nil {
		return nil, err
	}
	defer sc.par.Free()
	if len(sc.present) == 0 {
		return nil, fmt.Errorf("encode: concat %s: %w: none of the %d frames decoded", job.Output, ErrDamaged, len(sc.lost))
	}
	m, err := newAtomicMuxer(job.Output, format)
	if err != nil {
		return nil, err
	}
	defer m.abort()
	v := job.Info.Video
	vst := m.fc.NewStream(nil)
	if err := sc.par.Copy(vst.CodecParameters()); err != nil {
		return nil, fmt.Errorf("encode: concat %s: %w", job.Output, err)
	}
	vst.CodecParameters().SetCodecTag(0)
	vst.SetTimeBase(v.TimeBase.av())
	vst.SetSampleAspectRatio(sc.par.SampleAspectRatio())
	if len(v.DisplayMatrix) > 0 { // a phone's rotation: shown as the source is
		if err := vst.AddSideData(astiav.PacketSideDataTypeDisplaymatrix, v.DisplayMatrix); err != nil {
			return nil, fmt.Errorf("encode: concat %s: rotation: %w", job.Output, err)
		}
	}
	var audio *audioCopier
	if job.Audio != nil {
		audio, err = newAudioCopier(job, m, format)
		if err != nil {
			return nil, err
		}
		if audio != nil {
			defer audio.close()
		}
	}
	if err := m.writeHeader(nil); err != nil {
		if audio != nil {
			return nil, fmt.Errorf("%w: %s cannot hold video %s with audio %s (write .mkv, or drop the audio)", err, format, sc.par.CodecID().Name(), strings.Join(audio.names, ", "))
		}
		return nil, fmt.Errorf("%w: %s cannot hold video %s", err, format, sc.par.CodecID().Name())
	}
	present := sc.present
	first := present[0]
	pts := func(k int) int64 { // pts of the k-th frame written; before the first, extrapolated
		if k < 0 {
			return v.PTS[first] + int64(k)*v.FrameDuration(first)
		}
		return v.PTS[present[k]]
	}
	duration := func(k int) int64 { // until the next frame written
		if k+1 < len(present) {
			return v.PTS[present[k+1]] - v.PTS[present[k]]
		}
		return v.FrameDuration(present[k])
	}
	decodeIndex := 0
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for ci, c := range job.Chunks {
		d, err := openLocalDemuxer(job.Paths[ci])
		if err != nil {
			return nil, err
		}
		for j := 0; ; j++ {
			err := d.fc.ReadFrame(pkt)
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			if err != nil {
				d.Close()
				return nil, fmt.Errorf("encode: concat: %s: read packet: %w", job.Paths[ci], err)
			}
			rank, _ := slices.BinarySearch(present, c.Start+sc.timings[ci].offsets[j])
			outPTS, outDTS := pts(rank), pts(decodeIndex-sc.delay)
			decodeIndex++
			pkt.SetStreamIndex(vst.Index())
			pkt.SetPts(outPTS)
			pkt.SetDts(outDTS)
			pkt.SetDuration(duration(rank))
			pkt.SetPos(-1)
			if audio != nil {
				if err := audio.writeUntil(outDTS, v.TimeBase.av()); err != nil {
					d.Close()
					return nil, err
				}
			}
			pkt.RescaleTs(v.TimeBase.av(), vst.TimeBase())
			if err := m.fc.WriteInterleavedFrame(pkt); err != nil {
				d.Close()
				return nil, fmt.Errorf("encode: concat %s: write packet: %w", job.Output, err)
			}
		}
		d.Close()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if audio != nil {
		last := len(present) - 1
		if err := audio.writeUntil(pts(last)+duration(last), v.TimeBase.av()); err != nil {
			return nil, err
		}
		if err := audio.finish(); err != nil {
			return nil, err
		}
	}
	if err := m.commit(); err != nil {
		return nil, err
	}
	return &ConcatResult{Frames: len(present), Lost: sc.lost}, nil
}

// chunkScan is what scanChunks learns about the chunk files.
type chunkScan struct {
	timings []chunkTiming
	present []int // source frames in the chunks, in presentation order
	lost    []int // source frames of the chunks' range missing from them
	delay   int   // reorder depth: how far a packet's decode position runs ahead of its frame
	par     *astiav.CodecParameters
}

// scanChunks reads every chunk's timestamps (first pass): it checks that
// each chunk holds at most one packet per frame of its range and that all
// chunks share codec parameters, and returns the frames present and lost,
// the reorder delay and the first chunk's codec parameters (which the
// caller frees).
func scanChunks(ctx context.Context, job ConcatJob) (*chunkScan, error) {
	sc := &chunkScan{timings: make([]chunkTiming, len(job.Chunks))}
	fail := func(err error) (*chunkScan, error) {
		if sc.par != nil {
			sc.par.Free()
		}
		return nil, err
	}
	frameTB := encoderTimeBase(job.Info.Video).av()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	decodeIndex := 0
	for ci, c := range job.Chunks {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		d, err := openLocalDemuxer(job.Paths[ci])
		if err != nil {
			return fail(err)
		}
		st := d.fc.Streams()[0]
		cp := st.CodecParameters()
		if sc.par == nil {
			sc.par = astiav.AllocCodecParameters()
			cp.Copy(sc.par)
		} else if cp.CodecID() != sc.par.CodecID() || cp.Width() != sc.par.Width() || cp.Height() != sc.par.Height() || !bytes.Equal(cp.ExtraData(), sc.par.ExtraData()) {
			d.Close()
			return fail(fmt.Errorf("encode: concat: %s: codec parameters differ from the first chunk's", job.Paths[ci]))
		}
		var offsets []int
		for {
			err := d.fc.ReadFrame(pkt)
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			if err != nil {
				d.Close()
				return fail(fmt.Errorf("encode: concat: %s: read packet: %w", job.Paths[ci], err))
			}
			offsets = append(offsets, int(astiav.RescaleQ(pkt.Pts(), st.TimeBase(), frameTB)))
			pkt.Unref()
		}
		d.Close()
		sorted := slices.Clone(offsets)
		slices.Sort(sorted)
		for k, o := range sorted {
			if o < 0 || o >= c.Len() || (k > 0 && o == sorted[k-1]) {
				return fail(fmt.Errorf("encode: concat: %s: packet for frame %d outside the %d frames %d:%d, or repeated", job.Paths[ci], o, c.Len(), c.Start, c.End))
			}
		}
		base := len(sc.present)
		next := 0
		for _, o := range sorted {
			for ; next < o; next++ {
				sc.lost = append(sc.lost, c.Start+next)
			}
			sc.present = append(sc.present, c.Start+o)
			next = o + 1
		}
		for ; next < c.Len(); next++ {
			sc.lost = append(sc.lost, c.Start+next)
		}
		for j, o := range offsets {
			r, _ := slices.BinarySearch(sorted, o)
			// Packet j of this chunk is decoded at global position
			// decodeIndex+j and shown at base+r: its dts must use a delay
			// of at least the difference.
			sc.delay = max(sc.delay, decodeIndex+j-(base+r))
		}
		decodeIndex += len(offsets)
		sc.timings[ci] = chunkTiming{offsets: offsets}
	}
	return sc, nil
}

// openLocalDemuxer opens a local media file.
func openLocalDemuxer(path string) (*demuxer, error) {
	src, closeSrc, err := OpenSource(path)
	if err != nil {
		return nil, err
	}
	d, err := openDemuxer(src, path)
	if err != nil {
		closeSrc()
		return nil, err
	}
	d.release = closeSrc
	if d.fc.NbStreams() != 1 {
		d.Close()
		return nil, fmt.Errorf("encode: concat: %s: want one stream, found %d", path, d.fc.NbStreams())
	}
	return d, nil
}
