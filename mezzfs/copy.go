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
// write. It neither commits nor aborts dst. A copy reads each block once:
// the blocks it has passed leave the memory cache at once and their
// buffers serve the blocks fetched ahead of it (drop-behind), so a copy
// of any size holds about its read-ahead window in memory.
func Copy(ctx context.Context, dst io.Writer, src *Source, progress func(done int64)) (int64, error) {
	buf := make([]byte, copyBuffer)
	var done int64
	for done < src.Size() {
		if err := ctx.Err(); err != nil {
			return done, fmt.Errorf("mezzfs: copy %s: %w", src.Info().URL, err)
		}
		n, err := src.writeRange(dst, done, min(int64(len(buf)), src.Size()-done), buf)
		done += n
		src.dropBehind(done)
		if n > 0 && progress != nil {
			progress(done)
		}
		if err != nil && !(err == io.EOF && done == src.Size()) {
			return done, fmt.Errorf("mezzfs: copy %s: %w", src.Info().URL, err)
		}
	}
	return done, nil
}
