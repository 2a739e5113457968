package mezzfs

import (
	"context"
	"fmt"
	"io"
)

// copyBuffer is the size of each read of Copy.
const copyBuffer = 4 << 20

// Copy writes all of src to dst in order and returns the bytes copied.
// progress, when not nil, is called with the running total after each
// write. It neither commits nor aborts dst.
func Copy(ctx context.Context, dst io.Writer, src *Source, progress func(done int64)) (int64, error) {
	buf := make([]byte, copyBuffer)
	var done int64
	for done < src.Size() {
		if err := ctx.Err(); err != nil {
			return done, fmt.Errorf("mezzfs: copy %s: %w", src.Info().URL, err)
		}
		n, err := src.writeRange(dst, done, min(int64(len(buf)), src.Size()-done), buf)
		done += n
		if n > 0 && progress != nil {
			progress(done)
		}
		if err != nil && !(err == io.EOF && done == src.Size()) {
			return done, fmt.Errorf("mezzfs: copy %s: %w", src.Info().URL, err)
		}
	}
	return done, nil
}
