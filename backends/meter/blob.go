package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type blobM struct {
	in port.Blob
	m  *Meter
}

func (b blobM) PutBlob(ctx context.Context, name string, data []byte, c port.Cond) (string, error) {
	return do(b.m, "blob-put", len(data), func() (string, error) { return b.in.PutBlob(ctx, name, data, c) }, nil)
}

func (b blobM) GetBlob(ctx context.Context, name string, r port.Range) (port.BlobData, error) {
	return do(b.m, "blob-get", 0, func() (port.BlobData, error) { return b.in.GetBlob(ctx, name, r) },
		func(d port.BlobData) int { return len(d.Data) })
}

func (b blobM) DeleteBlob(ctx context.Context, name string, c port.Cond) error {
	return do0(b.m, "blob-delete", 0, func() error { return b.in.DeleteBlob(ctx, name, c) })
}

func (b blobM) ListBlobs(ctx context.Context, prefix, marker string, max int) (port.BlobList, error) {
	return do(b.m, "blob-list", 0, func() (port.BlobList, error) { return b.in.ListBlobs(ctx, prefix, marker, max) }, nil)
}

type pageM struct {
	in port.PageBlob
	m  *Meter
}

func (p pageM) CreatePageBlob(ctx context.Context, name string, size int64, c port.Cond) (string, error) {
	return do(p.m, "page-create", 0, func() (string, error) { return p.in.CreatePageBlob(ctx, name, size, c) }, nil)
}

func (p pageM) WritePages(ctx context.Context, name string, off int64, data []byte, c port.Cond) (string, error) {
	return do(p.m, "page-write", len(data), func() (string, error) { return p.in.WritePages(ctx, name, off, data, c) }, nil)
}

func (p pageM) ReadPages(ctx context.Context, name string, off, n int64) ([]byte, error) {
	return do(p.m, "page-read", 0, func() ([]byte, error) { return p.in.ReadPages(ctx, name, off, n) },
		func(d []byte) int { return len(d) })
}

type appendM struct {
	in port.AppendBlob
	m  *Meter
}

func (a appendM) CreateAppendBlob(ctx context.Context, name string, c port.Cond) (string, error) {
	return do(a.m, "append-create", 0, func() (string, error) { return a.in.CreateAppendBlob(ctx, name, c) }, nil)
}

func (a appendM) AppendBlock(ctx context.Context, name string, data []byte, c port.Cond) (port.AppendResult, error) {
	return do(a.m, "append-block", len(data), func() (port.AppendResult, error) { return a.in.AppendBlock(ctx, name, data, c) }, nil)
}

type leasesM struct {
	in port.Leases
	m  *Meter
}

func (l leasesM) AcquireLease(ctx context.Context, name, id string, d port.Time) error {
	return do0(l.m, "lease-acquire", 0, func() error { return l.in.AcquireLease(ctx, name, id, d) })
}

func (l leasesM) RenewLease(ctx context.Context, name, id string) error {
	return do0(l.m, "lease-renew", 0, func() error { return l.in.RenewLease(ctx, name, id) })
}

func (l leasesM) ReleaseLease(ctx context.Context, name, id string) error {
	return do0(l.m, "lease-release", 0, func() error { return l.in.ReleaseLease(ctx, name, id) })
}

func (l leasesM) BreakLease(ctx context.Context, name string, period port.Time) (port.BreakResult, error) {
	return do(l.m, "lease-break", 0, func() (port.BreakResult, error) { return l.in.BreakLease(ctx, name, period) }, nil)
}

type syncM struct {
	in port.Syncer
	m  *Meter
}

func (s syncM) SyncBlob(ctx context.Context, name string) error {
	return do0(s.m, "blob-sync", 0, func() error { return s.in.SyncBlob(ctx, name) })
}
