package encode

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// sourceSample is how many bytes of the head, middle and tail of a source
// SourceID hashes.
const sourceSample = 1 << 20

// SourceID identifies a source's content cheaply: SHA-256 of its size and
// of up to 1 MiB at its head, middle and tail. Two different files of the
// same size differing only elsewhere collide; for mezzanines (whose
// container headers and indexes sit at the ends) that is accepted.
func SourceID(src Source) (string, error) {
	h := sha256.New()
	size := src.Size()
	binary.Write(h, binary.LittleEndian, size)
	buf := make([]byte, sourceSample)
	for _, off := range []int64{0, size/2 - sourceSample/2, size - sourceSample} {
		off = max(0, off)
		n := min(int64(len(buf)), size-off)
		if n <= 0 {
			continue
		}
		if _, err := src.ReadAt(buf[:n], off); err != nil && err != io.EOF {
			return "", fmt.Errorf("encode: source identity: read at %d: %w", off, err)
		}
		h.Write(buf[:n])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Cache is a directory of finished chunks. A chunk's file name is derived
// from (source identity, frame range, settings), so a rerun finds exactly
// the chunks a previous run completed, whatever stopped it.
type Cache struct {
	Dir string
}

// chunkLayout versions what a chunk file holds, so that chunks of an
// earlier layout are encoded again rather than misread.
const chunkLayout = 2

// ChunkKey returns the cache key of one chunk encode: a hash of the
// source identity, the frame range, the settings, the chunk layout and
// the encoder's thread count when set, since x264's and x265's output
// depends on it (frame threads limit motion search to the rows already
// encoded). A zero Threads (the encoder chooses from the machine's
// cores) leaves the key as it was before threads were part of it.
func ChunkKey(sourceID string, c Chunk, s Settings) string {
	b, _ := json.Marshal(struct {
		Source     string
		Start, End int
		Settings   Settings
		Layout     int // 2: a packet's pts is its frame's place in the chunk
		Threads    int `json:",omitempty"`
	}{sourceID, c.Start, c.End, s, chunkLayout, s.Threads})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Path returns where the chunk with key lives.
func (c Cache) Path(index int, key string) string {
	return filepath.Join(c.Dir, cacheName(index, key))
}

// cacheName is the file name of chunk index with key.
func cacheName(index int, key string) string {
	return fmt.Sprintf("%05d-%s.%s", index, key, chunkFormat)
}

// Has reports whether a finished chunk is stored under path. Chunks are
// renamed into place only when complete, so existence is enough.
func (c Cache) Has(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Size() > 0
}

// ensure creates the cache directory.
func (c Cache) ensure() error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("encode: work dir: %w", err)
	}
	return nil
}
