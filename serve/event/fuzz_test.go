package event

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that what it accepts holds
// the promises rung serve relies on: a valid bucket, a key with no "." or
// ".." segment that is not absolute, and a version or an ETag.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"mezz"},"object":{"key":"..%2Fa","eTag":"e"}}}]}`))
	f.Add([]byte(`{"Event":"s3:TestEvent"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := Parse(body)
		if err != nil {
			if b.Len() != 0 {
				t.Fatalf("Parse returned %d events with error %v", b.Len(), err)
			}
			return
		}
		if b.Len() == 0 {
			t.Fatal("Parse accepted a body with no event")
		}
		for _, o := range b.Created {
			if !validBucket(o.Bucket) {
				t.Fatalf("accepted bucket %q", o.Bucket)
			}
			if CheckKey(o.Key) != nil || strings.HasPrefix(o.Key, "/") {
				t.Fatalf("accepted key %q", o.Key)
			}
			for _, seg := range strings.Split(o.Key, "/") {
				if seg == ".." || seg == "." {
					t.Fatalf("accepted key %q", o.Key)
				}
			}
			if o.VersionID == "" && o.ETag == "" {
				t.Fatalf("accepted %+v without a version or ETag", o)
			}
		}
	})
}
