package quality

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"sync"
	"testing"

	"rung/internal/vmafref"
)

// openPairReaders opens the reference and distorted inputs of entry e as
// libvmaf read them.
func openPairReaders(t testing.TB, dir string, e vmafref.Entry) (ref, dis VideoReader) {
	t.Helper()
	refPath, disPath := vmafref.Inputs(t, dir, e)
	open := func(path string) VideoReader {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if e.Raw != nil {
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewRawReader(f, path, e.Raw.Width, e.Raw.Height, e.Raw.PixFmt, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r, err := NewY4MReader(f, path)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	return open(refPath), open(disPath)
}

// featureStride is the frame step the libvmaf comparisons use: every frame
// below 720p, every 5th at 720p and above, to keep `make test` short.
func featureStride(e vmafref.Entry) int {
	if e.Width*e.Height >= 1280*720 {
		return 5
	}
	return 1
}

// forEachFramePair calls fn for every stride-th frame pair of the entry.
func forEachFramePair(t *testing.T, dir string, e vmafref.Entry, stride int, fn func(ref, dis *Picture, i int)) {
	t.Helper()
	rr, dr := openPairReaders(t, dir, e)
	rp, dp := rr.Info().NewPicture(), dr.Info().NewPicture()
	for i := 0; ; i++ {
		errR, errD := rr.ReadPicture(rp), dr.ReadPicture(dp)
		if errors.Is(errR, io.EOF) && errors.Is(errD, io.EOF) {
			return
		}
		if errR != nil || errD != nil {
			t.Fatalf("frame %d: reading: ref %v, dist %v", i, errR, errD)
		}
		if i%stride == 0 {
			fn(rp, dp, i)
		}
	}
}

// benchFramePairs reads the first n frame pairs of a pairs.json entry into
// memory, for the benchmarks.
func benchFramePairs(b *testing.B, name string, n int) (refs, diss []*Picture) {
	b.Helper()
	dir, e := vmafref.Find(b, name)
	rr, dr := openPairReaders(b, dir, e)
	for len(refs) < n {
		rp, dp := rr.Info().NewPicture(), dr.Info().NewPicture()
		errR, errD := rr.ReadPicture(rp), dr.ReadPicture(dp)
		if errR != nil || errD != nil {
			break
		}
		refs, diss = append(refs, rp), append(diss, dp)
	}
	if len(refs) == 0 {
		b.Fatalf("%s: no frames", name)
	}
	return refs, diss
}

// maxDiffs tracks the largest |ours - libvmaf| per feature across subtests.
type maxDiffs struct {
	mu    sync.Mutex
	diff  map[string]float64
	where map[string]string
	n     map[string]int
}

func (m *maxDiffs) add(name, where string, d float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.diff == nil {
		m.diff, m.where, m.n = map[string]float64{}, map[string]string{}, map[string]int{}
	}
	m.n[name]++
	if d >= m.diff[name] {
		m.diff[name], m.where[name] = d, where
	}
}

func (m *maxDiffs) log(t *testing.T) {
	names := make([]string, 0, len(m.diff))
	for n := range m.diff {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("%-14s max |ours - libvmaf| = %.3g over %d frames (at %s)", n, m.diff[n], m.n[n], m.where[n])
	}
}

// checkAgainstLibvmaf runs a fresh extractor from newExt over every
// `_features` pair of pairs.json and compares each of names, per frame,
// with libvmaf's full-precision JSON: within tol where libvmaf has a value,
// an ErrTooSmall error where it has none.
func checkAgainstLibvmaf(t *testing.T, names []string, tol float64, newExt func() Extractor) {
	dir, entries := vmafref.Entries(t)
	var md maxDiffs
	t.Run("pairs", func(t *testing.T) {
		for _, e := range entries {
			if !e.Features {
				continue
			}
			t.Run(e.Name, func(t *testing.T) {
				t.Parallel()
				want := vmafref.LoadResult(t, dir, e.JSONHP)
				ext := newExt()
				frames := 0
				forEachFramePair(t, dir, e, featureStride(e), func(ref, dis *Picture, i int) {
					frames++
					if i >= len(want.Frames) {
						t.Fatalf("frame %d: libvmaf has only %d frames", i, len(want.Frames))
					}
					metrics := want.Frames[i].Metrics
					_, has := metrics[names[0]]
					got := NewScores()
					err := ext.Extract(ref, dis, i, got)
					if !has {
						if !errors.Is(err, ErrTooSmall) {
							t.Fatalf("frame %d: libvmaf has no %s; want an ErrTooSmall error, got %v", i, names[0], err)
						}
						return
					}
					if err != nil {
						t.Fatalf("frame %d: %v", i, err)
					}
					for _, name := range names {
						w, ok := metrics[name]
						if !ok {
							t.Fatalf("frame %d: libvmaf JSON has no %s", i, name)
						}
						g, ok := got.Get(name, i)
						if !ok {
							t.Fatalf("frame %d: %s not recorded", i, name)
						}
						d := math.Abs(g - w)
						md.add(name, fmt.Sprintf("%s frame %d", e.Name, i), d)
						if !(d <= tol) {
							t.Errorf("frame %d: %s = %.9g, libvmaf %.9g (diff %.3g > %g)", i, name, g, w, d, tol)
						}
					}
				})
				if frames == 0 {
					t.Fatal("no frames read")
				}
			})
		}
	})
	md.log(t)
}

// TestPSNRMatchesLibvmaf: psnr_y, psnr_cb and psnr_cr of libvmaf on every
// `_features` pair (8 and 10 bit, 4:2:0 and 4:4:4). The contract is 0.01 dB;
// the sums are exact integers, so only log10's last bits may differ and the
// test holds us to 1e-9 dB.
func TestPSNRMatchesLibvmaf(t *testing.T) {
	checkAgainstLibvmaf(t, []string{"psnr_y", "psnr_cb", "psnr_cr"}, 1e-9, func() Extractor { return NewPSNR(PSNROptions{}) })
}

// TestSSIMMatchesLibvmaf: float_ssim of libvmaf on every `_features` pair,
// covering the automatic downscale factors 1 to 4. The contract is 1e-4; we
// keep libvmaf's float and double operations in its order, so the test holds
// us to 1e-6 (in practice the values are identical).
func TestSSIMMatchesLibvmaf(t *testing.T) {
	checkAgainstLibvmaf(t, []string{"float_ssim"}, 1e-6, func() Extractor { return NewSSIM() })
}

// TestMSSSIMMatchesLibvmaf: float_ms_ssim of libvmaf on every `_features`
// pair to 1e-6 (contract 1e-4), and no value (ErrTooSmall) at 160x90 where
// libvmaf has none.
func TestMSSSIMMatchesLibvmaf(t *testing.T) {
	checkAgainstLibvmaf(t, []string{"float_ms_ssim"}, 1e-6, func() Extractor { return NewMSSSIM() })
}
