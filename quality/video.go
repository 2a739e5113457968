package quality

import (
	"errors"
	"fmt"
)

// VideoInfo describes a stream of pictures.
type VideoInfo struct {
	Width, Height int
	BitDepth      int
	Chroma        ChromaFormat
	FrameRateNum  int // 0 when unknown
	FrameRateDen  int
	Frames        int // -1 when the reader cannot know before reading
}

// NewPicture allocates a picture of the stream's format.
func (v VideoInfo) NewPicture() *Picture {
	return NewPicture(v.Width, v.Height, v.BitDepth, v.Chroma)
}

// Format describes the stream as "WxH 420 8-bit".
func (v VideoInfo) Format() string {
	return fmt.Sprintf("%dx%d %s %d-bit", v.Width, v.Height, v.Chroma, v.BitDepth)
}

// checkPicture refuses a picture p whose format is not the stream's; name is
// the reader's file name, for the error.
func (v VideoInfo) checkPicture(name string, p *Picture) error {
	if p.Width != v.Width || p.Height != v.Height || p.BitDepth != v.BitDepth || p.Chroma != v.Chroma {
		return fmt.Errorf("quality: %s: picture %s does not match stream %s", name, p.Format(), v.Format())
	}
	return nil
}

// VideoReader yields pictures one at a time, so memory does not grow with the
// video. ReadPicture fills p, which must have the stream's format, and returns
// io.EOF after the last picture.
type VideoReader interface {
	Info() VideoInfo
	ReadPicture(p *Picture) error
}

// FormatError reports input that does not follow its format. Its text names
// the file and the problem.
type FormatError string

func (e FormatError) Error() string { return string(e) }

// ErrMismatch is wrapped by errors that refuse a reference and a distorted
// input whose frame counts or formats differ.
var ErrMismatch = errors.New("inputs do not match")
