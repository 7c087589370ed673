package port

import "context"

// BlobPut is Blob.PutBlob ("blob-put"); result: string (ETag).
type BlobPut struct {
	Name string
	Data []byte
	Cond Cond
}

// BlobGet is Blob.GetBlob ("blob-get"); result: BlobData.
type BlobGet struct {
	Name  string
	Range Range
}

// BlobDelete is Blob.DeleteBlob ("blob-delete"); result: nil.
type BlobDelete struct {
	Name string
	Cond Cond
}

// BlobListOp is Blob.ListBlobs ("blob-list"); result: BlobList.
type BlobListOp struct {
	Prefix, Marker string
	Max            int
}

// PageCreate is PageBlob.CreatePageBlob ("page-create"); result: string.
type PageCreate struct {
	Name string
	Size int64
	Cond Cond
}

// PageWrite is PageBlob.WritePages ("page-write"); result: string (ETag).
type PageWrite struct {
	Name string
	Off  int64
	Data []byte
	Cond Cond
}

// PageRead is PageBlob.ReadPages ("page-read"); result: []byte.
type PageRead struct {
	Name string
	Off  int64
	N    int64
}

// AppendCreate is AppendBlob.CreateAppendBlob ("append-create"); result: string.
type AppendCreate struct {
	Name string
	Cond Cond
}

// AppendBlockOp is AppendBlob.AppendBlock ("append-block"); result: AppendResult.
type AppendBlockOp struct {
	Name string
	Data []byte
	Cond Cond
}

// LeaseAcquire is Leases.AcquireLease ("lease-acquire"); result: nil.
type LeaseAcquire struct {
	Name, ID string
	Duration Time
}

// LeaseRenew is Leases.RenewLease ("lease-renew"); result: nil.
type LeaseRenew struct{ Name, ID string }

// LeaseRelease is Leases.ReleaseLease ("lease-release"); result: nil.
type LeaseRelease struct{ Name, ID string }

// LeaseBreakOp is Leases.BreakLease ("lease-break"); result: BreakResult.
type LeaseBreakOp struct {
	Name   string
	Period Time
}

func (BlobPut) Kind() string       { return "blob-put" }
func (BlobGet) Kind() string       { return "blob-get" }
func (BlobDelete) Kind() string    { return "blob-delete" }
func (BlobListOp) Kind() string    { return "blob-list" }
func (PageCreate) Kind() string    { return "page-create" }
func (PageWrite) Kind() string     { return "page-write" }
func (PageRead) Kind() string      { return "page-read" }
func (AppendCreate) Kind() string  { return "append-create" }
func (AppendBlockOp) Kind() string { return "append-block" }
func (LeaseAcquire) Kind() string  { return "lease-acquire" }
func (LeaseRenew) Kind() string    { return "lease-renew" }
func (LeaseRelease) Kind() string  { return "lease-release" }
func (LeaseBreakOp) Kind() string  { return "lease-break" }

func (o BlobPut) Bytes() int       { return len(o.Data) }
func (o BlobGet) Bytes() int       { return int(o.Range.Len) }
func (BlobDelete) Bytes() int      { return 0 }
func (BlobListOp) Bytes() int      { return 0 }
func (PageCreate) Bytes() int      { return 0 }
func (o PageWrite) Bytes() int     { return len(o.Data) }
func (o PageRead) Bytes() int      { return int(o.N) }
func (AppendCreate) Bytes() int    { return 0 }
func (o AppendBlockOp) Bytes() int { return len(o.Data) }
func (LeaseAcquire) Bytes() int    { return 0 }
func (LeaseRenew) Bytes() int      { return 0 }
func (LeaseRelease) Bytes() int    { return 0 }
func (LeaseBreakOp) Bytes() int    { return 0 }

// Apply implements Op.
func (o BlobPut) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Blob == nil {
		return nil, noStore(o.Kind(), "Blob")
	}
	return s.Blob.PutBlob(ctx, o.Name, o.Data, o.Cond)
}

// Apply implements Op.
func (o BlobGet) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Blob == nil {
		return nil, noStore(o.Kind(), "Blob")
	}
	return s.Blob.GetBlob(ctx, o.Name, o.Range)
}

// Apply implements Op.
func (o BlobDelete) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Blob == nil {
		return nil, noStore(o.Kind(), "Blob")
	}
	return nil, s.Blob.DeleteBlob(ctx, o.Name, o.Cond)
}

// Apply implements Op.
func (o BlobListOp) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Blob == nil {
		return nil, noStore(o.Kind(), "Blob")
	}
	return s.Blob.ListBlobs(ctx, o.Prefix, o.Marker, o.Max)
}

// Apply implements Op.
func (o PageCreate) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Page == nil {
		return nil, noStore(o.Kind(), "Page")
	}
	return s.Page.CreatePageBlob(ctx, o.Name, o.Size, o.Cond)
}

// Apply implements Op.
func (o PageWrite) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Page == nil {
		return nil, noStore(o.Kind(), "Page")
	}
	return s.Page.WritePages(ctx, o.Name, o.Off, o.Data, o.Cond)
}

// Apply implements Op.
func (o PageRead) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Page == nil {
		return nil, noStore(o.Kind(), "Page")
	}
	return s.Page.ReadPages(ctx, o.Name, o.Off, o.N)
}

// Apply implements Op.
func (o AppendCreate) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Append == nil {
		return nil, noStore(o.Kind(), "Append")
	}
	return s.Append.CreateAppendBlob(ctx, o.Name, o.Cond)
}

// Apply implements Op.
func (o AppendBlockOp) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Append == nil {
		return nil, noStore(o.Kind(), "Append")
	}
	return s.Append.AppendBlock(ctx, o.Name, o.Data, o.Cond)
}

// Apply implements Op.
func (o LeaseAcquire) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Leases == nil {
		return nil, noStore(o.Kind(), "Leases")
	}
	return nil, s.Leases.AcquireLease(ctx, o.Name, o.ID, o.Duration)
}

// Apply implements Op.
func (o LeaseRenew) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Leases == nil {
		return nil, noStore(o.Kind(), "Leases")
	}
	return nil, s.Leases.RenewLease(ctx, o.Name, o.ID)
}

// Apply implements Op.
func (o LeaseRelease) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Leases == nil {
		return nil, noStore(o.Kind(), "Leases")
	}
	return nil, s.Leases.ReleaseLease(ctx, o.Name, o.ID)
}

// Apply implements Op.
func (o LeaseBreakOp) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Leases == nil {
		return nil, noStore(o.Kind(), "Leases")
	}
	return s.Leases.BreakLease(ctx, o.Name, o.Period)
}

// BlobSync is Syncer.SyncBlob ("blob-sync"); result: nil. With Stores.Sync
// nil it does nothing: writes are then durable when acknowledged.
type BlobSync struct{ Name string }

// Kind implements Op.
func (BlobSync) Kind() string { return "blob-sync" }

// Bytes implements Op.
func (BlobSync) Bytes() int { return 0 }

// Apply implements Op.
func (o BlobSync) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Sync == nil {
		return nil, nil
	}
	return nil, s.Sync.SyncBlob(ctx, o.Name)
}
