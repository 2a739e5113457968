package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// box is one MP4 box: its type and its payload (after the header).
type box struct {
	typ  string
	data []byte
	at   int64 // file offset of the payload
}

// boxes splits b, the payload of a box at file offset off, into its child
// boxes.
func boxes(b []byte, off int64) ([]box, error) {
	var out []box
	for p := 0; p < len(b); {
		if len(b)-p < 8 {
			return nil, fmt.Errorf("a box header at offset %d is cut short", off+int64(p))
		}
		n := uint64(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		h := 8
		switch n {
		case 0:
			n = uint64(len(b) - p)
		case 1:
			if len(b)-p < 16 {
				return nil, fmt.Errorf("box %q at offset %d: large size cut short", typ, off+int64(p))
			}
			n, h = binary.BigEndian.Uint64(b[p+8:]), 16
		}
		if n < uint64(h) || n > uint64(len(b)-p) {
			return nil, fmt.Errorf("box %q at offset %d overruns its parent", typ, off+int64(p))
		}
		out = append(out, box{typ: typ, data: b[p+h : p+int(n)], at: off + int64(p+h)})
		p += int(n)
	}
	return out, nil
}

// find returns the first child of type typ, following a path of types.
func find(bs []box, path ...string) (box, bool, error) {
	for i, typ := range path {
		var found *box
		for j := range bs {
			if bs[j].typ == typ {
				found = &bs[j]
				break
			}
		}
		if found == nil {
			return box{}, false, nil
		}
		if i == len(path)-1 {
			return *found, true, nil
		}
		var err error
		if bs, err = boxes(found.data, found.at); err != nil {
			return box{}, false, err
		}
	}
	return box{}, false, nil
}

// MP4 reads the sample tables of an MP4 or QuickTime file of size bytes:
// every sample of every track with its decode and presentation time (in
// the track's media time scale, before edit lists), byte offset, size and
// sync flag. It reads the top-level box headers and the moov box and
// nothing else. A fragmented file gives an error wrapping ErrNoIndex.
func MP4(r io.ReaderAt, size int64) (*Index, error) {
	var moov *box
	for off := int64(0); off < size; {
		h, err := readAt(r, size, off, min(16, size-off))
		if err != nil {
			return nil, fmt.Errorf("mp4: box at offset %d: %w", off, err)
		}
		if len(h) < 8 {
			return nil, fmt.Errorf("mp4: a box header at offset %d is cut short", off)
		}
		n, typ, hl := int64(binary.BigEndian.Uint32(h)), string(h[4:8]), int64(8)
		switch n {
		case 0:
			n = size - off
		case 1:
			if len(h) < 16 {
				return nil, fmt.Errorf("mp4: box %q at offset %d: large size cut short", typ, off)
			}
			u := binary.BigEndian.Uint64(h[8:])
			if u > math.MaxInt64 {
				return nil, fmt.Errorf("mp4: box %q at offset %d has an impossible size", typ, off)
			}
			n, hl = int64(u), 16
		}
		if n < hl {
			return nil, fmt.Errorf("mp4: box %q at offset %d has a size of %d, smaller than its header", typ, off, n)
		}
		if n > size-off {
			return nil, fmt.Errorf("mp4: box %q at offset %d is %d bytes, past the end of the file", typ, off, n)
		}
		switch typ {
		case "moov":
			b, err := readAt(r, size, off+hl, n-hl)
			if err != nil {
				return nil, fmt.Errorf("mp4: moov: %w", err)
			}
			moov = &box{typ: typ, data: b, at: off + hl}
		case "moof":
			return nil, fmt.Errorf("mp4: %w: the file is fragmented", ErrNoIndex)
		}
		if moov != nil && typ != "moov" {
			break // the boxes after moov do not matter
		}
		off += n
	}
	if moov == nil {
		return nil, errors.New("mp4: no moov box")
	}
	kids, err := boxes(moov.data, moov.at)
	if err != nil {
		return nil, fmt.Errorf("mp4: moov: %w", err)
	}
	x := &Index{Format: "mp4"}
	total := 0
	for _, k := range kids {
		switch k.typ {
		case "mvex":
			return nil, fmt.Errorf("mp4: %w: the file is fragmented", ErrNoIndex)
		case "trak":
			t, err := parseTrak(k, size, maxEntries-total)
			if err != nil {
				return nil, fmt.Errorf("mp4: %w", err)
			}
			total += len(t.Entries)
			x.Tracks = append(x.Tracks, t)
		}
	}
	return x, nil
}

// fullBox checks that b holds a full box header and at least need more
// bytes, and returns the version and the rest.
func fullBox(b box, need int) (byte, []byte, error) {
	if len(b.data) < 4+need {
		return 0, nil, fmt.Errorf("box %q at offset %d is cut short", b.typ, b.at)
	}
	return b.data[0], b.data[4:], nil
}

// table reads the entry count of a sample-table box and checks that its
// entries, width bytes each after skip bytes, fit in the box.
func table(b box, skip, width int) ([]byte, int, error) {
	_, d, err := fullBox(b, skip+4)
	if err != nil {
		return nil, 0, err
	}
	d = d[skip:]
	n := binary.BigEndian.Uint32(d)
	d = d[4:]
	if uint64(n)*uint64(width) > uint64(len(d)) {
		return nil, 0, fmt.Errorf("box %q at offset %d lists %d entries that do not fit in it", b.typ, b.at, n)
	}
	return d, int(n), nil
}

func parseTrak(trak box, fileSize int64, budget int) (Track, error) {
	kids, err := boxes(trak.data, trak.at)
	if err != nil {
		return Track{}, err
	}
	t := Track{Kind: "other", Complete: true}
	if tkhd, ok, err := find(kids, "tkhd"); err != nil {
		return t, err
	} else if ok {
		v, d, err := fullBox(tkhd, 12)
		if err != nil {
			return t, err
		}
		if v == 1 {
			if len(d) < 20 {
				return t, fmt.Errorf("box tkhd at offset %d is cut short", tkhd.at)
			}
			t.ID = int64(binary.BigEndian.Uint32(d[16:]))
		} else {
			t.ID = int64(binary.BigEndian.Uint32(d[8:]))
		}
	}
	mdhd, ok, err := find(kids, "mdia", "mdhd")
	if err != nil || !ok {
		return t, errors.Join(err, fmt.Errorf("track %d has no mdhd box", t.ID))
	}
	v, d, err := fullBox(mdhd, 12)
	if err != nil {
		return t, err
	}
	scale := binary.BigEndian.Uint32(d[8:])
	if v == 1 {
		if len(d) < 20 {
			return t, fmt.Errorf("box mdhd at offset %d is cut short", mdhd.at)
		}
		scale = binary.BigEndian.Uint32(d[16:])
	}
	if scale == 0 {
		return t, fmt.Errorf("track %d has a time scale of 0", t.ID)
	}
	t.TimeBase = [2]int64{1, int64(scale)}
	if hdlr, ok, err := find(kids, "mdia", "hdlr"); err != nil {
		return t, err
	} else if ok {
		_, d, err := fullBox(hdlr, 8)
		if err != nil {
			return t, err
		}
		switch string(d[4:8]) {
		case "vide":
			t.Kind = "video"
		case "soun":
			t.Kind = "audio"
		}
	}
	stbl, ok, err := find(kids, "mdia", "minf", "stbl")
	if err != nil || !ok {
		return t, errors.Join(err, fmt.Errorf("track %d has no sample table", t.ID))
	}
	st, err := boxes(stbl.data, stbl.at)
	if err != nil {
		return t, err
	}
	if stsd, ok, _ := find(st, "stsd"); ok {
		if _, d, err := fullBox(stsd, 12); err == nil {
			t.Codec = string(d[8:12])
		}
	}
	t.Entries, err = samples(st, fileSize, budget)
	if err != nil {
		return t, fmt.Errorf("track %d: %w", t.ID, err)
	}
	return t, nil
}

// samples expands a sample table into one Entry per sample.
func samples(st []box, fileSize int64, budget int) ([]Entry, error) {
	sizes, err := sampleSizes(st, budget)
	if err != nil {
		return nil, err
	}
	n := len(sizes)
	out := make([]Entry, n)
	// Decode times: stts runs of (count, delta).
	stts, ok, _ := find(st, "stts")
	if !ok {
		return nil, errors.New("no stts box")
	}
	d, runs, err := table(stts, 0, 8)
	if err != nil {
		return nil, err
	}
	i, dts := 0, int64(0)
	for r := 0; r < runs && i < n; r++ {
		count, delta := binary.BigEndian.Uint32(d[8*r:]), binary.BigEndian.Uint32(d[8*r+4:])
		for c := uint32(0); c < count && i < n; c++ {
			out[i].DTS = dts
			dts += int64(delta)
			i++
		}
	}
	if i < n {
		return nil, fmt.Errorf("stts times %d of %d samples", i, n)
	}
	for i := range out {
		out[i].PTS, out[i].Key, out[i].Size = out[i].DTS, true, int64(sizes[i])
	}
	// Composition offsets.
	if ctts, ok, _ := find(st, "ctts"); ok {
		version := byte(0)
		if len(ctts.data) > 0 {
			version = ctts.data[0]
		}
		d, runs, err := table(ctts, 0, 8)
		if err != nil {
			return nil, err
		}
		i := 0
		for r := 0; r < runs && i < n; r++ {
			count, raw := binary.BigEndian.Uint32(d[8*r:]), binary.BigEndian.Uint32(d[8*r+4:])
			off := int64(raw)
			if version == 1 || raw >= 1<<31 { // signed in version 1; muxers write negative values in version 0 too
				off = int64(int32(raw))
			}
			for c := uint32(0); c < count && i < n; c++ {
				out[i].PTS += off
				i++
			}
		}
	}
	// Sync samples: without stss every sample is one.
	if stss, ok, _ := find(st, "stss"); ok {
		d, m, err := table(stss, 0, 4)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].Key = false
		}
		for k := 0; k < m; k++ {
			s := binary.BigEndian.Uint32(d[4*k:])
			if s >= 1 && int(s) <= n {
				out[s-1].Key = true
			}
		}
	}
	return out, sampleOffsets(st, out, fileSize)
}

