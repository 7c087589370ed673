package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type blobI struct {
	in port.Blob
	j  *Injector
}

func (b blobI) PutBlob(ctx context.Context, name string, data []byte, c port.Cond) (string, error) {
	return call(ctx, b.j, "blob-put", func() (string, error) { return b.in.PutBlob(ctx, name, data, c) })
}

func (b blobI) GetBlob(ctx context.Context, name string, r port.Range) (port.BlobData, error) {
	return call(ctx, b.j, "blob-get", func() (port.BlobData, error) { return b.in.GetBlob(ctx, name, r) })
}

func (b blobI) DeleteBlob(ctx context.Context, name string, c port.Cond) error {
	return call0(ctx, b.j, "blob-delete", func() error { return b.in.DeleteBlob(ctx, name, c) })
}

func (b blobI) ListBlobs(ctx context.Context, prefix, marker string, max int) (port.BlobList, error) {
	return call(ctx, b.j, "blob-list", func() (port.BlobList, error) { return b.in.ListBlobs(ctx, prefix, marker, max) })
}

type pageI struct {
	in port.PageBlob
	j  *Injector
}

func (p pageI) CreatePageBlob(ctx context.Context, name string, size int64, c port.Cond) (string, error) {
	return call(ctx, p.j, "page-create", func() (string, error) { return p.in.CreatePageBlob(ctx, name, size, c) })
}

func (p pageI) WritePages(ctx context.Context, name string, off int64, data []byte, c port.Cond) (string, error) {
	return call(ctx, p.j, "page-write", func() (string, error) { return p.in.WritePages(ctx, name, off, data, c) })
}

func (p pageI) ReadPages(ctx context.Context, name string, off, n int64) ([]byte, error) {
	return call(ctx, p.j, "page-read", func() ([]byte, error) { return p.in.ReadPages(ctx, name, off, n) })
}

type appendI struct {
	in port.AppendBlob
	j  *Injector
}

func (a appendI) CreateAppendBlob(ctx context.Context, name string, c port.Cond) (string, error) {
	return call(ctx, a.j, "append-create", func() (string, error) { return a.in.CreateAppendBlob(ctx, name, c) })
}

func (a appendI) AppendBlock(ctx context.Context, name string, data []byte, c port.Cond) (port.AppendResult, error) {
	return call(ctx, a.j, "append-block", func() (port.AppendResult, error) { return a.in.AppendBlock(ctx, name, data, c) })
}

type leasesI struct {
	in port.Leases
	j  *Injector
}

func (l leasesI) AcquireLease(ctx context.Context, name, id string, d port.Time) error {
	return call0(ctx, l.j, "lease-acquire", func() error { return l.in.AcquireLease(ctx, name, id, d) })
}

func (l leasesI) RenewLease(ctx context.Context, name, id string) error {
	return call0(ctx, l.j, "lease-renew", func() error { return l.in.RenewLease(ctx, name, id) })
}

func (l leasesI) ReleaseLease(ctx context.Context, name, id string) error {
	return call0(ctx, l.j, "lease-release", func() error { return l.in.ReleaseLease(ctx, name, id) })
}

func (l leasesI) BreakLease(ctx context.Context, name string, period port.Time) (port.BreakResult, error) {
	return call(ctx, l.j, "lease-break", func() (port.BreakResult, error) { return l.in.BreakLease(ctx, name, period) })
}

type syncI struct {
	in port.Syncer
	j  *Injector
}

func (s syncI) SyncBlob(ctx context.Context, name string) error {
	return call0(ctx, s.j, "blob-sync", func() error { return s.in.SyncBlob(ctx, name) })
}
