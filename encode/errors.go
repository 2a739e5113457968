package encode

import "errors"

// Errors callers branch on. They are wrapped with the file and step.
var (
	// ErrNoVideo: the input has no video stream.
	ErrNoVideo = errors.New("no video stream")
	// ErrUnknownCodec: the codec name is not one rung encodes with, or the
	// FFmpeg build lacks its encoder.
	ErrUnknownCodec = errors.New("unknown codec")
	// ErrUnsupported: the input uses a format rung cannot convert (for
	// example a pixel format outside planar YUV).
	ErrUnsupported = errors.New("unsupported")
	// ErrDamaged: some packets of the input do not decode (strict mode;
	// otherwise the frames that decode are encoded and the rest counted).
	ErrDamaged = errors.New("damaged input")
)
