package ladder

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxMoovBytes bounds the moov box SampleEntry reads into memory; an init
// section is a few kilobytes.
const maxMoovBytes = 16 << 20

// SampleEntry returns the four-character type of the first track's first
// sample entry in the MP4 file at path (ISO/IEC 14496-12
// moov/trak/mdia/minf/stbl/stsd) and the payload of its child box of type
// config ("vpcC", "hvcC", …), or nil when the entry has none.
func SampleEntry(path, config string) (entry string, payload []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("ladder: read init section: %w", err)
	}
	defer f.Close()
	moov, err := readTopBox(f, "moov")
	if err != nil {
		return "", nil, fmt.Errorf("ladder: %s: %w", path, err)
	}
	entry, payload, err = parseSampleEntry(moov, config)
	if err != nil {
		return "", nil, fmt.Errorf("ladder: %s: %w", path, err)
	}
	return entry, payload, nil
}

// readTopBox returns the payload of the first top-level box of type typ.
func readTopBox(r io.ReadSeeker, typ string) ([]byte, error) {
	var hdr [16]byte
	for {
		if _, err := io.ReadFull(r, hdr[:8]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("no %s box", typ)
			}
			return nil, err
		}
		size, head := uint64(binary.BigEndian.Uint32(hdr[:4])), uint64(8)
		if size == 1 {
			if _, err := io.ReadFull(r, hdr[8:16]); err != nil {
				return nil, fmt.Errorf("truncated box header: %w", err)
			}
			size, head = binary.BigEndian.Uint64(hdr[8:16]), 16
		}
		if size < head { // 0 (to end of file) is never an init box
			return nil, fmt.Errorf("no %s box before a box of size %d", typ, size)
		}
		if string(hdr[4:8]) == typ {
			if size-head > maxMoovBytes {
				return nil, fmt.Errorf("%s box of %d bytes", typ, size)
			}
			b := make([]byte, size-head)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("truncated %s box: %w", typ, err)
			}
			return b, nil
		}
		if _, err := r.Seek(int64(size-head), io.SeekCurrent); err != nil {
			return nil, err
		}
	}
}

// childBox returns the payload of the first box of type typ among the boxes
// packed in b.
func childBox(b []byte, typ string) ([]byte, error) {
	for len(b) >= 8 {
		size := binary.BigEndian.Uint32(b)
		if size < 8 || uint64(size) > uint64(len(b)) {
			return nil, fmt.Errorf("box %q of bad size %d looking for %s", b[4:8], size, typ)
		}
		if string(b[4:8]) == typ {
			return b[8:size], nil
		}
		b = b[size:]
	}
	return nil, fmt.Errorf("%s: %w", typ, errNoBox)
}

// errNoBox reports that a box being looked for is absent.
var errNoBox = errors.New("box missing")

// parseSampleEntry walks a moov payload down to the first sample entry and
// returns its type and the payload of its config child box (nil if absent).
func parseSampleEntry(moov []byte, config string) (string, []byte, error) {
	b := moov
	for _, typ := range []string{"trak", "mdia", "minf", "stbl", "stsd"} {
		var err error
		if b, err = childBox(b, typ); err != nil {
			return "", nil, err
		}
	}
	// stsd: version/flags(4), entry_count(4), then the entries. A visual
	// sample entry has 78 bytes of fixed fields after its header (§12.1.3).
	if len(b) < 8+8 {
		return "", nil, errors.New("stsd box too short")
	}
	b = b[8:]
	size := binary.BigEndian.Uint32(b)
	if size < 8+78 || uint64(size) > uint64(len(b)) {
		return "", nil, fmt.Errorf("sample entry %q of bad size %d", b[4:8], size)
	}
	entry := string(b[4:8])
	payload, err := childBox(b[8+78:size], config)
	if errors.Is(err, errNoBox) {
		return entry, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s sample entry: %w", entry, err)
	}
	return entry, payload, nil
}
