package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// listAPI is what a mount needs to list a prefix. *s3.Client implements it.
type listAPI interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Mount is a read-only FUSE file system over the objects under an s3://
// prefix, as listed when it was mounted: one file per object, directories
// from the "/" in their keys. Files read through Sources that share one
// Cache and pin the ETag of the listing.
type Mount struct {
	server *fuse.Server
	cancel context.CancelFunc
}

// MountS3 lists the objects under prefix (s3://bucket/ or
// s3://bucket/some/prefix) and mounts them read-only at dir. ctx bounds
// the mount's reads; Unmount ends it.
func MountS3(ctx context.Context, prefix, dir string, o Options) (*Mount, error) {
	u, err := ParseS3URL(prefix)
	if err != nil {
		return nil, err
	}
	if u.Key != "" && !strings.HasSuffix(u.Key, "/") {
		u.Key += "/"
	}
	client, err := o.client(ctx)
	if err != nil {
		return nil, err
	}
	if o.Cache == nil {
		if o.Cache, err = NewCache(o.CacheOptions); err != nil {
			return nil, err
		}
	}
	if o.Stats == nil {
		o.Stats = new(Stats)
	}
	objs, err := listObjects(ctx, client, u)
	if err != nil {
		return nil, fmt.Errorf("mezzfs: mount %s: %w", prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	root := &fuseDir{}
	root.build = func(ctx context.Context) {
		for _, obj := range objs {
			addFile(ctx, &root.Inode, strings.TrimPrefix(obj.key, u.Key), &fuseFile{
				ctx: ctx, api: client, url: S3URL{u.Bucket, obj.key}, info: obj.info, opts: o,
			})
		}
	}
	sec := time.Hour // the tree and its files do not change
	server, err := fs.Mount(dir, root, &fs.Options{
		EntryTimeout: &sec, AttrTimeout: &sec,
		MountOptions: fuse.MountOptions{FsName: prefix, Name: "mezzfs", Options: []string{"ro"}, MaxReadAhead: 1 << 20},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mezzfs: mount %s at %s: %w", prefix, dir, err)
	}
	return &Mount{server: server, cancel: cancel}, nil
}

// Wait blocks until the file system is unmounted (by Unmount or by
// `fusermount3 -u`).
func (m *Mount) Wait() { m.server.Wait() }

// Unmount detaches the file system and ends its reads.
func (m *Mount) Unmount() error {
	defer m.cancel()
	if err := m.server.Unmount(); err != nil {
		return fmt.Errorf("mezzfs: unmount: %w", err)
	}
	return nil
}

// listedObject is one object of a listing.
type listedObject struct {
	key  string
	info Info
}

// listObjects lists every object under u.Key, page by page.
func listObjects(ctx context.Context, api listAPI, u S3URL) ([]listedObject, error) {
	var objs []listedObject
	in := &s3.ListObjectsV2Input{Bucket: aws.String(u.Bucket), Prefix: aws.String(u.Key)}
	for {
		out, err := api.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") { // a "directory marker"
				continue
			}
			objs = append(objs, listedObject{key, Info{
				URL: S3URL{u.Bucket, key}.String(), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag), ModTime: aws.ToTime(o.LastModified),
			}})
		}
		if !aws.ToBool(out.IsTruncated) {
			return objs, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// addFile adds f under parent at the slash-separated rel, making the
// directories on the way.
func addFile(ctx context.Context, parent *fs.Inode, rel string, f *fuseFile) {
	dir, base := path.Split(rel)
	for _, name := range strings.Split(dir, "/") {
		if name == "" {
			continue
		}
		ch := parent.GetChild(name)
		if ch == nil {
			ch = parent.NewPersistentInode(ctx, &fs.Inode{}, fs.StableAttr{Mode: fuse.S_IFDIR})
			parent.AddChild(name, ch, true)
		}
		parent = ch
	}
	if base != "" && parent.GetChild(base) == nil {
		parent.AddChild(base, parent.NewPersistentInode(ctx, f, fs.StableAttr{}), true)
	}
}

// fuseDir is the mount's root; it builds the whole tree once.
type fuseDir struct {
	fs.Inode
	build func(ctx context.Context)
}

var _ = (fs.NodeOnAdder)((*fuseDir)(nil))

// OnAdd builds the tree from the listing.
func (d *fuseDir) OnAdd(ctx context.Context) { d.build(ctx) }

// fuseFile is one object. Its Source is opened on first use and kept.
type fuseFile struct {
	fs.Inode
	// Write once.
	ctx  context.Context
	api  objectAPI
	url  S3URL
	info Info
	opts Options

	mu sync.Mutex
	// Guarded by mu.
	src *Source
}

var (
	_ = (fs.NodeGetattrer)((*fuseFile)(nil))
	_ = (fs.NodeOpener)((*fuseFile)(nil))
	_ = (fs.NodeReader)((*fuseFile)(nil))
)

// Getattr reports the object's size and time, read-only.
func (f *fuseFile) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = 0o444
	out.Size = uint64(f.info.Size)
	t := f.info.ModTime
	out.SetTimes(&t, &t, &t)
	return fs.OK
}

// Open refuses writes; the content never changes, so the kernel may keep
// its cache.
func (f *fuseFile) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC|syscall.O_APPEND) != 0 {
		return nil, 0, syscall.EROFS
	}
	if _, err := f.source(); err != nil {
		return nil, 0, syscall.EIO
	}
	return nil, fuse.FOPEN_KEEP_CACHE, fs.OK
}

// Read reads through the object's Source. Errors become EIO here, at the
// edge, and only here.
func (f *fuseFile) Read(ctx context.Context, _ fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	src, err := f.source()
	if err != nil {
		return nil, syscall.EIO
	}
	n, err := src.ReadAt(dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, syscall.EIO
	}
	return fuse.ReadResultData(dest[:n]), fs.OK
}

// source returns the file's Source, opening it on first use.
func (f *fuseFile) source() (*Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.src == nil {
		src, err := openS3(f.ctx, f.api, f.url, f.info, f.opts, f.opts.Stats)
		if err != nil {
			return nil, err
		}
		f.src = src
	}
	return f.src, nil
}
