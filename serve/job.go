package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"

	"rung/serve/event"
)

// Job is one ladder to run: a new object and where its ladder goes.
type Job struct {
	// ID is the job's workflow ID, JobID of Object.
	ID string
	// Source is the object's URL, s3://bucket/key.
	Source string
	// Output is where the job's ladder goes: the output prefix, then the
	// object's key without its extension.
	Output string
	// Object is the event's object.
	Object event.Object
}

// JobID returns the workflow ID of an object's job: "rung-" and 32 hex
// digits of SHA-256 over its bucket, its decoded key, and its version or,
// in an unversioned bucket, its ETag. A redelivered event gives the same
// ID; a new upload of the key, a new version or ETag, a new ID.
func JobID(o event.Object) string {
	rev := "v:" + o.VersionID
	if o.VersionID == "" {
		rev = "e:" + o.ETag
	}
	h := sha256.New()
	for _, f := range []string{o.Bucket, o.Key, rev} {
		// Length-prefixed, so no two field lists hash the same bytes.
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return "rung-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Location is an s3://bucket/prefix URL, split.
type Location struct {
	Bucket string
	// Prefix is the key prefix without a leading or trailing "/" ("" for
	// the whole bucket).
	Prefix string
}

// ParseLocation parses s3://bucket[/prefix].
func ParseLocation(u string) (Location, error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("serve: output %q is not an s3://bucket/prefix URL", u)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("serve: output %q has no bucket", u)
	}
	if prefix != "" {
		if err := event.CheckKey(prefix); err != nil {
			return Location{}, fmt.Errorf("serve: output %q: %w", u, err)
		}
	}
	return Location{Bucket: bucket, Prefix: prefix}, nil
}

// String formats the location as s3://bucket/prefix.
func (l Location) String() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// Holds reports whether an object lies under the location, as rung's own
// outputs do: events for them are ignored, so a ladder never starts one.
func (l Location) Holds(bucket, key string) bool {
	return bucket == l.Bucket && (l.Prefix == "" || strings.HasPrefix(key, l.Prefix+"/"))
}

// NewJob returns the job of an object whose ladder goes under out:
// <out>/<key without its extension>.
func NewJob(o event.Object, out Location) Job {
	stem := strings.TrimSuffix(o.Key, path.Ext(o.Key))
	if stem == "" || strings.HasSuffix(stem, "/") {
		// ".mkv" or "dir/.mkv": a dot file keeps its name.
		stem = o.Key
	}
	dst := Location{Bucket: out.Bucket, Prefix: strings.Trim(path.Join(out.Prefix, stem), "/")}
	return Job{
		ID:     JobID(o),
		Source: "s3://" + o.Bucket + "/" + o.Key,
		Output: dst.String(),
		Object: o,
	}
}
