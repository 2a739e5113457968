// Package event parses the S3 event notifications that `rung serve`
// receives, in the shapes their senders really send:
//
//   - the S3 Records shape of MinIO's webhook target
//     (internal/event/target/webhook.go: {"EventName", "Key", "Records"},
//     eventName "s3:ObjectCreated:Put", the object key escaped with
//     url.QueryEscape, "/" included);
//   - the same Records shape from AWS S3 (eventName "ObjectCreated:Put"
//     without "s3:", the key URL-encoded with spaces as "+"), and its
//     {"Event": "s3:TestEvent"} message;
//   - the EventBridge shape ({"detail-type": "Object Created", "source":
//     "aws.s3", "detail": {"bucket": {"name"}, "object": {"key", "etag",
//     "version-id"}}}).
//
// Parsing is strict: one JSON value of a known shape, the fields rung
// needs present and of the right type, every key decoded and checked.
// A body with one bad record is refused whole, so nothing of it starts.
package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxBody is the largest body Read accepts (1 MiB). MinIO sends one
// record per request, a few KiB.
const MaxBody = 1 << 20

// Error is a body that is refused: not JSON, an unknown shape, a record
// without the fields rung needs, or a key rung will not map to an output
// path.
type Error string

func (e Error) Error() string { return "event: " + string(e) }

// ErrTooLarge is returned by Read for a body over MaxBody.
var ErrTooLarge = Error(fmt.Sprintf("body larger than %d bytes", MaxBody))

// Object is a new object that an ObjectCreated event announces.
type Object struct {
	// Name is the event's name without the "s3:" prefix MinIO adds, as
	// "ObjectCreated:Put", or EventBridge's "Object Created".
	Name string
	// Bucket is the bucket's name.
	Bucket string
	// Key is the object key, decoded.
	Key string
	// VersionID is the object's version ("" in an unversioned bucket).
	VersionID string
	// ETag is the object's ETag without quotes.
	ETag string
	// Size is the object's size in bytes as the event states it (0 when
	// absent).
	Size int64
}

// Ignored is an event that starts nothing: a test event or an event other
// than ObjectCreated.
type Ignored struct {
	// Name is the event's name, as "ObjectRemoved:Delete" or "s3:TestEvent".
	Name string
	// Bucket and Key name the object when the event has one.
	Bucket, Key string
}

// Batch is what one body announces.
type Batch struct {
	Created []Object
	Ignored []Ignored
}

// Len returns the number of events in the batch.
func (b Batch) Len() int { return len(b.Created) + len(b.Ignored) }

// Read reads a body of at most MaxBody bytes and parses it.
func Read(r io.Reader) (Batch, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return Batch{}, fmt.Errorf("event: read body: %w", err)
	}
	if len(body) > MaxBody {
		return Batch{}, ErrTooLarge
	}
	return Parse(body)
}

// envelope holds the top-level fields of every shape. Pointers tell a
// missing field from an empty one.
type envelope struct {
	// MinIO's webhook and AWS S3.
	Records *[]record `json:"Records"`
	// AWS's s3:TestEvent message.
	Event *string `json:"Event"`
	// EventBridge.
	DetailType *string `json:"detail-type"`
	Source     *string `json:"source"`
	Detail     *detail `json:"detail"`
}

// record is one entry of Records (AWS's notification-content-structure,
// MinIO's event.Event).
type record struct {
	EventName *string `json:"eventName"`
	S3        *struct {
		Bucket *struct {
			Name *string `json:"name"`
		} `json:"bucket"`
		Object *struct {
			Key       *string `json:"key"`
			ETag      string  `json:"eTag"`
			VersionID string  `json:"versionId"`
			Size      int64   `json:"size"`
		} `json:"object"`
	} `json:"s3"`
}

// detail is EventBridge's detail of an S3 event.
type detail struct {
	Bucket *struct {
		Name *string `json:"name"`
	} `json:"bucket"`
	Object *struct {
		Key       *string `json:"key"`
		ETag      string  `json:"etag"`
		VersionID string  `json:"version-id"`
		Size      int64   `json:"size"`
	} `json:"object"`
}

