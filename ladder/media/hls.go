package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/asticode/go-astiav"

	"rung/ladder"
)

// PackageHLS packages a rendition as HLS (ladder.Media) with the package
// function PackageHLS.
func (m *FFmpeg) PackageHLS(ctx context.Context, src, dir, name string, segSeconds float64) (ladder.Variant, error) {
	return PackageHLS(ctx, src, dir, name, segSeconds)
}

// sampleEntryTag returns the codec tag the HLS remux forces on a codec's
// MP4 sample entry: hvc1 for HEVC (parameter sets in the sample entry, as
// Apple requires; libavformat's mp4 default is hev1), else 0, the muxer's
// default (avc1, av01, vp09).
func sampleEntryTag(codec string) astiav.CodecTag {
	if codec == "hevc" {
		return astiav.CodecTag('h' | 'v'<<8 | 'c'<<16 | '1'<<24)
	}
	return 0
}

// PackageHLS remuxes the H.264, HEVC, AV1 or VP9 MP4 at src, without
// re-encoding, into one fragmented MP4 file dir/name.mp4 (an init section,
// then a moof+mdat fragment per segment of about segSeconds, cut at
// keyframes) and its byte-range media playlist dir/name.m3u8, with
// libavformat's hls muxer (hls_segment_type fmp4, single_file). HEVC is
// tagged hvc1, the sample entry Apple's players require. It returns the
// variant describing it, its URI relative to dir, with the RFC 6381 CODECS
// string of the stream (see ladder.StreamCodecs). On error it leaves neither file.
func PackageHLS(ctx context.Context, src, dir, name string, segSeconds float64) (_ ladder.Variant, err error) {
	if err := ctx.Err(); err != nil {
		return ladder.Variant{}, err
	}
	in := astiav.AllocFormatContext()
	if in == nil {
		return ladder.Variant{}, errors.New("ladder: hls: alloc input context")
	}
	defer in.Free()
	if err := in.OpenInput(src, nil, nil); err != nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: open %s: %w", src, err)
	}
	defer in.CloseInput()
	if err := in.FindStreamInfo(nil); err != nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: probe %s: %w", src, err)
	}
	var vin *astiav.Stream
	for _, s := range in.Streams() {
		if s.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			vin = s
			break
		}
	}
	if vin == nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: %s has no video stream", src)
	}
	par := vin.CodecParameters()
	codec := par.CodecID().Name()
	codecs, err := ladder.StreamCodecs(codec, par.ExtraData())
	if err != nil {
		return ladder.Variant{}, fmt.Errorf("%w (%s)", err, src)
	}
	playlist := filepath.Join(dir, name+".m3u8")
	media := filepath.Join(dir, name+".mp4")
	defer func() {
		if err != nil {
			os.Remove(playlist)
			os.Remove(media)
		}
	}()
	out, err := astiav.AllocOutputFormatContext(nil, "hls", playlist)
	if err != nil || out == nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: alloc muxer for %s: %w", playlist, err)
	}
	defer out.Free()
	vout := out.NewStream(nil)
	if vout == nil {
		return ladder.Variant{}, errors.New("ladder: hls: new stream")
	}
	if err := par.Copy(vout.CodecParameters()); err != nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: copy codec parameters: %w", err)
	}
	vout.CodecParameters().SetCodecTag(sampleEntryTag(codec))
	vout.SetTimeBase(vin.TimeBase())
	vout.SetAvgFrameRate(vin.AvgFrameRate())
	vout.SetRFrameRate(vin.RFrameRate())

	opts := astiav.NewDictionary()
	defer opts.Free()
	for k, v := range map[string]string{
		"hls_segment_type":     "fmp4",
		"hls_time":             strconv.FormatFloat(segSeconds, 'f', -1, 64),
		"hls_playlist_type":    "vod",
		"hls_flags":            "single_file+independent_segments",
		"hls_segment_filename": media,
	} {
		if err := opts.Set(k, v, 0); err != nil {
			return ladder.Variant{}, fmt.Errorf("ladder: hls: option %s: %w", k, err)
		}
	}
	if err := out.WriteHeader(opts); err != nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: write header of %s: %w", playlist, err)
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		if err := ctx.Err(); err != nil {
			return ladder.Variant{}, err
		}
		if err := in.ReadFrame(pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			return ladder.Variant{}, fmt.Errorf("ladder: hls: read %s: %w", src, err)
		}
		if pkt.StreamIndex() != vin.Index() {
			pkt.Unref()
			continue
		}
		pkt.SetStreamIndex(vout.Index())
		pkt.RescaleTs(vin.TimeBase(), vout.TimeBase())
		pkt.SetPos(-1)
		if err := out.WriteInterleavedFrame(pkt); err != nil {
			return ladder.Variant{}, fmt.Errorf("ladder: hls: write %s: %w", media, err)
		}
	}
	if err := out.WriteTrailer(); err != nil {
		return ladder.Variant{}, fmt.Errorf("ladder: hls: finish %s: %w", playlist, err)
	}
	if codecs == "" {
		if codecs, err = ladder.InitCodecs(codec, media); err != nil {
			return ladder.Variant{}, err
		}
	}
	peak, avg, err := ladder.PlaylistBitrates(playlist)
	if err != nil {
		return ladder.Variant{}, err
	}
	fr := vin.AvgFrameRate()
	rate := 0.0
	if fr.Den() > 0 {
		rate = fr.Float64()
	}
	return ladder.Variant{
		URI: name + ".m3u8", Bandwidth: peak, AverageBandwidth: avg,
		Width: par.Width(), Height: par.Height(), Codecs: codecs, FrameRate: rate,
	}, nil
}
