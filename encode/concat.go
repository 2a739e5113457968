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

// chunkTiming is what the first pass learns about a chunk file: the
// presentation rank of each packet, in decode order.
type chunkTiming struct {
	ranks []int
}

// Concat writes the chunks' packets, without re-encoding, into one file
// whose frames carry exactly the source's timestamps (a frame range keeps
// its place on the source's timeline): the packet that is
// the k-th frame of chunk c in presentation order gets the source pts of
// frame c.Start+k. Decode timestamps are rebuilt for the whole file as the
// presentation timestamps delayed by the largest reorder depth of any
// chunk, so they increase strictly and never pass a pts. The file appears
// at Output only when complete.
func Concat(ctx context.Context, job ConcatJob) error {
	if len(job.Chunks) == 0 || len(job.Chunks) != len(job.Paths) {
		return fmt.Errorf("encode: concat %s: %d chunks, %d files", job.Output, len(job.Chunks), len(job.Paths))
	}
	for i := 1; i < len(job.Chunks); i++ {
		if job.Chunks[i].Start != job.Chunks[i-1].End {
			return fmt.Errorf("encode: concat %s: chunk %d starts at frame %d, previous ends at %d", job.Output, i, job.Chunks[i].Start, job.Chunks[i-1].End)
		}
	}
	format := job.Format
	if format == "" {
		var err error
		if format, err = OutputFormat(job.Output); err != nil {
			return err
		}
	}
	timings, delay, par, err := scanChunks(ctx, job)
	if err != nil {
		return err
	}
	defer par.Free()
	m, err := newAtomicMuxer(job.Output, format)
	if err != nil {
		return err
	}
	defer m.abort()
	v := job.Info.Video
	vst := m.fc.NewStream(nil)
	if err := par.Copy(vst.CodecParameters()); err != nil {
		return fmt.Errorf("encode: concat %s: %w", job.Output, err)
	}
	vst.CodecParameters().SetCodecTag(0)
	vst.SetTimeBase(v.TimeBase.av())
	var audio *audioCopier
	if job.Audio != nil {
		audio, err = newAudioCopier(job, m, format)
		if err != nil {
			return err
		}
		if audio != nil {
			defer audio.close()
		}
	}
	if err := m.writeHeader(nil); err != nil {
		if audio != nil {
			return fmt.Errorf("%w: %s cannot hold video %s with audio %s (write .mkv, or drop the audio)", err, format, par.CodecID().Name(), strings.Join(audio.names, ", "))
		}
		return fmt.Errorf("%w: %s cannot hold video %s", err, format, par.CodecID().Name())
	}
	first := job.Chunks[0].Start
	pts := func(i int) int64 { // pts of frame first+i; before it, extrapolated
		if i < 0 {
			return v.PTS[first] + int64(i)*v.FrameDuration(first)
		}
		return v.PTS[first+i]
	}
	decodeIndex := 0
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for ci, c := range job.Chunks {
		d, err := openLocalDemuxer(job.Paths[ci])
		if err != nil {
			return err
		}
		for j := 0; ; j++ {
			err := d.fc.ReadFrame(pkt)
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			if err != nil {
				d.Close()
				return fmt.Errorf("encode: concat: %s: read packet: %w", job.Paths[ci], err)
			}
			rank := c.Start - first + timings[ci].ranks[j]
			outPTS, outDTS := pts(rank), pts(decodeIndex-delay)
			decodeIndex++
			pkt.SetStreamIndex(vst.Index())
			pkt.SetPts(outPTS)
			pkt.SetDts(outDTS)
			pkt.SetDuration(v.FrameDuration(first + rank))
			pkt.SetPos(-1)
			if audio != nil {
				if err := audio.writeUntil(outDTS, v.TimeBase.av()); err != nil {
					d.Close()
					return err
				}
			}
			pkt.RescaleTs(v.TimeBase.av(), vst.TimeBase())
			if err := m.fc.WriteInterleavedFrame(pkt); err != nil {
				d.Close()
				return fmt.Errorf("encode: concat %s: write packet: %w", job.Output, err)
			}
		}
		d.Close()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if audio != nil {
		last := decodeIndex - 1
		if err := audio.writeUntil(pts(last)+v.FrameDuration(first+last), v.TimeBase.av()); err != nil {
			return err
		}
		if err := audio.finish(); err != nil {
			return err
		}
	}
	return m.commit()
}

// scanChunks reads every chunk's timestamps (first pass): it checks that
// each chunk holds one packet per frame and that all chunks share codec
// parameters, and returns the presentation ranks, the reorder delay and
// the first chunk's codec parameters (which the caller frees).
func scanChunks(ctx context.Context, job ConcatJob) ([]chunkTiming, int, *astiav.CodecParameters, error) {
	timings := make([]chunkTiming, len(job.Chunks))
	delay := 0
	var par *astiav.CodecParameters
	fail := func(err error) ([]chunkTiming, int, *astiav.CodecParameters, error) {
		if par != nil {
			par.Free()
		}
		return nil, 0, nil, err
	}
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
		cp := d.fc.Streams()[0].CodecParameters()
		if par == nil {
			par = astiav.AllocCodecParameters()
			cp.Copy(par)
		} else if cp.CodecID() != par.CodecID() || cp.Width() != par.Width() || cp.Height() != par.Height() || !bytes.Equal(cp.ExtraData(), par.ExtraData()) {
			d.Close()
			return fail(fmt.Errorf("encode: concat: %s: codec parameters differ from the first chunk's", job.Paths[ci]))
		}
		var ptss []int64
		for {
			err := d.fc.ReadFrame(pkt)
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			if err != nil {
				d.Close()
				return fail(fmt.Errorf("encode: concat: %s: read packet: %w", job.Paths[ci], err))
			}
			ptss = append(ptss, pkt.Pts())
			pkt.Unref()
		}
		d.Close()
		if len(ptss) != c.Len() {
			return fail(fmt.Errorf("encode: concat: %s: %d packets for the %d frames %d:%d", job.Paths[ci], len(ptss), c.Len(), c.Start, c.End))
		}
		sorted := slices.Clone(ptss)
		slices.Sort(sorted)
		ranks := make([]int, len(ptss))
		for j, p := range ptss {
			r, _ := slices.BinarySearch(sorted, p)
			ranks[j] = r
			// Packet j of this chunk is decoded at global position
			// decodeIndex+j and shown at c.Start+r: its dts must use a
			// delay of at least the difference.
			delay = max(delay, decodeIndex+j-(c.Start-job.Chunks[0].Start+r))
		}
		decodeIndex += len(ptss)
		timings[ci] = chunkTiming{ranks: ranks}
	}
	return timings, delay, par, nil
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
