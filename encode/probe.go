package encode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/asticode/go-astiav"
)

// Rational is an exact fraction such as a time base or a frame rate.
type Rational struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

func ratOf(r astiav.Rational) Rational { return Rational{r.Num(), r.Den()} }

func (r Rational) av() astiav.Rational { return astiav.NewRational(r.Num, r.Den) }

// Float64 returns Num/Den, or 0 when Den is 0.
func (r Rational) Float64() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String formats the fraction as "num/den".
func (r Rational) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Info is what Probe learns about an input from its headers and from its
// container's index or, when there is no usable index, all of its packets.
type Info struct {
	Name      string `json:"name"`
	Container string `json:"container"` // libavformat demuxer name, such as "matroska,webm"
	// Index says where the video frame list comes from: IndexCues,
	// IndexSampleTable or IndexPackets.
	Index    string       `json:"index"`
	Size     int64        `json:"size"`       // bytes
	Duration float64      `json:"duration"`   // seconds, as the container states it
	Start    float64      `json:"start_time"` // seconds, where the container's duration starts
	BitRate  int64        `json:"bit_rate"`   // bits/s, as the container states it
	Streams  []StreamInfo `json:"streams"`
	Video    *VideoInfo   `json:"video"` // the first video stream
	// indexEnd is the end of the last video frame's data by the
	// container's index (MP4 sample tables), 0 when unknown.
	indexEnd int64
	// indexErr is the container index's complaint that its data runs past
	// the end of the file.
	indexErr error
}

// AudioTracks returns the number of audio streams.
func (info *Info) AudioTracks() int {
	n := 0
	for _, s := range info.Streams {
		if s.Type == "audio" {
			n++
		}
	}
	return n
}

// StreamInfo describes one stream of an input.
type StreamInfo struct {
	Index      int      `json:"index"`
	Type       string   `json:"type"` // video, audio, subtitle, data, ...
	Codec      string   `json:"codec"`
	TimeBase   Rational `json:"time_base"`
	Packets    int      `json:"packets,omitempty"` // counted when every packet is read; for an indexed probe, the video stream's only
	SampleRate int      `json:"sample_rate,omitempty"`
	Channels   int      `json:"channels,omitempty"`
}

// VideoInfo describes the video stream that rung decodes and encodes.
type VideoInfo struct {
	Index          int      `json:"index"`
	Codec          string   `json:"codec"`
	Width          int      `json:"width"`
	Height         int      `json:"height"`
	PixelFormat    string   `json:"pix_fmt"`
	BitDepth       int      `json:"bit_depth"`
	ColorRange     string   `json:"color_range"`
	ColorPrimaries string   `json:"color_primaries"`
	ColorTransfer  string   `json:"color_transfer"`
	ColorMatrix    string   `json:"color_space"`
	TimeBase       Rational `json:"time_base"`
	FrameRate      Rational `json:"frame_rate"`          // average rate
	ConstantRate   bool     `json:"constant_frame_rate"` // every frame lasts the same, to one tick
	// Frames is counted from the packets; DeclaredFrames is what the
	// container states (0 when it does not).
	Frames         int     `json:"frames"`
	DeclaredFrames int64   `json:"declared_frames"`
	Duration       float64 `json:"duration"` // seconds, first frame to end of last frame
	// Keyframes lists every packet flagged as a keyframe, in presentation
	// order, with its byte offset in the input.
	Keyframes []Keyframe `json:"keyframes"`
	// SAR is the sample (pixel) aspect ratio; 0/1 when the stream does
	// not say (square pixels).
	SAR Rational `json:"sample_aspect_ratio"`
	// Rotation is the display matrix's rotation in degrees, as ffprobe
	// prints it (counter-clockwise); DisplayMatrix is the matrix itself,
	// carried to the output.
	Rotation      float64 `json:"rotation"`
	DisplayMatrix []byte  `json:"-"`
	// FieldOrder is "progressive", or for interlaced video "tt" (top
	// field first) or "bb", from the first decoded frame.
	FieldOrder string `json:"field_order"`
	// Timecode is the start timecode of the video or of a timecode track
	// (MOV tmcd, MXF), "" when there is none.
	Timecode string `json:"timecode,omitempty"`
	// PTS holds every frame's presentation timestamp (TimeBase units) in
	// presentation order; frame i of the stream is the frame with PTS[i].
	PTS []int64 `json:"-"`
}

