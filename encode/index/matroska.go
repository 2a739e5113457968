package index

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Matroska element IDs (with their length marker, as written).
const (
	mkvEBML            = 0x1A45DFA3
	mkvDocType         = 0x4282
	mkvSegment         = 0x18538067
	mkvSeekHead        = 0x114D9B74
	mkvSeek            = 0x4DBB
	mkvSeekID          = 0x53AB
	mkvSeekPosition    = 0x53AC
	mkvInfo            = 0x1549A966
	mkvTimestampScale  = 0x2AD7B1
	mkvTracks          = 0x1654AE6B
	mkvTrackEntry      = 0xAE
	mkvTrackNumber     = 0xD7
	mkvTrackType       = 0x83
	mkvCodecID         = 0x86
	mkvDefaultDuration = 0x23E383
	mkvCues            = 0x1C53BB6B
	mkvCuePoint        = 0xBB
	mkvCueTime         = 0xB3
	mkvCueTrackPos     = 0xB7
	mkvCueTrack        = 0xF7
	mkvCueClusterPos   = 0xF1
	mkvCluster         = 0x1F43B675
)

// unknownSize marks an element whose size the muxer did not write.
const unknownSize = -1

// element is one EBML element header: its ID, where its data starts and
// how long the data is (unknownSize when not stated).
type element struct {
	id         uint32
	data, size int64
}

// vint decodes an EBML variable-length integer from b: its value (with the
// length marker removed when strip is set), its length in bytes, and
// whether every value bit is set (the "unknown size" pattern).
func vint(b []byte, strip bool) (v uint64, n int, allOnes bool, err error) {
	if len(b) == 0 {
		return 0, 0, false, io.ErrUnexpectedEOF
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
		if n > 8 {
			return 0, 0, false, errors.New("invalid EBML variable-length integer")
		}
	}
	if len(b) < n {
		return 0, 0, false, io.ErrUnexpectedEOF
	}
	v = uint64(b[0])
	if strip {
		v &= 0xFF >> n
	}
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n, strip && v == 1<<(7*n)-1, nil
}

// parseHeader decodes the element header at the start of b, found at
// offset off of the file.
func parseHeader(b []byte, off int64) (element, int, error) {
	id, n1, _, err := vint(b, false)
	if err != nil {
		return element{}, 0, fmt.Errorf("element ID at offset %d: %w", off, err)
	}
	if n1 > 4 {
		return element{}, 0, fmt.Errorf("element ID at offset %d is %d bytes long", off, n1)
	}
	size, n2, unknown, err := vint(b[n1:], true)
	if err != nil {
		return element{}, 0, fmt.Errorf("element size at offset %d: %w", off, err)
	}
	e := element{id: uint32(id), data: off + int64(n1+n2), size: int64(size)}
	if unknown {
		e.size = unknownSize
	} else if size > math.MaxInt64/2 {
		return element{}, 0, fmt.Errorf("element at offset %d has an impossible size", off)
	}
	return e, n1 + n2, nil
}

// readHeader reads the element header at off.
func readHeader(r io.ReaderAt, size, off int64) (element, error) {
	b, err := readAt(r, size, off, min(12, size-off))
	if err != nil {
		return element{}, err
	}
	e, _, err := parseHeader(b, off)
	return e, err
}

// children calls fn for every child element in b, the data of an element
// that starts at offset off of the file.
func children(b []byte, off int64, fn func(e element, data []byte) error) error {
	for p := 0; p < len(b); {
		e, n, err := parseHeader(b[p:], off+int64(p))
		if err != nil {
			return err
		}
		if e.size == unknownSize || e.size > int64(len(b)-p-n) {
			return fmt.Errorf("element 0x%X at offset %d overruns its parent", e.id, off+int64(p))
		}
		if err := fn(e, b[p+n:p+n+int(e.size)]); err != nil {
			return err
		}
		p += n + int(e.size)
	}
	return nil
}