// sampleSizes reads stsz or stz2.
func sampleSizes(st []box, budget int) ([]uint32, error) {
	if stsz, ok, _ := find(st, "stsz"); ok {
		_, d, err := fullBox(stsz, 8)
		if err != nil {
			return nil, err
		}
		fixed, n := binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:])
		if uint64(n) > uint64(budget) {
			return nil, fmt.Errorf("%d samples, more than %d", n, budget)
		}
		sizes := make([]uint32, n)
		if fixed != 0 {
			for i := range sizes {
				sizes[i] = fixed
			}
			return sizes, nil
		}
		if uint64(n)*4 > uint64(len(d)-8) {
			return nil, fmt.Errorf("box stsz at offset %d lists %d sizes that do not fit in it", stsz.at, n)
		}
		for i := range sizes {
			sizes[i] = binary.BigEndian.Uint32(d[8+4*i:])
		}
		return sizes, nil
	}
	if stz2, ok, _ := find(st, "stz2"); ok {
		_, d, err := fullBox(stz2, 8)
		if err != nil {
			return nil, err
		}
		field, n := int(d[3]), binary.BigEndian.Uint32(d[4:])
		if field != 4 && field != 8 && field != 16 {
			return nil, fmt.Errorf("box stz2 at offset %d has a field size of %d bits", stz2.at, field)
		}
		if uint64(n) > uint64(budget) || (uint64(n)*uint64(field)+7)/8 > uint64(len(d)-8) {
			return nil, fmt.Errorf("box stz2 at offset %d lists %d sizes that do not fit in it", stz2.at, n)
		}
		sizes := make([]uint32, n)
		p := d[8:]
		for i := range sizes {
			switch field {
			case 4:
				sizes[i] = uint32(p[i/2]>>(4*(1-i%2))) & 0xF
			case 8:
				sizes[i] = uint32(p[i])
			case 16:
				sizes[i] = uint32(binary.BigEndian.Uint16(p[2*i:]))
			}
		}
		return sizes, nil
	}
	return nil, errors.New("no stsz or stz2 box")
}

