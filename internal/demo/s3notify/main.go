// Command s3notify prepares an S3-compatible server for `make demo-serve`:
// it creates buckets and sends a bucket's ObjectCreated events to a
// notification target (MinIO: arn:minio:sqs::ID:webhook), retrying while
// the server starts up. It reads the AWS_* environment as rung does.
//
//	s3notify -create mezz,ladders -bucket mezz -arn arn:minio:sqs::RUNG:webhook
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"rung/mezzfs"
)

func main() {
	create := flag.String("create", "", "comma-separated buckets to create")
	bucket := flag.String("bucket", "", "bucket whose ObjectCreated events to send")
	arn := flag.String("arn", "", "ARN of the notification target")
	wait := flag.Duration("wait", time.Minute, "how long to retry while the server starts")
	flag.Parse()
	if err := run(*create, *bucket, *arn, *wait); err != nil {
		fmt.Fprintf(os.Stderr, "s3notify: %v\n", err)
		os.Exit(1)
	}
}

func run(create, bucket, arn string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := mezzfs.NewS3Client(ctx, mezzfs.S3Options{})
	if err != nil {
		return err
	}
	for _, b := range strings.Split(create, ",") {
		if b == "" {
			continue
		}
		err := retry(ctx, func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
			var owned *types.BucketAlreadyOwnedByYou
			if errors.As(err, &owned) {
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	if bucket == "" {
		return nil
	}
	// Targets register after the server answers S3 calls: retry.
	err = retry(ctx, func() error {
		_, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String(bucket),
			NotificationConfiguration: &types.NotificationConfiguration{
				QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String(arn), Events: []types.Event{"s3:ObjectCreated:*"}}},
			},
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("notification of %s to %s: %w", bucket, arn, err)
	}
	return nil
}

// retry calls f every half second until it succeeds or ctx ends.
func retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}
