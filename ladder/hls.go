package ladder

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Variant is one rendition in an HLS master playlist.
type Variant struct {
	URI              string  // media playlist, relative to the master
	Bandwidth        int     // peak segment bitrate, bits/s
	AverageBandwidth int     // mean bitrate over the rendition, bits/s
	Width, Height    int     // RESOLUTION
	Codecs           string  // RFC 6381 codec string, e.g. "avc1.64001e", "hvc1.2.4.L123.B0"
	FrameRate        float64 // FRAME-RATE
}

// MasterPlaylist returns an HLS master playlist (RFC 8216 §4.3.4.2) listing
// the variants by increasing bandwidth, each with BANDWIDTH,
// AVERAGE-BANDWIDTH, RESOLUTION, CODECS and FRAME-RATE.
func MasterPlaylist(vs []Variant) ([]byte, error) {
	if len(vs) == 0 {
		return nil, errors.New("ladder: master playlist: no variants")
	}
	vs = append([]Variant(nil), vs...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Bandwidth < vs[j].Bandwidth })
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	for _, v := range vs {
		if v.Bandwidth <= 0 || v.URI == "" || v.Codecs == "" || strings.ContainsAny(v.URI, "\n\r") {
			return nil, fmt.Errorf("ladder: master playlist: incomplete variant %+v", v)
		}
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%dx%d,CODECS=%q,FRAME-RATE=%.3f\n%s\n",
			v.Bandwidth, v.AverageBandwidth, v.Width, v.Height, v.Codecs, v.FrameRate, v.URI)
	}
	return b.Bytes(), nil
}

// Segment is one media segment of an HLS media playlist.
type Segment struct {
	URI      string
	Duration float64 // EXTINF, seconds
	Length   int64   // EXT-X-BYTERANGE length; -1 for the whole file
	Offset   int64
}

// ParseMediaPlaylist reads the segments of an HLS media playlist (EXTINF,
// EXT-X-BYTERANGE, URI lines). name is used in errors.
func ParseMediaPlaylist(name string, data []byte) ([]Segment, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	var segs []Segment
	cur := Segment{Length: -1}
	var next int64 // offset after the previous byte range of the same file
	inf := false
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case first && line != "#EXTM3U":
			return nil, fmt.Errorf("ladder: %s: not an m3u8 playlist", name)
		case strings.HasPrefix(line, "#EXTINF:"):
			v, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			d, err := strconv.ParseFloat(v, 64)
			if err != nil || d <= 0 || math.IsInf(d, 0) {
				return nil, fmt.Errorf("ladder: %s: bad segment duration %q", name, line)
			}
			cur.Duration, inf = d, true
		case strings.HasPrefix(line, "#EXT-X-BYTERANGE:"):
			l, o, hasOff := strings.Cut(strings.TrimPrefix(line, "#EXT-X-BYTERANGE:"), "@")
			n, err := strconv.ParseInt(l, 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("ladder: %s: bad byte range %q", name, line)
			}
			cur.Length, cur.Offset = n, next
			if hasOff {
				if cur.Offset, err = strconv.ParseInt(o, 10, 64); err != nil || cur.Offset < 0 {
					return nil, fmt.Errorf("ladder: %s: bad byte range %q", name, line)
				}
			}
			next = cur.Offset + n
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			if !inf {
				return nil, fmt.Errorf("ladder: %s: segment %q has no #EXTINF", name, line)
			}
			cur.URI = line
			segs = append(segs, cur)
			cur, inf = Segment{Length: -1}, false
		}
		first = false
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ladder: %s: %w", name, err)
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("ladder: %s: no segments", name)
	}
	return segs, nil
}

// PlaylistBitrates returns the peak segment bitrate and the average bitrate
// in bits/s of the media playlist at path, from its segments' byte ranges or
// their files' sizes.
func PlaylistBitrates(path string) (peak, average int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("ladder: read playlist: %w", err)
	}
	segs, err := ParseMediaPlaylist(path, data)
	if err != nil {
		return 0, 0, err
	}
	var bytes int64
	var secs, top float64
	for _, s := range segs {
		n := s.Length
		if n < 0 {
			fi, err := os.Stat(filepath.Join(filepath.Dir(path), s.URI))
			if err != nil {
				return 0, 0, fmt.Errorf("ladder: segment of %s: %w", path, err)
			}
			n = fi.Size()
		}
		bytes += n
		secs += s.Duration
		top = math.Max(top, float64(n)*8/s.Duration)
	}
	return int(math.Ceil(top)), int(math.Ceil(float64(bytes) * 8 / secs)), nil
}

// AVCCodecString returns the RFC 6381 "avc1.PPCCLL" string of an H.264
// stream from its extradata: an AVCDecoderConfigurationRecord (ISO/IEC
// 14496-15 §5.2.4.1: profile, compatibility and level in bytes 1–3) or
// Annex B NAL units, where the first SPS (type 7) gives the same three bytes.
func AVCCodecString(extra []byte) (string, error) {
	if len(extra) >= 4 && extra[0] == 1 {
		return fmt.Sprintf("avc1.%02x%02x%02x", extra[1], extra[2], extra[3]), nil
	}
	for i := 0; i+3 < len(extra); i++ {
		if extra[i] == 0 && extra[i+1] == 0 && extra[i+2] == 1 {
			nal := extra[i+3:]
			if len(nal) >= 4 && nal[0]&0x1f == 7 {
				return fmt.Sprintf("avc1.%02x%02x%02x", nal[1], nal[2], nal[3]), nil
			}
		}
	}
	return "", errors.New("ladder: no H.264 sequence parameter set in the stream's extradata")
}

// StreamCodecs returns the RFC 6381 CODECS string of a stream of the
// named codec (libavcodec's name) from its extradata: the avcC record or
// Annex B SPS of H.264, the hvcC record of HEVC, the av1C record of AV1.
// For VP9, whose MP4 extradata libavformat leaves empty, it returns "" and
// the string comes from the packaged file's vpcC box (InitCodecs), with
// the level the muxer derived from the picture size and rate. Any other
// codec is refused, before anything is packaged.
func StreamCodecs(codec string, extra []byte) (string, error) {
	switch codec {
	case "h264":
		return AVCCodecString(extra)
	case "hevc":
		return HEVCCodecString(extra)
	case "av1":
		return AV1CodecString(extra)
	case "vp9":
		return "", nil
	}
	return "", fmt.Errorf("ladder: hls: codec %s, HLS packaging supports H.264, HEVC, AV1 and VP9", codec)
}

// InitCodecs returns the CODECS string of a packaged VP9 rendition from the
// vpcC box of its init section in media.
func InitCodecs(codec, media string) (string, error) {
	entry, vpcC, err := SampleEntry(media, "vpcC")
	if err != nil {
		return "", err
	}
	if codec != "vp9" || entry != "vp09" || vpcC == nil {
		return "", fmt.Errorf("ladder: hls: %s: %s sample entry %q without a vpcC box", media, codec, entry)
	}
	s, err := VP9CodecString(vpcC)
	if err != nil {
		return "", fmt.Errorf("%w (%s)", err, media)
	}
	return s, nil
}

// WriteMaster writes dir/master.m3u8 for the variants.
func WriteMaster(dir string, vs []Variant) (string, error) {
	b, err := MasterPlaylist(vs)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "master.m3u8")
	return path, writeAtomic(path, b)
}
