package mezzfs

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// Default cache geometry.
const (
	DefaultBlockSize    = 8 << 20   // bytes per block
	DefaultMemoryBudget = 256 << 20 // bytes of blocks kept in memory
)

// Cache keeps fixed-size blocks of objects in memory, least recently used
// first out once the memory budget is spent, and optionally in a directory
// on disk that several processes on one host may share. Blocks are keyed
// by the object's identity (URL and ETag), so a changed object never
// serves old blocks. One Cache may serve many Sources (a FUSE mount shares
// one among its files). It is safe for concurrent use.
type Cache struct {
	// Write once.
	blockSize  int64
	budget     int64
	dir        string // "" for memory only
	recycleMax int    // bound of the evicted and free lists, in blocks

	mu sync.Mutex
	// Guarded by mu.
	lru     list.List // of *cacheEntry, most recent at the front
	entries map[blockKey]*list.Element
	used    int64
	// Block buffers are recycled, since allocating (zeroing, faulting in)
	// 8 MiB per fetch costs more CPU than the fetch. A buffer dropped from
	// the cache may still be read by a reader that found it earlier, so it
	// waits in evicted until no reader or fetch is active (active == 0),
	// then moves to free, from which fetches take their buffers.
	active  int
	evicted [][]byte
	free    [][]byte
}

// blockKey names one block of one version of one object.
type blockKey struct {
	object string // identity: URL and ETag
	index  int64
}

type cacheEntry struct {
	key  blockKey
	data []byte
}

// CacheOptions configures NewCache. Zero values mean the defaults.
type CacheOptions struct {
	BlockSize    int64  // bytes per block; DefaultBlockSize when 0
	MemoryBudget int64  // bytes kept in memory; DefaultMemoryBudget when 0, none when negative
	Dir          string // shared on-disk cache directory; none when ""
}

// NewCache returns an empty cache. The directory, when given, is created.
func NewCache(o CacheOptions) (*Cache, error) {
	c := &Cache{blockSize: o.BlockSize, budget: o.MemoryBudget, dir: o.Dir, entries: map[blockKey]*list.Element{}}
	if c.blockSize <= 0 {
		c.blockSize = DefaultBlockSize
	}
	if c.budget == 0 {
		c.budget = DefaultMemoryBudget
	}
	// The recycling lists hold at most half the budget again.
	c.recycleMax = int(max(2, c.budget/(4*c.blockSize)))
	if c.dir != "" {
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			return nil, fmt.Errorf("mezzfs: cache dir %s: %w", c.dir, err)
		}
	}
	return c, nil
}

// get returns the block under k from memory, else from disk (then keeping
// it in memory too). The slice must not be modified.
func (c *Cache) get(k blockKey) ([]byte, bool) {
	if b, ok := c.getMemory(k); ok {
		return b, true
	}
	if c.dir == "" {
		return nil, false
	}
	b, err := os.ReadFile(c.blockPath(k))
	if err != nil {
		return nil, false
	}
	c.putMemory(k, b)
	return b, true
}

// getMemory returns the block under k when it is in memory.
func (c *Cache) getMemory(k blockKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).data, true
}

// put stores a freshly fetched block in memory and on disk. A disk write
// that fails only loses the disk copy.
func (c *Cache) put(k blockKey, b []byte) {
	c.putMemory(k, b)
	if c.dir != "" {
		_ = writeFileAtomic(c.blockPath(k), b)
	}
}

func (c *Cache) putMemory(k blockKey, b []byte) {
	if c.budget < 0 || int64(len(b)) > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		c.lru.MoveToFront(e)
		return
	}
	c.entries[k] = c.lru.PushFront(&cacheEntry{key: k, data: b})
	c.used += int64(len(b))
	c._evict()
}

// _evict drops least recently used blocks until the budget holds. Callers
// hold mu.
func (c *Cache) _evict() {
	for c.used > c.budget {
		e := c.lru.Back()
		if e == nil {
			return
		}
		ce := c.lru.Remove(e).(*cacheEntry)
		delete(c.entries, ce.key)
		c.used -= int64(len(ce.data))
		c._recycle(ce.data)
	}
}

// drop removes the block under k from memory (not from disk), its buffer
// to be recycled once no section is active.
func (c *Cache) drop(k blockKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return
	}
	ce := c.lru.Remove(e).(*cacheEntry)
	delete(c.entries, k)
	c.used -= int64(len(ce.data))
	c._recycle(ce.data)
}

// _recycle keeps an evicted block buffer for reuse. Callers hold mu.
func (c *Cache) _recycle(b []byte) {
	if int64(len(b)) == c.blockSize && int64(cap(b)) == c.blockSize && len(c.evicted) < c.recycleMax {
		c.evicted = append(c.evicted, b)
	}
}

// enter marks the start of a section that may hold slices of cached
// blocks (a read, the end of a fetch); exit its end. Evicted buffers are
// reused only once no section is active.
func (c *Cache) enter() {
	c.mu.Lock()
	c.active++
	c.mu.Unlock()
}

func (c *Cache) exit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active--
	if c.active == 0 {
		for _, b := range c.evicted {
			if len(c.free) < c.recycleMax {
				c.free = append(c.free, b)
			}
		}
		clear(c.evicted)
		c.evicted = c.evicted[:0]
	}
}

// alloc returns a buffer of n bytes for a fetch to fill entirely: a
// recycled block when n is the block size.
func (c *Cache) alloc(n int64) []byte {
	if n == c.blockSize {
		c.mu.Lock()
		if k := len(c.free); k > 0 {
			b := c.free[k-1]
			c.free[k-1] = nil
			c.free = c.free[:k-1]
			c.mu.Unlock()
			return b
		}
		c.mu.Unlock()
	}
	return make([]byte, n)
}

// memoryUsed returns the bytes of blocks held in memory.
func (c *Cache) memoryUsed() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// blockPath is where block k lives in the disk cache: one directory per
// object version, named by a hash of its identity, one file per block.
func (c *Cache) blockPath(k blockKey) string {
	h := sha256.Sum256([]byte(k.object))
	return filepath.Join(c.dir, hex.EncodeToString(h[:16]), strconv.FormatInt(c.blockSize, 10)+"-"+strconv.FormatInt(k.index, 10))
}

// writeFileAtomic writes b to a temporary file in path's directory and
// renames it to path, so readers see all of it or nothing.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
