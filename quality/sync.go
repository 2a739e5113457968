package quality

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// TimedReader is a VideoReader that knows when each picture is shown.
type TimedReader interface {
	VideoReader
	// Time returns the presentation time, in seconds, of the picture the
	// last ReadPicture returned.
	Time() float64
}

// SyncStats says how SyncByTime paired the frames of two inputs.
type SyncStats struct {
	Pairs int `json:"pairs"` // one per distorted frame
	// Repeated counts distorted frames paired with the same reference
	// frame as the distorted frame before them (the encode repeated a
	// frame).
	Repeated int `json:"repeated"`
	// Dropped counts reference frames paired with no distorted frame (the
	// encode dropped them).
	Dropped int `json:"dropped"`
}

// SyncByTime pairs every distorted picture with the reference picture
// whose presentation time is nearest (the earlier one on a tie), as
// FFmpeg's framesync does with ts_sync_mode=nearest when the distorted
// input is the main one. It returns readers to hand to Score in place of
// ref and dis, and the statistics, complete once the readers reached
// io.EOF. The readers must be read in step, one picture from each per
// frame (as Score does), from any goroutines.
func SyncByTime(ref, dis TimedReader) (VideoReader, VideoReader, *SyncStats) {
	ri, di := ref.Info(), dis.Info()
	s := &timeSync{
		ref: ref, dis: dis, last: -1,
		cur: ri.NewPicture(), next: ri.NewPicture(), disPic: di.NewPicture(),
	}
	ri.Frames = di.Frames
	return &syncSide{s: s, ref: true, info: ri}, &syncSide{s: s, info: di}, &s.stats
}

// timeSync is the state SyncByTime's two readers share; Score reads its
// inputs concurrently, one picture each per frame.
type timeSync struct {
	mu          sync.Mutex // guards everything below
	ref, dis    TimedReader
	cur, next   *Picture // reference pictures: the last paired and the one after it
	curT, nextT float64
	curN        int // reference frame number of cur
	haveCur     bool
	haveNext    bool
	refEOF      bool
	disPic      *Picture // the distorted picture of the current pair
	last        int      // reference frame of the previous pair; -1 before the first
	pairs       int
	err         error // sticky: io.EOF at the end, or the failure
	stats       SyncStats
}

// readRef reads the next reference picture into s.next.
func (s *timeSync) readRef() error {
	err := s.ref.ReadPicture(s.next)
	if errors.Is(err, io.EOF) {
		s.refEOF = true
		return nil
	}
	if err != nil {
		return err
	}
	s.haveNext, s.nextT = true, s.ref.Time()
	return nil
}

// pair reads the next distorted picture and moves the reference to the
// picture nearest it in time.
func (s *timeSync) pair() error {
	err := s.dis.ReadPicture(s.disPic)
	if errors.Is(err, io.EOF) {
		return s.finish()
	}
	if err != nil {
		return err
	}
	t := s.dis.Time()
	if !s.haveCur {
		if err := s.readRef(); err != nil {
			return err
		}
		if !s.haveNext {
			return fmt.Errorf("quality: sync by time: the reference has no frames: %w", ErrMismatch)
		}
		s.advance()
	}
	for {
		if !s.haveNext && !s.refEOF {
			if err := s.readRef(); err != nil {
				return err
			}
		}
		if !s.haveNext || math.Abs(s.nextT-t) >= math.Abs(s.curT-t) {
			break
		}
		s.advance()
	}
	switch {
	case s.curN == s.last:
		s.stats.Repeated++
	default:
		s.stats.Dropped += s.curN - s.last - 1
	}
	s.last = s.curN
	s.pairs++
	s.stats.Pairs = s.pairs
	return nil
}

// advance makes the reference picture in next the current one.
func (s *timeSync) advance() {
	s.cur, s.next = s.next, s.cur
	s.curT = s.nextT
	if s.haveCur {
		s.curN++
	}
	s.haveCur, s.haveNext = true, false
}

// finish counts the reference frames after the last pair as dropped.
func (s *timeSync) finish() error {
	if s.pairs == 0 {
		return io.EOF
	}
	for {
		if s.haveNext {
			s.stats.Dropped++
			s.haveNext = false
		}
		if s.refEOF {
			return io.EOF
		}
		if err := s.readRef(); err != nil {
			return err
		}
	}
}

// syncSide is one of SyncByTime's readers.
type syncSide struct {
	s    *timeSync
	ref  bool
	info VideoInfo
	n    int // pairs this side has returned
}

func (r *syncSide) Info() VideoInfo { return r.info }

func (r *syncSide) ReadPicture(p *Picture) error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.n == s.pairs {
		if s.err != nil {
			return s.err
		}
		if err := s.pair(); err != nil {
			s.err = err
			return err
		}
	}
	if r.n != s.pairs-1 {
		return fmt.Errorf("quality: sync by time: reader %d pairs behind the other", s.pairs-r.n)
	}
	src := s.disPic
	if r.ref {
		src = s.cur
	}
	if err := r.info.checkPicture("sync", p); err != nil {
		return err
	}
	for i := range p.Planes {
		copy(p.Planes[i], src.Planes[i])
	}
	r.n++
	return nil
}
