// Package s3test starts a real S3-compatible server (MinIO) on loopback
// for the tests of mezzfs and of the commands that read s3://, and a
// loopback proxy that injects faults in front of it. The MinIO binary is built by `make minio` into $HOME/.cache/rung/bin;
// tests skip with a clear message when it is absent.
package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Credentials of every test server.
const (
	AccessKey = "rungtest"
	SecretKey = "rungtest-secret-key"
)

// Server is a MinIO server on 127.0.0.1 with its own data directory.
type Server struct {
	// Endpoint is the server's base URL, such as http://127.0.0.1:40123.
	Endpoint string
	bin      string
	addr     string
	dir      string
	env      []string
	tb       testing.TB
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Binary returns the path of the MinIO binary: $RUNG_MINIO, else
// $HOME/.cache/rung/bin/minio; "" when there is none.
func Binary() string {
	if p := os.Getenv("RUNG_MINIO"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(home, ".cache", "rung", "bin", "minio")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Start starts a server for the test and stops it at the test's end. The
// test is skipped when no MinIO binary is installed (`make minio`).
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartEnv(tb)
}

// StartEnv is Start with extra environment variables (KEY=value) for
// MinIO, such as the MINIO_NOTIFY_WEBHOOK_*_<ID> settings of a webhook
// target; a Restart keeps them.
func StartEnv(tb testing.TB, env ...string) *Server {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		tb.Skip("s3test: no MinIO binary: run `make minio` (or set RUNG_MINIO)")
	}
	s := &Server{bin: bin, addr: FreeAddr(tb), dir: tb.TempDir(), env: env, tb: tb}
	s.Endpoint = "http://" + s.addr
	s.start()
	tb.Cleanup(s.Stop)
	return s
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("s3test: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) start() {
	s.tb.Helper()
	console := FreeAddr(s.tb)
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.addr, "--console-address", console, s.dir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey,
		"MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=1",
	)
	cmd.Env = append(cmd.Env, s.env...)
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(s.dir), "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("s3test: start %s: %v", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		if logf != nil {
			logf.Close()
		}
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Healthy is not enough: MinIO answers 503 "not initialized" to S3
		// calls for a while after its health checks pass.
		if _, err := s.Client().ListBuckets(context.Background(), &s3.ListBucketsInput{}); err == nil {
			return
		}
		select {
		case <-exited:
			s.tb.Fatalf("s3test: MinIO exited at startup (log: %s)", filepath.Join(filepath.Dir(s.dir), "minio.log"))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.tb.Fatalf("s3test: MinIO not ready at %s after 60s", s.Endpoint)
		}
	}
}

// Stop kills the server (as a crash would) and waits for it to exit. Its
// data directory stays for Restart.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts a stopped server again on the same address and data.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	s.start()
}

// Client returns an S3 client for endpoint (the server's, or a proxy's in
// front of it) with the test credentials, path-style addressing and no
// SDK retries.
func Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		RetryMaxAttempts:           1,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	})
}

// Client returns a client of the server itself.
func (s *Server) Client() *s3.Client { return Client(s.Endpoint) }

// Bucket creates a bucket and returns its name.
func (s *Server) Bucket(name string) string {
	s.tb.Helper()
	_, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	var owned interface{ ErrorCode() string }
	if err != nil && !(errors.As(err, &owned) && owned.ErrorCode() == "BucketAlreadyOwnedByYou") {
		s.tb.Fatalf("s3test: create bucket %s: %v", name, err)
	}
	return name
}

// Put stores data under bucket/key.
func (s *Server) Put(bucket, key string, data []byte) string {
	s.tb.Helper()
	out, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		s.tb.Fatalf("s3test: put s3://%s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

// PutFile stores a local file under bucket/key (streamed, multipart by the
// SDK's uploader for large files is not needed: MinIO takes up to 5 GiB in
// one PUT).
func (s *Server) PutFile(bucket, key, path string) {
	s.tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		s.tb.Fatalf("s3test: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.tb.Fatalf("s3test: %v", err)
	}
	_, err = s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: f, ContentLength: aws.Int64(st.Size()),
	})
	if err != nil {
		s.tb.Fatalf("s3test: put %s as s3://%s/%s: %v", path, bucket, key, err)
	}
}

// URL formats s3://bucket/key.
func URL(bucket, key string) string { return fmt.Sprintf("s3://%s/%s", bucket, key) }
