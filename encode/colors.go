package encode

import "fmt"

// Names of the colour description codes of ITU-T H.273 (the values FFmpeg's
// AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace and
// AVColorRange carry), spelled as ffprobe prints them.
var (
	primariesNames = map[int]string{1: "bt709", 2: "unknown", 4: "bt470m", 5: "bt470bg",
		6: "smpte170m", 7: "smpte240m", 8: "film", 9: "bt2020", 10: "smpte428",
		11: "smpte431", 12: "smpte432", 22: "jedec-p22"}
	transferNames = map[int]string{1: "bt709", 2: "unknown", 4: "gamma22", 5: "gamma28",
		6: "smpte170m", 7: "smpte240m", 8: "linear", 9: "log100", 10: "log316",
		11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1", 14: "bt2020-10",
		15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67"}
	matrixNames = map[int]string{0: "gbr", 1: "bt709", 2: "unknown", 4: "fcc", 5: "bt470bg",
		6: "smpte170m", 7: "smpte240m", 8: "ycgco", 9: "bt2020nc", 10: "bt2020c",
		11: "smpte2085", 12: "chroma-derived-nc", 13: "chroma-derived-c", 14: "ictcp"}
	rangeNames = map[int]string{0: "unknown", 1: "tv", 2: "pc"}
)

// colorName returns names[code], or "unknown(code)".
func colorName(names map[int]string, code int) string {
	if n, ok := names[code]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", code)
}