// Interlaced reports whether the video is interlaced (FieldOrder).
func (v *VideoInfo) Interlaced() bool { return v.FieldOrder == "tt" || v.FieldOrder == "bb" }

// DisplaySize returns the size the video is shown at: the width
// stretched by SAR, and both swapped for a rotation by 90 or 270 degrees.
func (v *VideoInfo) DisplaySize() (int, int) {
	w, h := v.Width, v.Height
	if v.SAR.Num > 0 && v.SAR.Den > 0 {
		w = int(math.Round(float64(w) * v.SAR.Float64()))
	}
	if r := math.Mod(math.Abs(v.Rotation), 180); r > 45 && r < 135 {
		w, h = h, w
	}
	return w, h
}

// Keyframe is one entry of the keyframe index.
type Keyframe struct {
	Frame int   `json:"frame"` // index in presentation order
	PTS   int64 `json:"pts"`
	Pos   int64 `json:"pos"` // byte offset of the packet, -1 when the demuxer does not know
}

// KeyframeAtOrBefore returns the last keyframe whose frame index is <= frame,
// or false when there is none.
func (v *VideoInfo) KeyframeAtOrBefore(frame int) (Keyframe, bool) {
	i, found := slices.BinarySearchFunc(v.Keyframes, frame, func(k Keyframe, f int) int { return k.Frame - f })
	if found {
		return v.Keyframes[i], true
	}
	if i == 0 {
		return Keyframe{}, false
	}
	return v.Keyframes[i-1], true
}

// FrameDuration returns the duration of frame i in TimeBase units: the gap
// to the next frame, or for the last frame the gap before it (or the
// nominal frame duration when there is one frame).
func (v *VideoInfo) FrameDuration(i int) int64 {
	switch {
	case i+1 < len(v.PTS):
		return v.PTS[i+1] - v.PTS[i]
	case i > 0:
		return v.PTS[i] - v.PTS[i-1]
	}
	if v.FrameRate.Num > 0 && v.TimeBase.Num > 0 {
		return astiav.RescaleQ(1, astiav.NewRational(v.FrameRate.Den, v.FrameRate.Num), v.TimeBase.av())
	}
	return 1
}

// Probe opens src (called name in errors and in the result) and learns its
// stream parameters, the exact frame count, every frame's timestamp and the
// keyframe index. When the container keeps an index of every video frame
// (MP4 sample tables, Matroska Cues of an intra-only stream) that agrees with
// the packets at the start and the end of the file, Probe reads the index
// only; otherwise it reads every packet. An input without a video stream is
// refused with ErrNoVideo.
func Probe(ctx context.Context, src Source, name string) (*Info, error) {
	return probe(ctx, src, name, true)
}

