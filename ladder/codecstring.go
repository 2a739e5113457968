package ladder

import (
	"fmt"
	"math/bits"
	"strings"
)

// HEVCCodecString returns the RFC 6381 "hvc1.…" string of an HEVC stream
// from its HEVCDecoderConfigurationRecord (hvcC, ISO/IEC 14496-15 §8.3.3.1),
// formatted per ISO/IEC 14496-15 Annex E.3, the form Apple's HLS authoring
// spec asks for:
//
//	hvc1.<space><profile_idc>.<compat>.<tier><level_idc>[.<constraint byte>…]
//
// where space is "", "A", "B" or "C" for general_profile_space 0–3, compat
// is general_profile_compatibility_flags with its 32 bits reversed, in hex,
// tier is L (main) or H (high), and the six general_constraint_indicator_flags
// bytes are each written in hex, trailing zero bytes dropped. The record
// is byte 0 configurationVersion (1), byte 1 space(2) tier(1) profile(5),
// bytes 2–5 the compatibility flags, 6–11 the constraint flags, 12 the
// level, and 23 bytes before its NAL unit arrays.
func HEVCCodecString(hvcC []byte) (string, error) {
	if len(hvcC) < 23 {
		return "", fmt.Errorf("ladder: hvcC record of %d bytes, want at least 23", len(hvcC))
	}
	if hvcC[0] != 1 {
		return "", fmt.Errorf("ladder: hvcC configurationVersion %d, want 1 (extradata is not an hvcC record)", hvcC[0])
	}
	var b strings.Builder
	b.WriteString("hvc1.")
	if space := hvcC[1] >> 6; space > 0 {
		b.WriteByte("ABC"[space-1])
	}
	compat := uint32(hvcC[2])<<24 | uint32(hvcC[3])<<16 | uint32(hvcC[4])<<8 | uint32(hvcC[5])
	tier := byte('L')
	if hvcC[1]&0x20 != 0 {
		tier = 'H'
	}
	fmt.Fprintf(&b, "%d.%X.%c%d", hvcC[1]&0x1f, bits.Reverse32(compat), tier, hvcC[12])
	constraints := hvcC[6:12]
	for len(constraints) > 0 && constraints[len(constraints)-1] == 0 {
		constraints = constraints[:len(constraints)-1]
	}
	for _, c := range constraints {
		fmt.Fprintf(&b, ".%X", c)
	}
	return b.String(), nil
}

// AV1CodecString returns the RFC 6381 "av01.P.LLT.DD" string of an AV1
// stream from its AV1CodecConfigurationRecord (av1C, AV1-ISOBMFF §2.3.3),
// per that spec's "Codecs Parameter String" section: P is seq_profile,
// LL seq_level_idx_0 in two digits, T the tier (M for seq_tier_0 = 0, else
// H) and DD the bit depth (8, or 10 / 12 from high_bitdepth and twelve_bit)
// in two digits. The record is byte 0 marker(1) version(7) = 0x81, byte 1
// seq_profile(3) seq_level_idx_0(5), byte 2 seq_tier_0, high_bitdepth,
// twelve_bit, monochrome, then the chroma fields, byte 3 the presentation
// delay, then the configuration OBUs.
func AV1CodecString(av1C []byte) (string, error) {
	if len(av1C) < 4 {
		return "", fmt.Errorf("ladder: av1C record of %d bytes, want at least 4", len(av1C))
	}
	if av1C[0] != 0x81 {
		return "", fmt.Errorf("ladder: av1C marker/version byte %#02x, want 0x81 (extradata is not an av1C record)", av1C[0])
	}
	tier := 'M'
	if av1C[2]&0x80 != 0 {
		tier = 'H'
	}
	depth := 8
	if av1C[2]&0x40 != 0 {
		depth = 10
		if av1C[2]&0x20 != 0 {
			depth = 12
		}
	}
	return fmt.Sprintf("av01.%d.%02d%c.%02d", av1C[1]>>5, av1C[1]&0x1f, tier, depth), nil
}

// VP9CodecString returns the RFC 6381 "vp09.PP.LL.DD" string of a VP9
// stream from the payload of its vpcC box (VP Codec ISO Media File Format
// Binding v1.0, §2.2: a FullBox of version 1 whose VPCodecConfigurationRecord
// holds profile(8), level(8), bitDepth(4), chromaSubsampling(3),
// videoFullRangeFlag(1), the three colour bytes and
// codecIntializationDataSize(16)), per that spec's §3 "Codecs Parameter
// String" short form: profile, level and bit depth in two digits each.
func VP9CodecString(vpcC []byte) (string, error) {
	if len(vpcC) < 12 {
		return "", fmt.Errorf("ladder: vpcC box of %d bytes, want at least 12", len(vpcC))
	}
	if vpcC[0] != 1 {
		return "", fmt.Errorf("ladder: vpcC version %d, want 1", vpcC[0])
	}
	profile, level, depth := vpcC[4], vpcC[5], vpcC[6]>>4
	if profile > 3 || level == 0 || (depth != 8 && depth != 10 && depth != 12) {
		return "", fmt.Errorf("ladder: vpcC profile %d, level %d, bit depth %d out of range", profile, level, depth)
	}
	return fmt.Sprintf("vp09.%02d.%02d.%02d", profile, level, depth), nil
}