// uintOf decodes an EBML unsigned integer element of 0–8 bytes.
func uintOf(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, fmt.Errorf("an unsigned integer of %d bytes", len(b))
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// mkvTrackInfo is what the Tracks element says of one track.
type mkvTrackInfo struct {
	number          uint64
	kind            string
	codec           string
	defaultDuration uint64 // ns
}

// Matroska reads the Cues of a Matroska or WebM file of size bytes: the
// keyframes of every track that has cue points, with their timestamps in
// the segment's timestamp scale and the byte offset of their cluster. It
// reads the EBML header, the SeekHead, Info, Tracks and Cues elements and
// nothing else. A file without Cues gives an error wrapping ErrNoIndex.
func Matroska(r io.ReaderAt, size int64) (*Index, error) {
	head, err := readHeader(r, size, 0)
	if err != nil {
		return nil, fmt.Errorf("matroska: %w", err)
	}
	if head.id != mkvEBML || head.size == unknownSize || head.size > 4096 {
		return nil, errors.New("matroska: not an EBML file")
	}
	hb, err := readAt(r, size, head.data, head.size)
	if err != nil {
		return nil, fmt.Errorf("matroska: EBML header: %w", err)
	}
	var docType string
	if err := children(hb, head.data, func(e element, d []byte) error {
		if e.id == mkvDocType {
			docType = string(d)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("matroska: EBML header: %w", err)
	}
	if docType != "matroska" && docType != "webm" {
		return nil, fmt.Errorf("matroska: document type %q", docType)
	}
	seg, err := readHeader(r, size, head.data+head.size)
	if err != nil {
		return nil, fmt.Errorf("matroska: segment: %w", err)
	}
	if seg.id != mkvSegment {
		return nil, fmt.Errorf("matroska: element 0x%X where the segment should start", seg.id)
	}
	end := size
	if seg.size != unknownSize && seg.data+seg.size < size {
		end = seg.data + seg.size
	}
	m := &mkvReader{r: r, size: size, segment: seg.data, end: end, seen: map[int64]bool{}}
	if err := m.walk(seg.data); err != nil {
		return nil, fmt.Errorf("matroska: %w", err)
	}
	return m.index()
}

// mkvReader collects the index elements of one segment.
type mkvReader struct {
	r            io.ReaderAt
	size         int64
	segment, end int64 // the segment's data: positions are relative to segment
	seen         map[int64]bool
	scale        uint64 // ns per timestamp tick
	tracks       []mkvTrackInfo
	cues         []byte
	cuesAt       int64
}

// walk reads the top-level elements from off until the first Cluster
// (clusters are never walked: they are the frames), then follows the
// SeekHead to the index elements stored after the clusters.
func (m *mkvReader) walk(off int64) error {
	var seeks []int64
	for off < m.end {
		if m.seen[off] {
			return nil
		}
		m.seen[off] = true
		e, err := readHeader(m.r, m.size, off)
		if err != nil {
			return err
		}
		if e.id == mkvCluster || e.size == unknownSize {
			break
		}
		if indexElement(e.id) {
			s, err := m.element(e, off)
			if err != nil {
				return err
			}
			seeks = append(seeks, s...)
		}
		off = e.data + e.size
	}
	for _, s := range seeks {
		if err := m.walkOne(s); err != nil {
			return err
		}
	}
	return nil
}

// walkOne reads the one index element a SeekHead points to at off.
func (m *mkvReader) walkOne(off int64) error {
	if m.seen[off] || off < m.segment || off >= m.end {
		return nil
	}
	m.seen[off] = true
	e, err := readHeader(m.r, m.size, off)
	if err != nil {
		return fmt.Errorf("SeekHead entry at offset %d: %w", off, err)
	}
	if !indexElement(e.id) {
		return nil
	}
	if e.size == unknownSize {
		return fmt.Errorf("element 0x%X at offset %d has no size", e.id, off)
	}
	seeks, err := m.element(e, off)
	if err != nil {
		return err
	}
	for _, s := range seeks {
		if err := m.walkOne(s); err != nil {
			return err
		}
	}
	return nil
}

// indexElement reports whether id is one of the top-level elements the
// index is read from.
func indexElement(id uint32) bool {
	switch id {
	case mkvSeekHead, mkvInfo, mkvTracks, mkvCues:
		return true
	}
	return false
}

// element reads and decodes the index element e, whose header is at off;
// for a SeekHead it returns the absolute offsets of the elements it
// points to.
func (m *mkvReader) element(e element, off int64) ([]int64, error) {
	b, err := readAt(m.r, m.size, e.data, e.size)
	if err != nil {
		return nil, fmt.Errorf("element 0x%X at offset %d: %w", e.id, off, err)
	}
	switch e.id {
	case mkvSeekHead:
		return m.seekHead(e, b)
	case mkvInfo:
		return nil, children(b, e.data, func(c element, d []byte) error {
			if c.id == mkvTimestampScale {
				v, err := uintOf(d)
				m.scale = v
				return err
			}
			return nil
		})
	case mkvTracks:
		return nil, m.parseTracks(e, b)
	case mkvCues:
		if m.cues == nil {
			m.cues, m.cuesAt = b, e.data
		}
	}
	return nil, nil
}

func (m *mkvReader) seekHead(e element, b []byte) ([]int64, error) {
	var out []int64
	err := children(b, e.data, func(c element, d []byte) error {
		if c.id != mkvSeek {
			return nil
		}
		var id, pos uint64
		var havePos bool
		err := children(d, c.data, func(f element, v []byte) error {
			var err error
			switch f.id {
			case mkvSeekID:
				id, err = uintOf(v)
			case mkvSeekPosition:
				pos, err = uintOf(v)
				havePos = true
			}
			return err
		})
		if err != nil {
			return err
		}
		if id <= math.MaxUint32 && indexElement(uint32(id)) && havePos && pos < uint64(m.end-m.segment) {
			out = append(out, m.segment+int64(pos))
		}
		return nil
	})
	return out, err
}

func (m *mkvReader) parseTracks(e element, b []byte) error {
	return children(b, e.data, func(c element, d []byte) error {
		if c.id != mkvTrackEntry {
			return nil
		}
		var t mkvTrackInfo
		err := children(d, c.data, func(f element, v []byte) error {
			var err error
			switch f.id {
			case mkvTrackNumber:
				t.number, err = uintOf(v)
			case mkvTrackType:
				var k uint64
				k, err = uintOf(v)
				t.kind = map[uint64]string{1: "video", 2: "audio"}[k]
				if t.kind == "" {
					t.kind = "other"
				}
			case mkvCodecID:
				t.codec = string(v)
			case mkvDefaultDuration:
				t.defaultDuration, err = uintOf(v)
			}
			return err
		})
		if err != nil {
			return err
		}
		m.tracks = append(m.tracks, t)
		return nil
	})
}

// index turns the collected elements into an Index.
func (m *mkvReader) index() (*Index, error) {
	if m.tracks == nil {
		return nil, errors.New("matroska: no Tracks element")
	}
	if m.cues == nil {
		return nil, fmt.Errorf("matroska: %w: the file has no Cues", ErrNoIndex)
	}
	scale := m.scale
	if scale == 0 {
		scale = 1000000 // the default: milliseconds
	}
	if scale > 1e9 {
		return nil, fmt.Errorf("matroska: timestamp scale %d ns", scale)
	}
	num, den := reduce(int64(scale), 1e9)
	x := &Index{Format: "matroska"}
	byNumber := map[uint64]int{}
	for _, t := range m.tracks {
		if _, dup := byNumber[t.number]; dup || t.number == 0 {
			return nil, fmt.Errorf("matroska: track number %d twice or zero", t.number)
		}
		byNumber[t.number] = len(x.Tracks)
		tr := Track{ID: int64(t.number), Kind: t.kind, Codec: t.codec, TimeBase: [2]int64{num, den}}
		if t.kind == "" {
			tr.Kind = "other"
		}
		if t.defaultDuration > 0 {
			tr.FrameDuration = float64(t.defaultDuration) / float64(scale)
		}
		x.Tracks = append(x.Tracks, tr)
	}
	err := children(m.cues, m.cuesAt, func(c element, d []byte) error {
		if c.id != mkvCuePoint {
			return nil
		}
		var ts uint64
		var haveTime bool
		type pos struct {
			track, cluster uint64
		}
		var ps []pos
		err := children(d, c.data, func(f element, v []byte) error {
			switch f.id {
			case mkvCueTime:
				var err error
				ts, err = uintOf(v)
				haveTime = true
				return err
			case mkvCueTrackPos:
				var p pos
				err := children(v, f.data, func(g element, w []byte) error {
					var err error
					switch g.id {
					case mkvCueTrack:
						p.track, err = uintOf(w)
					case mkvCueClusterPos:
						p.cluster, err = uintOf(w)
					}
					return err
				})
				ps = append(ps, p)
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !haveTime || ts > math.MaxInt64/2 {
			return fmt.Errorf("cue point at offset %d has no usable time", c.data)
		}
		for _, p := range ps {
			i, ok := byNumber[p.track]
			if !ok {
				continue
			}
			if len(x.Tracks[i].Entries) >= maxEntries {
				return fmt.Errorf("more than %d cue points", maxEntries)
			}
			e := Entry{PTS: int64(ts), DTS: int64(ts), Pos: -1, Key: true}
			if p.cluster < uint64(m.end-m.segment) {
				e.Pos = m.segment + int64(p.cluster)
			}
			x.Tracks[i].Entries = append(x.Tracks[i].Entries, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("matroska: Cues: %w", err)
	}
	for i := range x.Tracks {
		t := &x.Tracks[i]
		slices.SortStableFunc(t.Entries, func(a, b Entry) int { return cmp.Compare(a.PTS, b.PTS) })
		t.Entries = slices.CompactFunc(t.Entries, func(a, b Entry) bool { return a.PTS == b.PTS })
	}
	return x, nil
}

// reduce returns num/den in lowest terms.
func reduce(num, den int64) (int64, int64) {
	a, b := num, den
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return num, den
	}
	return num / a, den / a
}