// probe is Probe; useIndex false always reads every packet.
func probe(ctx context.Context, src Source, name string, useIndex bool) (*Info, error) {
	// The field order needs a decoded frame, from a demuxer of its own:
	// open it and decode that frame while this one reads the index.
	fieldOrder := startFieldOrder(ctx, src, name)
	defer fieldOrder() // whatever is returned, src is no longer read
	d, err := openDemuxer(src, name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if d != nil {
			d.Close()
		}
	}()
	vs, err := d.videoStream()
	if err != nil {
		return nil, err
	}
	info := &Info{
		Name:      name,
		Container: d.fc.InputFormat().Name(),
		Size:      src.Size(),
		Duration:  float64(d.fc.Duration()) / 1e6,
		Start:     startTime(d.fc.StartTime()),
		BitRate:   d.fc.BitRate(),
	}
	for _, s := range d.fc.Streams() {
		cp := s.CodecParameters()
		si := StreamInfo{Index: s.Index(), Type: cp.MediaType().String(), Codec: cp.CodecID().Name(), TimeBase: ratOf(s.TimeBase())}
		if cp.MediaType() == astiav.MediaTypeAudio {
			si.SampleRate, si.Channels = cp.SampleRate(), cp.Channels()
		}
		info.Streams = append(info.Streams, si)
	}
	v, err := describeVideo(vs)
	if err != nil {
		return nil, fmt.Errorf("encode: probe %s: %w", name, err)
	}
	v.Timecode = timecodeOf(d, vs.Index())
	info.Video = v
	used, moved := false, false
	if useIndex {
		used, moved = probeIndex(ctx, d, src, info)
	}
	if !used {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if moved { // the index check read packets: start again
			d.Close()
			d = nil
			if d, err = openDemuxer(src, name); err != nil {
				return nil, err
			}
		}
		info.Index = IndexPackets
		noPTS, err := scanPackets(ctx, d, info)
		if err != nil {
			return nil, err
		}
		if noPTS > 0 {
			// Packets without presentation times (an AVI with B-frames):
			// the frames' timestamps are the decoder's best-effort ones.
			d.Close()
			d = nil
			if err := decodeTimestamps(ctx, src, info); err != nil {
				return nil, err
			}
		}
	}
	if v.Frames == 0 {
		return nil, fmt.Errorf("encode: probe %s: the video stream has no frames", name)
	}
	if err := checkComplete(info); err != nil {
		return nil, fmt.Errorf("encode: probe %s: %w", name, err)
	}
	if v.FieldOrder, err = fieldOrder(); err != nil {
		return nil, err
	}
	return info, nil
}

// maxDimension bounds the picture width and height rung accepts (16K), so
// that a corrupted header cannot ask for gigabytes per frame.
const maxDimension = 16384

// describeVideo fills what the codec parameters of vs say.
func describeVideo(vs *astiav.Stream) (*VideoInfo, error) {
	cp := vs.CodecParameters()
	v := &VideoInfo{
		Index:          vs.Index(),
		Codec:          cp.CodecID().Name(),
		Width:          cp.Width(),
		Height:         cp.Height(),
		PixelFormat:    cp.PixelFormat().Name(),
		ColorRange:     colorName(rangeNames, int(cp.ColorRange())),
		ColorPrimaries: colorName(primariesNames, int(cp.ColorPrimaries())),
		ColorTransfer:  colorName(transferNames, int(cp.ColorTransferCharacteristic())),
		ColorMatrix:    colorName(matrixNames, int(cp.ColorSpace())),
		TimeBase:       ratOf(vs.TimeBase()),
		FrameRate:      ratOf(vs.AvgFrameRate()),
		DeclaredFrames: vs.NbFrames(),
	}
	if v.Width <= 0 || v.Height <= 0 {
		return nil, fmt.Errorf("%w: video stream %d has no picture size", ErrUnsupported, v.Index)
	}
	if v.Width > maxDimension || v.Height > maxDimension {
		return nil, fmt.Errorf("%w: video stream %d is %dx%d, larger than %d", ErrUnsupported, v.Index, v.Width, v.Height, maxDimension)
	}
	if l, ok := layoutOf(cp.PixelFormat()); ok {
		v.BitDepth = l.BitDepth
	}
	if v.FrameRate.Num <= 0 || v.FrameRate.Den <= 0 {
		v.FrameRate = ratOf(vs.RFrameRate())
	}
	v.SAR = ratOf(vs.SampleAspectRatio())
	if v.SAR.Num <= 0 || v.SAR.Den <= 0 {
		v.SAR = ratOf(cp.SampleAspectRatio())
	}
	if v.SAR.Num <= 0 || v.SAR.Den <= 0 {
		v.SAR = Rational{0, 1}
	}
	if b := vs.SideData(astiav.PacketSideDataTypeDisplaymatrix); len(b) >= 36 {
		if m, err := astiav.NewDisplayMatrixFromBytes(b); err == nil {
			v.DisplayMatrix = slices.Clone(b[:36])
			v.Rotation = -m.Rotation() + 0 // go-astiav's is clockwise; +0 turns -0 into 0
		}
	}
	return v, nil
}

