package serve

import (
	"io"
	"log/slog"
)

// discardLogger is a logger that drops everything (for short-lived
// probe clients).
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