// sampleOffsets places every sample: stsc maps samples to chunks, stco or
// co64 gives each chunk's offset, and samples follow each other in a chunk.
func sampleOffsets(st []box, out []Entry, fileSize int64) error {
	var chunks []int64
	if stco, ok, _ := find(st, "stco"); ok {
		d, n, err := table(stco, 0, 4)
		if err != nil {
			return err
		}
		chunks = make([]int64, n)
		for i := range chunks {
			chunks[i] = int64(binary.BigEndian.Uint32(d[4*i:]))
		}
	} else if co64, ok, _ := find(st, "co64"); ok {
		d, n, err := table(co64, 0, 8)
		if err != nil {
			return err
		}
		chunks = make([]int64, n)
		for i := range chunks {
			u := binary.BigEndian.Uint64(d[8*i:])
			if u > math.MaxInt64/2 {
				return fmt.Errorf("chunk %d has an impossible offset", i+1)
			}
			chunks[i] = int64(u)
		}
	} else if len(out) > 0 {
		return errors.New("no stco or co64 box")
	}
	stsc, ok, _ := find(st, "stsc")
	if !ok {
		if len(out) > 0 {
			return errors.New("no stsc box")
		}
		return nil
	}
	d, runs, err := table(stsc, 0, 12)
	if err != nil {
		return err
	}
	s := 0
	for r := 0; r < runs && s < len(out); r++ {
		first, per := int64(binary.BigEndian.Uint32(d[12*r:])), int64(binary.BigEndian.Uint32(d[12*r+4:]))
		last := int64(len(chunks)) // the last run covers the remaining chunks
		if r+1 < runs {
			last = int64(binary.BigEndian.Uint32(d[12*(r+1):])) - 1
		}
		if first < 1 || last > int64(len(chunks)) || per == 0 && first <= last {
			return fmt.Errorf("stsc entry %d maps chunks %d..%d of %d", r+1, first, last, len(chunks))
		}
		for c := first; c <= last && s < len(out); c++ {
			pos := chunks[c-1]
			for k := int64(0); k < per && s < len(out); k++ {
				if pos < 0 || pos+out[s].Size > fileSize {
					return fmt.Errorf("%w: sample %d at offset %d (%d bytes) ends after the file's %d bytes", ErrPastEnd, s+1, pos, out[s].Size, fileSize)
				}
				out[s].Pos = pos
				pos += out[s].Size
				s++
			}
		}
	}
	if s < len(out) {
		return fmt.Errorf("the chunk tables place %d of %d samples", s, len(out))
	}
	return nil
}