// timecodeOf returns the first "timecode" tag of the video stream, of
// another stream (a MOV tmcd or MXF timecode track) or of the container.
func timecodeOf(d *demuxer, video int) string {
	get := func(m *astiav.Dictionary) string {
		if m == nil {
			return ""
		}
		if e := m.Get("timecode", nil, astiav.NewDictionaryFlags()); e != nil {
			return e.Value()
		}
		return ""
	}
	streams := d.fc.Streams()
	if tc := get(streams[video].Metadata()); tc != "" {
		return tc
	}
	for _, s := range streams {
		if tc := get(s.Metadata()); tc != "" {
			return tc
		}
	}
	return get(d.fc.Metadata())
}

// startFieldOrder runs probeFieldOrder in the background and returns
// the function that waits for its answer (each call gives the same).
func startFieldOrder(ctx context.Context, src Source, name string) func() (string, error) {
	done := make(chan struct{})
	var order string
	var err error
	go func() {
		defer close(done)
		order, err = probeFieldOrder(ctx, src, name)
	}()
	return func() (string, error) {
		<-done
		return order, err
	}
}

// probeFieldOrder decodes the first frame of the video for its field
// order: "tt", "bb" or "progressive".
func probeFieldOrder(ctx context.Context, src Source, name string) (string, error) {
	fd, err := openFrameDecoder(src, name, 1)
	if err != nil {
		return "", err
	}
	defer fd.Close()
	f := astiav.AllocFrame()
	defer f.Free()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := fd.next(f); err != nil {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("encode: probe %s: %w: no video frame decodes", name, ErrDamaged)
		}
		return "", fmt.Errorf("encode: probe %s: %w", name, err)
	}
	interlaced, tff := interlacedFrame(f)
	switch {
	case !interlaced:
		return "progressive", nil
	case tff:
		return "tt", nil
	}
	return "bb", nil
}

// scanPackets reads every packet: per-stream counts, the video stream's
// timestamps and keyframe index. It returns how many video packets had no
// pts (their dts stands in).
func scanPackets(ctx context.Context, d *demuxer, info *Info) (noPTS int, err error) {
	v := info.Video
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var keys []Keyframe
	maxPTS, maxDur := int64(0), int64(0) // the last frame's timestamp and duration
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		err := d.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("encode: probe %s: read packet: %w", info.Name, err)
		}
		if int64(n) > info.Size+1024 {
			pkt.Unref()
			return 0, fmt.Errorf("encode: probe %s: corrupt: more packets than bytes", info.Name)
		}
		si := pkt.StreamIndex()
		if si >= 0 && si < len(info.Streams) {
			info.Streams[si].Packets++
		}
		if si == v.Index {
			pts := pkt.Pts()
			if pts == astiav.NoPtsValue {
				noPTS++
				pts = pkt.Dts()
			}
			if pts == astiav.NoPtsValue {
				pkt.Unref()
				return 0, fmt.Errorf("encode: probe %s: video packet %d has no timestamp", info.Name, len(v.PTS))
			}
			if len(v.PTS) == 0 || pts > maxPTS {
				maxPTS, maxDur = pts, pkt.Duration()
			}
			v.PTS = append(v.PTS, pts)
			if pkt.Flags().Has(astiav.PacketFlagKey) {
				keys = append(keys, Keyframe{PTS: pts, Pos: pkt.Pos()})
			}
		}
		pkt.Unref()
	}
	v.setFrames(keys, maxDur)
	return noPTS, nil
}

// decodeTimestamps replaces the frame list of info.Video with the frames
// the decoder yields: their best-effort timestamps (frameDecoder.next) and
// the keyframes among them. Probe uses it when packets lack presentation
// times, so that probe, plan, chunk decoders and concat number the same
// frames by the same timestamps.
func decodeTimestamps(ctx context.Context, src Source, info *Info) error {
	fd, err := openFrameDecoder(src, info.Name, 0)
	if err != nil {
		return err
	}
	defer fd.Close()
	v := info.Video
	v.PTS, v.Keyframes = v.PTS[:0], nil
	var keys []Keyframe
	frame := astiav.AllocFrame()
	defer frame.Free()
	for n := 0; ; n++ {
		if n%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		err := fd.next(frame)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("encode: probe %s: %w", info.Name, err)
		}
		pts := frame.Pts()
		if pts == astiav.NoPtsValue || (len(v.PTS) > 0 && pts <= v.PTS[len(v.PTS)-1]) {
			return fmt.Errorf("encode: probe %s: decoded frame %d has no increasing timestamp", info.Name, len(v.PTS))
		}
		v.PTS = append(v.PTS, pts)
		if frame.KeyFrame() {
			keys = append(keys, Keyframe{PTS: pts, Pos: -1})
		}
	}
	v.setFrames(keys, 0)
	info.Index = IndexDecoded
	return nil
}

