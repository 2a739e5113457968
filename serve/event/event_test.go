package event

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseSenders(t *testing.T) {
	tests := []struct {
		file string
		want Batch
	}{
		{"minio-put.json", Batch{Created: []Object{{
			Name: "ObjectCreated:Put", Bucket: "mezz", Key: "titles/Big Buck+Bunny (2008).mkv",
			ETag: "5d41402abc4b2a76b9719d911017c592", Size: 1048576,
		}}}},
		{"minio-multipart-versioned.json", Batch{Created: []Object{{
			Name: "ObjectCreated:CompleteMultipartUpload", Bucket: "mezz", Key: "a/b/c.mov",
			VersionID: "4b3f6a70-2a0e-4f5e-9d11-7c1a2b3c4d5e", ETag: "0f343b0931126a20f133d67c2b018a3b-14", Size: 73400320,
		}}}},
		{"minio-delete.json", Batch{Ignored: []Ignored{{Name: "ObjectRemoved:Delete", Bucket: "mezz", Key: "old.mkv"}}}},
		{"aws-put.json", Batch{Created: []Object{{
			Name: "ObjectCreated:Put", Bucket: "studio-mezz", Key: "incoming/My Film (final) v2+.mxf",
			VersionID: "096fKKXTRTtl3on89fVO.nfljtsv6qko", ETag: "d41d8cd98f00b204e9800998ecf8427e", Size: 52428800,
		}}}},
		{"aws-test.json", Batch{Ignored: []Ignored{{Name: "s3:TestEvent"}}}},
		{"eventbridge-created.json", Batch{Created: []Object{{
			Name: "Object Created", Bucket: "studio-mezz", Key: "incoming/trailer 2.mp4",
			VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", ETag: "b1946ac92492d2347c6235b4d2611184", Size: 5242880,
		}}}},
		{"eventbridge-deleted.json", Batch{Ignored: []Ignored{{Name: "Object Deleted", Bucket: "studio-mezz", Key: "incoming/trailer+2.mp4"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// minioRecord is one record of a MinIO-shaped body.
func minioRecord(name, bucket, key, etag string) string {
	return `{"eventVersion":"2.0","eventSource":"minio:s3","eventName":"` + name +
		`","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"` + bucket + `"},"object":{"key":"` + key + `","eTag":"` + etag + `","sequencer":"1"}}}`
}

// minioBody is a MinIO-shaped body with one record.
func minioBody(name, bucket, key, etag string) string {
	return `{"EventName":"` + name + `","Key":"k","Records":[` + minioRecord(name, bucket, key, etag) + `]}`
}

func TestParseRefused(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "empty body"},
		{"not JSON", `{"Records":[`, "malformed JSON"},
		{"trailing data", minioBody("s3:ObjectCreated:Put", "mezz", "a.mkv", "e") + `{}`, "data after the event"},
		{"array", `[]`, "malformed JSON"},
		{"unknown shape", `{"hello":"world"}`, "neither S3 Records"},
		{"empty Records", `{"Records":[]}`, "Records is empty"},
		{"wrong type", `{"Records":[{"eventName":1}]}`, "malformed JSON"},
		{"no eventName", `{"Records":[{"s3":{}}]}`, "no eventName"},
		{"no bucket", minioBody("s3:ObjectCreated:Put", "", "a.mkv", "e"), "no bucket name"},
		{"bad bucket", minioBody("s3:ObjectCreated:Put", "Mezz_1", "a.mkv", "e"), "not a valid S3 bucket name"},
		{"no key", minioBody("s3:ObjectCreated:Put", "mezz", "", "e"), "no object key"},
		{"bad escape", minioBody("s3:ObjectCreated:Put", "mezz", "a%zz.mkv", "e"), "not URL-encoded"},
		{"dot-dot", minioBody("s3:ObjectCreated:Put", "mezz", "a%2F..%2F..%2Fetc%2Fpasswd", "e"), `".." segment`},
		{"dot-dot plain", minioBody("s3:ObjectCreated:Put", "mezz", "../x.mkv", "e"), `".." segment`},
		{"dot-dot encoded dots", minioBody("s3:ObjectCreated:Put", "mezz", "%2E%2E%2Fx.mkv", "e"), `".." segment`},
		{"dot", minioBody("s3:ObjectCreated:Put", "mezz", "a%2F.%2Fx.mkv", "e"), `"." segment`},
		{"absolute", minioBody("s3:ObjectCreated:Put", "mezz", "%2Fetc%2Fx.mkv", "e"), "absolute path"},
		{"NUL", minioBody("s3:ObjectCreated:Put", "mezz", "a%00.mkv", "e"), "NUL"},
		{"not UTF-8", minioBody("s3:ObjectCreated:Put", "mezz", "a%ff.mkv", "e"), "not UTF-8"},
		{"no version or ETag", minioBody("s3:ObjectCreated:Put", "mezz", "a.mkv", ""), "neither versionId nor eTag"},
		{"unknown message", `{"Event":"s3:Other"}`, "unknown message"},
		{"EventBridge other source", `{"detail-type":"Object Created","source":"aws.ec2","detail":{}}`, "not aws.s3"},
		{"EventBridge no detail", `{"detail-type":"Object Created","source":"aws.s3"}`, "without detail-type or detail"},
		{"EventBridge no key", `{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"mezz"},"object":{"etag":"e"}}}`, "no object key"},
		{"one bad record refuses all", `{"Records":[` + minioRecord("s3:ObjectCreated:Put", "mezz", "a.mkv", "e") + `,` +
			minioRecord("s3:ObjectCreated:Put", "mezz", "..%2Fa.mkv", "e") + `]}`, `Records[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse([]byte(tt.body))
			var e Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %+v, %v; want an event.Error", b, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "event: ") {
				t.Errorf("error %q, want it to name %q", err, tt.want)
			}
		})
	}
}

func TestReadCapsBody(t *testing.T) {
	body := minioBody("s3:ObjectCreated:Put", "mezz", "a.mkv", "e")
	padded := body[:len(body)-1] + strings.Repeat(" ", MaxBody-len(body)) + "}"
	if len(padded) != MaxBody {
		t.Fatalf("padded body is %d bytes", len(padded))
	}
	if _, err := Read(strings.NewReader(padded)); err != nil {
		t.Errorf("Read of a %d-byte body: %v", MaxBody, err)
	}
	if _, err := Read(bytes.NewReader([]byte(padded + " "))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read of a %d-byte body: %v, want ErrTooLarge", MaxBody+1, err)
	}
}

func TestDecodeKey(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"a.mkv", "a.mkv"},
		{"dir%2Fsub%2Fa.mkv", "dir/sub/a.mkv"},
		{"dir/sub/a.mkv", "dir/sub/a.mkv"}, // a sender that did not escape "/"
		{"my+file.mkv", "my file.mkv"},
		{"c%2B%2B.mkv", "c++.mkv"},
		{"%E6%98%A0%E7%94%BB.mkv", "映画.mkv"},
		{"a..b.mkv", "a..b.mkv"},
		{"...%2Fa.mkv", ".../a.mkv"},
	}
	for _, tt := range tests {
		got, err := DecodeKey(tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("DecodeKey(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}
