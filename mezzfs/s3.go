package mezzfs

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// objectAPI is what a Source needs from S3: the object's size and ETag,
// and ranges of its bytes. *s3.Client implements it; tests use fakes for
// the cache and range logic.
type objectAPI interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Options configures the S3 client built by NewS3Client.
type S3Options struct {
	// Endpoint is the base URL of an S3-compatible server, such as
	// "http://127.0.0.1:9000". When empty the SDK's own configuration
	// applies (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, or AWS itself).
	Endpoint string
	// PathStyle addresses buckets as a path (host/bucket/key) rather than
	// a host name. It is forced on when Endpoint (or AWS_ENDPOINT_URL) is
	// set, since S3-compatible servers rarely serve virtual hosts.
	PathStyle bool
	// Region defaults to AWS_REGION, then to "us-east-1".
	Region string
}

// NewS3Client builds an aws-sdk-go-v2 S3 client from the standard
// credential chain (environment, shared config and credentials files,
// web identity, instance roles). The SDK's own retries are turned off:
// mezzfs retries ranged reads itself, body failures included, and
// reports every attempt in its statistics.
func NewS3Client(ctx context.Context, o S3Options) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("mezzfs: load AWS configuration: %w", err)
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	endpoint := o.Endpoint
	pathStyle := o.PathStyle || endpoint != "" || os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if endpoint != "" {
			so.BaseEndpoint = aws.String(endpoint)
		}
		so.UsePathStyle = pathStyle
		so.RetryMaxAttempts = 1
		// Checksum validation of ranged reads is not possible (S3 checksums
		// cover whole objects) and only costs a warning.
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		so.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// client returns o.S3, or a client built from o.S3Options when it is nil.
func (o Options) client(ctx context.Context) (*s3.Client, error) {
	if o.S3 != nil {
		return o.S3, nil
	}
	return NewS3Client(ctx, o.S3Options)
}

// S3URL is a parsed s3://bucket/key URL.
type S3URL struct {
	Bucket string
	Key    string // may be empty or a prefix for listings
}

// String formats u as s3://bucket/key.
func (u S3URL) String() string { return "s3://" + u.Bucket + "/" + u.Key }

// IsS3 reports whether name is an s3:// URL.
func IsS3(name string) bool { return strings.HasPrefix(name, "s3://") }

// ParseS3URL parses s3://bucket/key. The key may be empty (a bucket or
// prefix listing).
func ParseS3URL(raw string) (S3URL, error) {
	if !IsS3(raw) {
		return S3URL{}, fmt.Errorf("mezzfs: %s: not an s3:// URL", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return S3URL{}, fmt.Errorf("mezzfs: %s: %w", raw, err)
	}
	if u.Host == "" {
		return S3URL{}, fmt.Errorf("mezzfs: %s: no bucket", raw)
	}
	return S3URL{Bucket: u.Host, Key: strings.TrimPrefix(u.Path, "/")}, nil
}

// objectURL parses name as an s3:// URL that names one object, not a
// bucket or a prefix; step names the operation in its errors.
func objectURL(step, name string) (S3URL, error) {
	u, err := ParseS3URL(name)
	if err != nil {
		return S3URL{}, err
	}
	if u.Key == "" || strings.HasSuffix(u.Key, "/") {
		return S3URL{}, fmt.Errorf("mezzfs: %s %s: no object key", step, name)
	}
	return u, nil
}
