package encode

// earlyDecoder opens a source's frame decoder in the background while
// the source is probed: each open runs FFmpeg's stream analysis, which
// decodes a frame, and the probe opens the source twice itself, so a
// streaming encode would otherwise wait for three opens in a row before
// its first frame.
type earlyDecoder struct {
	done chan struct{}
	fd   *frameDecoder
	err  error
}

// openEarly starts opening src's decoder (FFmpeg's thread count).
func openEarly(src Source, name string) *earlyDecoder {
	e := &earlyDecoder{done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.fd, e.err = openFrameDecoder(src, name, 0)
	}()
	return e
}

// take waits for the open and hands its decoder over, once: the caller
// closes it. A nil earlyDecoder opens src now.
func (e *earlyDecoder) take(src Source, name string) (*frameDecoder, error) {
	if e == nil {
		return openFrameDecoder(src, name, 0)
	}
	<-e.done
	fd := e.fd
	e.fd = nil
	return fd, e.err
}

// close waits for the open and closes a decoder nobody took.
func (e *earlyDecoder) close() {
	if e == nil {
		return
	}
	<-e.done
	if e.fd != nil {
		e.fd.Close()
		e.fd = nil
	}
}