// Parse parses one body.
func Parse(body []byte) (Batch, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return Batch{}, Error("malformed JSON: " + jsonReason(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Batch{}, Error("malformed JSON: data after the event")
	}
	switch {
	case env.Records != nil:
		return parseRecords(*env.Records)
	case env.Event != nil:
		if *env.Event != "s3:TestEvent" {
			return Batch{}, Error(fmt.Sprintf("unknown message %q", *env.Event))
		}
		return Batch{Ignored: []Ignored{{Name: *env.Event}}}, nil
	case env.DetailType != nil || env.Detail != nil:
		return parseEventBridge(env)
	}
	return Batch{}, Error("neither S3 Records, an s3:TestEvent nor an EventBridge event")
}

// jsonReason is the decoder's error without its "json: " prefix.
func jsonReason(err error) string {
	if errors.Is(err, io.EOF) {
		return "empty body"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func parseRecords(recs []record) (Batch, error) {
	if len(recs) == 0 {
		return Batch{}, Error("Records is empty")
	}
	var b Batch
	for i, r := range recs {
		if r.EventName == nil || *r.EventName == "" {
			return Batch{}, Error(fmt.Sprintf("Records[%d]: no eventName", i))
		}
		name := strings.TrimPrefix(*r.EventName, "s3:")
		var bucket, rawKey *string
		if r.S3 != nil && r.S3.Bucket != nil {
			bucket = r.S3.Bucket.Name
		}
		if r.S3 != nil && r.S3.Object != nil {
			rawKey = r.S3.Object.Key
		}
		if !strings.HasPrefix(name, "ObjectCreated:") {
			b.Ignored = append(b.Ignored, Ignored{Name: name, Bucket: deref(bucket), Key: deref(rawKey)})
			continue
		}
		o := Object{Name: name}
		if r.S3 != nil && r.S3.Object != nil {
			o.ETag, o.VersionID, o.Size = r.S3.Object.ETag, r.S3.Object.VersionID, r.S3.Object.Size
		}
		if err := o.fill(bucket, rawKey); err != nil {
			return Batch{}, Error(fmt.Sprintf("Records[%d]: %s", i, err))
		}
		b.Created = append(b.Created, o)
	}
	return b, nil
}

func parseEventBridge(env envelope) (Batch, error) {
	if env.DetailType == nil || env.Detail == nil {
		return Batch{}, Error("EventBridge event without detail-type or detail")
	}
	if env.Source == nil || *env.Source != "aws.s3" {
		return Batch{}, Error(fmt.Sprintf("EventBridge event from source %q, not aws.s3", deref(env.Source)))
	}
	d := env.Detail
	var bucket, rawKey *string
	if d.Bucket != nil {
		bucket = d.Bucket.Name
	}
	if d.Object != nil {
		rawKey = d.Object.Key
	}
	if *env.DetailType != "Object Created" {
		return Batch{Ignored: []Ignored{{Name: *env.DetailType, Bucket: deref(bucket), Key: deref(rawKey)}}}, nil
	}
	o := Object{Name: *env.DetailType}
	if d.Object != nil {
		o.ETag, o.VersionID, o.Size = d.Object.ETag, d.Object.VersionID, d.Object.Size
	}
	if err := o.fill(bucket, rawKey); err != nil {
		return Batch{}, Error("detail: " + err.Error())
	}
	return Batch{Created: []Object{o}}, nil
}

// fill checks and sets the bucket and the decoded key, and normalises the
// ETag. A created object needs a version or an ETag: they tell a new
// upload of a key from a redelivery.
func (o *Object) fill(bucket, rawKey *string) error {
	if bucket == nil || *bucket == "" {
		return errors.New("no bucket name")
	}
	if !validBucket(*bucket) {
		return fmt.Errorf("bucket name %q is not a valid S3 bucket name", *bucket)
	}
	if rawKey == nil || *rawKey == "" {
		return errors.New("no object key")
	}
	key, err := DecodeKey(*rawKey)
	if err != nil {
		return err
	}
	o.Bucket, o.Key = *bucket, key
	o.ETag = strings.Trim(o.ETag, `"`)
	if o.VersionID == "" && o.ETag == "" {
		return fmt.Errorf("object %q has neither versionId nor eTag", key)
	}
	if o.Size < 0 {
		return fmt.Errorf("object %q has a negative size", key)
	}
	return nil
}

// DecodeKey decodes an object key as events carry it (URL-encoded, spaces
// as "+") and refuses a key that rung will not map onto an output path:
// one that is empty, not UTF-8, holds a NUL, is absolute, or has a "." or
// ".." segment.
func DecodeKey(raw string) (string, error) {
	key, err := url.QueryUnescape(raw)
	if err != nil {
		return "", fmt.Errorf("object key %q is not URL-encoded: %w", raw, err)
	}
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return key, nil
}

// CheckKey refuses a decoded key that is empty, not UTF-8, holds a NUL,
// starts with "/" or has a "." or ".." segment.
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty object key")
	case !utf8.ValidString(key):
		return fmt.Errorf("object key %q is not UTF-8", key)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("object key %q holds a NUL byte", key)
	case strings.HasPrefix(key, "/"):
		return fmt.Errorf("object key %q is an absolute path", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("object key %q has a %q segment", key, seg)
		}
	}
	return nil
}

// validBucket reports whether name follows S3's bucket naming rules
// closely enough to be used in an s3:// URL: 3–63 characters of
// lower-case letters, digits, '.' and '-'.
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