// setFrames completes v once v.PTS holds every frame's timestamp, in any
// order: it sorts them into presentation order, numbers keys (keyframes
// with PTS and Pos set) into v.Keyframes, and sets Frames, Duration (up to
// the end of the last frame, which lasts lastDur or, when that is not
// positive, FrameDuration) and ConstantRate.
func (v *VideoInfo) setFrames(keys []Keyframe, lastDur int64) {
	slices.Sort(v.PTS)
	v.Frames = len(v.PTS)
	for _, k := range keys {
		k.Frame, _ = slices.BinarySearch(v.PTS, k.PTS)
		v.Keyframes = append(v.Keyframes, k)
	}
	slices.SortFunc(v.Keyframes, func(a, b Keyframe) int { return a.Frame - b.Frame })
	if v.Frames == 0 {
		return
	}
	if lastDur <= 0 {
		lastDur = v.FrameDuration(v.Frames - 1)
	}
	v.Duration = float64(v.PTS[v.Frames-1]+lastDur-v.PTS[0]) * v.TimeBase.Float64()
	v.ConstantRate = constantRate(v.PTS)
}

// constantRate reports whether every gap between consecutive timestamps is
// within one tick of the first (containers with millisecond time bases
// round a constant 29.97 fps to 33 and 34).
func constantRate(pts []int64) bool {
	if len(pts) < 3 {
		return true
	}
	lo, hi := pts[1]-pts[0], pts[1]-pts[0]
	for i := 2; i < len(pts); i++ {
		d := pts[i] - pts[i-1]
		lo, hi = min(lo, d), max(hi, d)
	}
	return hi-lo <= 1
}

// startTime converts a container start time (microseconds, or
// AV_NOPTS_VALUE) to seconds, 0 when unknown.
func startTime(us int64) float64 {
	if us == astiav.NoPtsValue {
		return 0
	}
	return float64(us) / 1e6
}

// ErrTruncated is wrapped by Probe's error for inputs that end before
// their container says they do.
var ErrTruncated = errors.New("truncated")

// checkComplete refuses an input whose packets stop well before what its
// container declares: fewer frames than an MP4 sample table lists, or a
// video that ends more than max(1 s, 10%) before the container duration
// (a Matroska file cut short keeps its header's duration).
func checkComplete(info *Info) error {
	v := info.Video
	if info.indexErr != nil {
		return fmt.Errorf("%w: %v", ErrTruncated, info.indexErr)
	}
	if info.indexEnd > info.Size {
		return fmt.Errorf("%w: the index puts video data up to byte %d, the file has %d bytes", ErrTruncated, info.indexEnd, info.Size)
	}
	if v.DeclaredFrames > 0 && int64(v.Frames) < v.DeclaredFrames {
		return fmt.Errorf("%w: the container lists %d video frames, only %d are present", ErrTruncated, v.DeclaredFrames, v.Frames)
	}
	// Containers count their duration from their start time or from 0
	// (an MP4 whose edit list keeps an MPEG-TS offset): the video's end is
	// taken on whichever timeline puts it later.
	tb := v.TimeBase.Float64()
	last := float64(v.PTS[len(v.PTS)-1]+v.FrameDuration(len(v.PTS)-1)) * tb
	end := max(last-float64(v.PTS[0])*tb, last, last-info.Start)
	if missing := info.Duration - end; info.Duration > 0 && missing > max(1, 0.1*info.Duration) {
		return fmt.Errorf("%w: the container says %.3f s, the video stops at %.3f s", ErrTruncated, info.Duration, end)
	}
	return nil
}
