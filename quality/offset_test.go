package quality

import (
	"context"
	"io"
	"testing"

	"rung/internal/vmafref"
)

// shifted is a VideoReader whose first `late` pictures repeat the input's
// first one: the input arrives `late` frames late.
type shifted struct {
	VideoReader
	late int
	held *Picture
}

func (s *shifted) ReadPicture(p *Picture) error {
	if s.held == nil {
		s.held = s.Info().NewPicture()
		if err := s.VideoReader.ReadPicture(s.held); err != nil {
			return err
		}
	}
	if s.late >= 0 {
		s.late--
		copy(p.Planes[0], s.held.Planes[0])
		copy(p.Planes[1], s.held.Planes[1])
		copy(p.Planes[2], s.held.Planes[2])
		return nil
	}
	return s.VideoReader.ReadPicture(p)
}

func TestEstimateOffsetFindsShift(t *testing.T) {
	dir, e := vmafref.Find(t, "cars_768x432_crf28.vmaf_v0.6.1")
	for _, late := range []int{0, 2, 5} {
		ref, dis := openPairReaders(t, dir, e)
		if late > 0 {
			dis = &shifted{VideoReader: dis, late: late}
		}
		est, err := EstimateOffset(context.Background(), ref, dis, OffsetOptions{MaxOffset: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("late %d: estimate %d, margin %.2f dB", late, est.Offset, est.Margin)
		if est.Offset != late {
			t.Errorf("late %d: estimated %d (PSNR by shift %v)", late, est.Offset, est.PSNR)
		}
	}
	// Scoring the late input with the found offset gives libvmaf's scores
	// of the aligned pair.
	ref, late := openPairReaders(t, dir, e)
	dis := &shifted{VideoReader: late, late: 2}
	model, err := LoadModel(dir + "/vmaf/model/vmaf_v0.6.1.json")
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := Extractors(model, nil)
	res, err := Score(context.Background(), ref, dis, ScoreOptions{Extractors: ex, Model: model, FrameOffset: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := vmafref.LoadResult(t, dir, e.JSON)
	got, _ := Pool("mean", res.Scores.Column("vmaf"))
	if d := got - want.PooledMetrics["vmaf"]["mean"]; d > 1e-5 || d < -1e-5 {
		t.Errorf("vmaf mean with --frame-offset 2: %f, libvmaf (aligned) %f", got, want.PooledMetrics["vmaf"]["mean"])
	}
}

func TestEstimateOffsetEmpty(t *testing.T) {
	empty := &RawReader{name: "e.yuv", r: eofReader{}, info: VideoInfo{Width: 8, Height: 8, BitDepth: 8, Chroma: Chroma420}}
	if _, err := EstimateOffset(context.Background(), empty, empty, OffsetOptions{}); err == nil {
		t.Fatal("no error for empty inputs")
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
