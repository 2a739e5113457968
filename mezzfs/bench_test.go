package mezzfs

import (
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"rung/internal/s3test"
)

// benchObjectSize is the size of the object the S3 benchmarks read.
const benchObjectSize = 512 << 20

// discardAt is an io.WriterAt that keeps nothing.
type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// benchServer starts MinIO with one random object of benchObjectSize.
func benchServer(b *testing.B) (*s3test.Server, string) {
	srv := s3test.Start(b)
	bucket := srv.Bucket("bench")
	srv.Put(bucket, "mezzanine.bin", randomBytes(benchObjectSize, 9))
	return srv, bucket
}

// BenchmarkS3Sequential reads one object end to end through a fresh
// Source (default options: 8 MiB blocks, 16 GETs, read-ahead; 4 MiB reads
// as Copy makes them) and through aws-sdk-go-v2's feature/s3/manager
// Downloader (its defaults: 5 MiB parts, 5 at once) on the same server,
// back to back in each of several rounds, and reports both throughputs
// and the median of the rounds' ratios (the machine is shared, so single
// rounds are noisy).
func BenchmarkS3Sequential(b *testing.B) {
	srv, bucket := benchServer(b)
	client := srv.Client()
	ctx := context.Background()
	url := s3test.URL(bucket, "mezzanine.bin")
	const rounds = 7
	var tSource, tSDK time.Duration
	var ratios []float64
	b.SetBytes(benchObjectSize)
	b.ResetTimer()
	for b.Loop() {
		for range rounds {
			runtime.GC() // the last round's cache is garbage: collect it outside the timings
			start := time.Now()
			src, err := Open(ctx, url, Options{S3: client})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := Copy(ctx, io.Discard, src, nil); err != nil || n != benchObjectSize {
				b.Fatalf("Source: %d bytes, %v", n, err)
			}
			src.Close()
			ts := time.Since(start)

			runtime.GC()
			start = time.Now()
			d := manager.NewDownloader(client)
			n, err := d.Download(ctx, discardAt{}, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("mezzanine.bin")})
			if err != nil || n != benchObjectSize {
				b.Fatalf("Downloader: %d bytes, %v", n, err)
			}
			td := time.Since(start)
			tSource, tSDK = tSource+ts, tSDK+td
			ratios = append(ratios, td.Seconds()/ts.Seconds())
		}
	}
	total := float64(benchObjectSize) * rounds * float64(b.N) / 1e6
	mbSource, mbSDK := total/tSource.Seconds(), total/tSDK.Seconds()
	slices.Sort(ratios)
	ratio := ratios[len(ratios)/2]
	b.ReportMetric(mbSource, "source_MB/s")
	b.ReportMetric(mbSDK, "sdk_downloader_MB/s")
	b.ReportMetric(ratio, "ratio")
	b.Logf("sequential: Source %.0f MB/s, SDK Downloader %.0f MB/s; Source/Downloader ratio %.2f (median of %d rounds %.2f..%.2f)",
		mbSource, mbSDK, ratio, len(ratios), ratios[0], ratios[len(ratios)-1])
}

// BenchmarkS3Random1MiB makes 1 MiB reads at random offsets through a
// fresh Source (default options), from 1 and from 8 goroutines, and
// reports reads per second.
func BenchmarkS3Random1MiB(b *testing.B) {
	srv, bucket := benchServer(b)
	client := srv.Client()
	ctx := context.Background()
	url := s3test.URL(bucket, "mezzanine.bin")
	for _, workers := range []int{1, 8} {
		b.Run("readers="+itoa(workers), func(b *testing.B) {
			const reads = 256
			var elapsed time.Duration
			var hits, fetched int64
			b.SetBytes(reads << 20)
			for b.Loop() {
				src, err := Open(ctx, url, Options{S3: client})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := rand.New(rand.NewPCG(uint64(w), 7))
						p := make([]byte, 1<<20)
						for range reads / workers {
							off := r.Int64N(benchObjectSize - int64(len(p)))
							if _, err := src.ReadAt(p, off); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				elapsed += time.Since(start)
				st := src.Stats()
				hits, fetched = hits+st.CacheHits, fetched+st.BytesFetched
				src.Close()
			}
			rps := float64(reads*b.N) / elapsed.Seconds()
			b.ReportMetric(rps, "reads/s")
			b.Logf("random 1 MiB reads, %d readers: %.1f reads/s (cache hits %d, %.0f MiB fetched per run)", workers, rps, hits/int64(b.N), float64(fetched)/float64(b.N)/(1<<20))
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}
