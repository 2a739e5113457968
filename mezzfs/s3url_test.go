package mezzfs

import "testing"

func TestParseS3URL(t *testing.T) {
	tests := []struct {
		in      string
		want    S3URL
		wantErr bool
	}{
		{"s3://bucket/key.mkv", S3URL{"bucket", "key.mkv"}, false},
		{"s3://bucket/a/b/c.mov", S3URL{"bucket", "a/b/c.mov"}, false},
		{"s3://bucket/prefix/", S3URL{"bucket", "prefix/"}, false},
		{"s3://bucket", S3URL{"bucket", ""}, false},
		{"s3:///key", S3URL{}, true},
		{"/local/path", S3URL{}, true},
		{"http://host/x", S3URL{}, true},
	}
	for _, tt := range tests {
		got, err := ParseS3URL(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseS3URL(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && tt.want.Key != "" && got.String() != tt.in {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), tt.in)
		}
	}
}
