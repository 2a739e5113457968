package encode

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asticode/go-astiav"
)

// mp4Audio lists the audio codecs the MP4 muxer takes as they are; other
// audio is re-encoded to AAC for MP4 outputs.
var mp4Audio = map[string]bool{"aac": true, "mp3": true, "ac3": true, "eac3": true, "opus": true, "alac": true}

// aacBitRate is the AAC bit rate per channel.
const aacBitRate = 96000

// aacTranscoder re-encodes one audio stream to AAC: decoder, a filter graph
// converting to planar float in 1024-sample frames (aformat,
// asetnsamples), and FFmpeg's AAC encoder.
type aacTranscoder struct {
	name     string
	dec, enc *astiav.CodecContext
	graph    *filterGraph
	frame    *astiav.Frame
	filtered *astiav.Frame
	pkt      *astiav.Packet
	inTB     astiav.Rational // the source stream's time base
}

// newAACTranscoder opens a decoder for in and an AAC encoder, and fills
// out's codec parameters from the encoder.
func newAACTranscoder(name string, in, out *astiav.Stream) (*aacTranscoder, error) {
	t := &aacTranscoder{name: name, inTB: in.TimeBase()}
	ok := false
	defer func() {
		if !ok {
			t.close()
		}
	}()
	cp := in.CodecParameters()
	dc := astiav.FindDecoder(cp.CodecID())
	ec := astiav.FindEncoderByName("aac")
	if dc == nil || ec == nil {
		return nil, fmt.Errorf("encode: %s: no %s decoder or AAC encoder", name, cp.CodecID().Name())
	}
	if t.dec = astiav.AllocCodecContext(dc); t.dec == nil {
		return nil, fmt.Errorf("encode: %s: cannot allocate a %s decoder", name, dc.Name())
	}
	if err := cp.ToCodecContext(t.dec); err != nil {
		return nil, fmt.Errorf("encode: %s: audio decoder parameters: %w", name, err)
	}
	t.dec.SetTimeBase(in.TimeBase())
	if err := t.dec.Open(dc, nil); err != nil {
		return nil, fmt.Errorf("encode: %s: open %s decoder: %w", name, dc.Name(), err)
	}
	n := t.dec.ChannelLayout().NbChannels()
	layout := aacLayout(ec, t.dec.ChannelLayout())
	if t.enc = astiav.AllocCodecContext(ec); t.enc == nil {
		return nil, fmt.Errorf("encode: %s: cannot allocate an AAC encoder", name)
	}
	rate := t.dec.SampleRate()
	t.enc.SetSampleRate(rate)
	t.enc.SetSampleFormat(astiav.SampleFormatFltp)
	t.enc.SetChannelLayout(layout)
	t.enc.SetBitRate(int64(aacBitRate * layout.NbChannels()))
	t.enc.SetTimeBase(astiav.NewRational(1, rate))
	t.enc.SetFlags(t.enc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	if err := t.enc.Open(ec, nil); err != nil {
		return nil, fmt.Errorf("encode: %s: open AAC encoder: %w", name, err)
	}
	if err := out.CodecParameters().FromCodecContext(t.enc); err != nil {
		return nil, fmt.Errorf("encode: %s: AAC stream parameters: %w", name, err)
	}
	out.SetTimeBase(t.enc.TimeBase())
	if err := t.buildGraph(layout, n); err != nil {
		return nil, err
	}
	t.frame, t.filtered, t.pkt = astiav.AllocFrame(), astiav.AllocFrame(), astiav.AllocPacket()
	ok = true
	return t, nil
}

// aacLayout returns the channel layout of the AAC encode of audio in
// layout in: the same layout when the encoder takes it (5.1 stays 5.1; an
// encoder that lists no layouts is taken to take any of up to 8), else
// its layout with as many channels (5.1(side) becomes 5.1(back)), else
// mono for one channel and stereo for the rest (aformat downmixes with
// libswresample's default matrix).
func aacLayout(enc *astiav.Codec, in astiav.ChannelLayout) astiav.ChannelLayout {
	n := in.NbChannels()
	switch n {
	case 1:
		return astiav.ChannelLayoutMono
	case 2:
		return astiav.ChannelLayoutStereo
	}
	layouts := enc.ChannelLayouts()
	if len(layouts) == 0 && n <= 8 && in.Valid() {
		return in // FFmpeg 5.1's AAC encoder lists none: it takes 1 to 8 channels
	}
	var same *astiav.ChannelLayout
	for _, l := range layouts {
		if l.Equal(in) {
			return l
		}
		if same == nil && l.NbChannels() == n {
			same = &l
		}
	}
	if same != nil {
		return *same
	}
	return astiav.ChannelLayoutStereo
}

// buildGraph makes abuffer -> aformat -> asetnsamples -> abuffersink; n
// is the decoder's channel count.
func (t *aacTranscoder) buildGraph(layout astiav.ChannelLayout, n int) error {
	args := astiav.FilterArgs{
		"channel_layout": t.dec.ChannelLayout().String(),
		"sample_fmt":     t.dec.SampleFormat().Name(),
		"sample_rate":    strconv.Itoa(t.dec.SampleRate()),
		"time_base":      t.inTB.String(),
	}
	if n <= 2 { // also when the source leaves the order unspecified ("2 channels")
		args["channel_layout"] = layout.String()
	}
	graph := fmt.Sprintf("aformat=sample_fmts=fltp:channel_layouts=%s,asetnsamples=n=%d:p=0", layout.String(), max(t.enc.FrameSize(), 1))
	g, err := newFilterGraph("abuffer", args, "abuffersink", graph)
	if err != nil {
		return fmt.Errorf("encode: %s: audio filter %q: %w", t.name, graph, err)
	}
	t.graph = g
	return nil
}

// send decodes pkt (nil at the end flushes everything) and hands each
// AAC packet, in the encoder's time base, to write.
func (t *aacTranscoder) send(pkt *astiav.Packet, write func(*astiav.Packet) error) error {
	if err := t.dec.SendPacket(pkt); err != nil && !errors.Is(err, astiav.ErrEof) {
		return fmt.Errorf("encode: %s: decode audio: %w", t.name, err)
	}
	for {
		err := t.dec.ReceiveFrame(t.frame)
		if errors.Is(err, astiav.ErrEagain) {
			return nil
		}
		if errors.Is(err, astiav.ErrEof) {
			if err := t.graph.push(nil, false); err != nil {
				return fmt.Errorf("encode: %s: flush audio filter: %w", t.name, err)
			}
			if err := t.drain(write); err != nil {
				return err
			}
			return t.encode(nil, write)
		}
		if err != nil {
			return fmt.Errorf("encode: %s: decode audio: %w", t.name, err)
		}
		err = t.graph.push(t.frame, true)
		t.frame.Unref()
		if err != nil {
			return fmt.Errorf("encode: %s: audio filter: %w", t.name, err)
		}
		if err := t.drain(write); err != nil {
			return err
		}
	}
}

// drain encodes every frame the filter graph has ready.
func (t *aacTranscoder) drain(write func(*astiav.Packet) error) error {
	for {
		err := t.graph.pull(t.filtered)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("encode: %s: audio filter: %w", t.name, err)
		}
		if t.filtered.Pts() != astiav.NoPtsValue {
			t.filtered.SetPts(astiav.RescaleQ(t.filtered.Pts(), t.graph.sinkTimeBase(), t.enc.TimeBase()))
		}
		err = t.encode(t.filtered, write)
		t.filtered.Unref()
		if err != nil {
			return err
		}
	}
}

// encode sends f (nil flushes) to the AAC encoder and writes its packets.
func (t *aacTranscoder) encode(f *astiav.Frame, write func(*astiav.Packet) error) error {
	if err := t.enc.SendFrame(f); err != nil {
		return fmt.Errorf("encode: %s: AAC encoder: %w", t.name, err)
	}
	for {
		err := t.enc.ReceivePacket(t.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("encode: %s: AAC encoder: %w", t.name, err)
		}
		err = write(t.pkt)
		t.pkt.Unref()
		if err != nil {
			return err
		}
	}
}

func (t *aacTranscoder) close() {
	for _, f := range []*astiav.Frame{t.frame, t.filtered} {
		if f != nil {
			f.Free()
		}
	}
	if t.pkt != nil {
		t.pkt.Free()
	}
	if t.graph != nil {
		t.graph.close()
	}
	for _, cc := range []*astiav.CodecContext{t.dec, t.enc} {
		if cc != nil {
			cc.Free()
		}
	}
}
