package encode

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/asticode/go-astiav"
)

// atomicMuxer writes a media file under a temporary name next to its final
// path and renames it into place only when the file is complete and synced,
// so a crash never leaves a partial file under the final name.
type atomicMuxer struct {
	path, tmp string
	fc        *astiav.FormatContext
	io        *astiav.IOContext
	header    bool
}

// newAtomicMuxer prepares a muxer of format (a libavformat short name) for
// path. Streams are added to fc before writeHeader.
func newAtomicMuxer(path, format string) (*atomicMuxer, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("encode: create %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	fc, err := astiav.AllocOutputFormatContext(nil, format, tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("encode: %s: %s muxer: %w", path, format, err)
	}
	ioc, err := astiav.OpenIOContext(tmp, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		fc.Free()
		os.Remove(tmp)
		return nil, fmt.Errorf("encode: open %s: %w", tmp, err)
	}
	fc.SetPb(ioc)
	return &atomicMuxer{path: path, tmp: tmp, fc: fc, io: ioc}, nil
}

// writeHeader writes the container header once the streams are set up.
func (m *atomicMuxer) writeHeader(opts *astiav.Dictionary) error {
	if err := m.fc.WriteHeader(opts); err != nil {
		return fmt.Errorf("encode: %s: write header: %w", m.path, err)
	}
	m.header = true
	return nil
}

// commit writes the trailer, syncs the file and renames it to its final
// path. The muxer is closed afterwards, whether commit succeeds or not.
func (m *atomicMuxer) commit() error {
	defer m.abort()
	if err := m.fc.WriteTrailer(); err != nil {
		return fmt.Errorf("encode: %s: write trailer: %w", m.path, err)
	}
	if err := m.closeIO(); err != nil {
		return err
	}
	if err := os.Chmod(m.tmp, 0o644); err != nil { // CreateTemp made it 0600
		return fmt.Errorf("encode: %w", err)
	}
	if err := syncFile(m.tmp); err != nil {
		return fmt.Errorf("encode: %s: %w", m.path, err)
	}
	if err := os.Rename(m.tmp, m.path); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	m.tmp = ""
	return syncDir(filepath.Dir(m.path))
}

func (m *atomicMuxer) closeIO() error {
	if m.io == nil {
		return nil
	}
	err := m.io.Close()
	m.io = nil
	if err != nil {
		return fmt.Errorf("encode: close %s: %w", m.tmp, err)
	}
	return nil
}

// abort closes the muxer and removes the temporary file, if still there.
// It is safe to call more than once.
func (m *atomicMuxer) abort() {
	m.closeIO()
	if m.fc != nil {
		m.fc.Free()
		m.fc = nil
	}
	if m.tmp != "" {
		os.Remove(m.tmp)
		m.tmp = ""
	}
}

// syncFile flushes a closed file's data to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("encode: sync %s: %w", dir, err)
	}
	defer d.Close()
	d.Sync() // not every file system supports syncing directories
	return nil
}
