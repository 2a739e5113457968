package encode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/asticode/go-astiav"
)

// Settings are the encoder settings of one rendition. They are part of the
// chunk cache key, so two encodes share chunks only when every field is
// equal.
type Settings struct {
	Codec    string  `json:"codec"`            // x264, x265, svtav1, vp9 or aom
	CRF      float64 `json:"crf"`              // constant quality; ignored when QP > 0
	QP       int     `json:"qp,omitempty"`     // constant quantizer (x264, x265, svtav1), 0: use CRF
	Preset   string  `json:"preset,omitempty"` // x264/x265 names, svtav1/vp9/aom speed numbers; "" the encoder's default
	Height   int     `json:"height,omitempty"` // output height (width keeps the aspect ratio, even); 0: the source's
	Keyint   int     `json:"keyint,omitempty"` // maximum keyframe interval in frames; 0: the encoder's default
	BitDepth int     `json:"bit_depth"`        // 8 or 10; 0 means 8
	// Params are passed to the encoder library as it takes them:
	// "key=value:key=value" (x264-params, x265-params, svtav1-params,
	// aom-params; FFmpeg options of libvpx-vp9).
	Params string `json:"params,omitempty"`
	// KeepInterlaced encodes an interlaced source's frames as they are;
	// otherwise they are deinterlaced with bwdif first.
	KeepInterlaced bool `json:"keep_interlaced,omitempty"`
	// Threads is the encoder's thread count; 0 lets the encoder choose.
	// It is not part of the settings' JSON, but ChunkKey adds it to the
	// cache key when set: x264's and x265's output depends on it.
	Threads int `json:"-"`
}

// codecSpec maps a rung codec name onto an FFmpeg encoder.
type codecSpec struct {
	encoder string // FFmpeg encoder name
	params  string // name of its pass-through option, "" when Params are FFmpeg options
	presets bool   // Preset is a name (x264/x265) rather than a speed number
}

// codecs is the fixed table of the encoders rung drives.
var codecs = map[string]codecSpec{
	"x264":   {encoder: "libx264", params: "x264-params", presets: true},
	"x265":   {encoder: "libx265", params: "x265-params", presets: true},
	"svtav1": {encoder: "libsvtav1", params: "svtav1-params"},
	"vp9":    {encoder: "libvpx-vp9"},
	"aom":    {encoder: "libaom-av1", params: "aom-params"},
}

// Codecs returns the rung codec names, in a fixed order.
func Codecs() []string { return []string{"x264", "x265", "svtav1", "vp9", "aom"} }

// Validate checks the settings and that this FFmpeg build has the encoder.
func (s Settings) Validate() error {
	spec, ok := codecs[s.Codec]
	if !ok {
		return fmt.Errorf("encode: %w %q (want one of %s)", ErrUnknownCodec, s.Codec, strings.Join(Codecs(), ", "))
	}
	if astiav.FindEncoderByName(spec.encoder) == nil {
		return fmt.Errorf("encode: %w %q: this FFmpeg has no %s encoder", ErrUnknownCodec, s.Codec, spec.encoder)
	}
	if s.BitDepth != 0 && s.BitDepth != 8 && s.BitDepth != 10 {
		return fmt.Errorf("encode: bit depth %d: want 8 or 10", s.BitDepth)
	}
	if s.CRF < 0 || s.QP < 0 || s.Height < 0 || s.Keyint < 0 {
		return fmt.Errorf("encode: negative crf, qp, height or keyint in %+v", s)
	}
	if s.QP > 0 && (s.Codec == "vp9" || s.Codec == "aom") {
		return fmt.Errorf("encode: %s takes --crf, not a fixed QP", s.Codec)
	}
	if s.Preset != "" && !spec.presets {
		if _, err := strconv.Atoi(s.Preset); err != nil {
			return fmt.Errorf("encode: %s preset %q: want a speed number", s.Codec, s.Preset)
		}
	}
	return nil
}

// bitDepth returns the output bit depth (8 when unset).
func (s Settings) bitDepth() int {
	if s.BitDepth == 0 {
		return 8
	}
	return s.BitDepth
}

// options returns the encoder options of s as an FFmpeg dictionary (the
// caller frees it): rate control, preset, quiet logging and Params.
func (s Settings) options() (*astiav.Dictionary, error) {
	spec := codecs[s.Codec]
	d := astiav.NewDictionary()
	var setErr error
	set := func(k, v string) {
		if err := d.Set(k, v, 0); err != nil && setErr == nil {
			setErr = fmt.Errorf("encode: %s option %s=%s: %w", s.Codec, k, v, err)
		}
	}
	crf := strconv.FormatFloat(s.CRF, 'f', -1, 64)
	if s.Codec == "svtav1" || s.Codec == "vp9" || s.Codec == "aom" {
		crf = strconv.Itoa(int(s.CRF + 0.5)) // integer options
	}
	if s.QP > 0 {
		set("qp", strconv.Itoa(s.QP))
	} else {
		set("crf", crf)
	}
	params := s.Params
	switch s.Codec {
	case "x264", "x265":
		if s.Preset != "" {
			set("preset", s.Preset)
		}
		if s.Codec == "x265" {
			params = joinParams("log-level=error", params)
		}
	case "svtav1":
		if s.Preset != "" {
			set("preset", s.Preset)
		}
	case "vp9", "aom":
		set("b", "0") // constant quality, no bitrate target
		set("row-mt", "1")
		if s.Preset != "" {
			set("cpu-used", s.Preset)
		}
	}
	if params != "" && spec.params != "" {
		set(spec.params, params)
	}
	if setErr != nil {
		d.Free()
		return nil, setErr
	}
	if params == "" || spec.params != "" {
		return d, nil
	}
	if err := d.ParseString(params, "=", ":", 0); err != nil {
		d.Free()
		return nil, fmt.Errorf("encode: %s options %q: %w", s.Codec, params, err)
	}
	return d, nil
}

func joinParams(a, b string) string {
	if b == "" {
		return a
	}
	return a + ":" + b
}
