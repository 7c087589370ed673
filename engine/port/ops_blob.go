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

func (BlobPut) Kind() OpKind       { return KindBlobPut }
func (BlobGet) Kind() OpKind       { return KindBlobGet }
func (BlobDelete) Kind() OpKind    { return KindBlobDelete }
func (BlobListOp) Kind() OpKind    { return KindBlobList }
func (PageCreate) Kind() OpKind    { return KindPageCreate }
func (PageWrite) Kind() OpKind     { return KindPageWrite }
func (PageRead) Kind() OpKind      { return KindPageRead }
func (AppendCreate) Kind() OpKind  { return KindAppendCreate }
func (AppendBlockOp) Kind() OpKind { return KindAppendBlock }
func (LeaseAcquire) Kind() OpKind  { return KindLeaseAcquire }
func (LeaseRenew) Kind() OpKind    { return KindLeaseRenew }
func (LeaseRelease) Kind() OpKind  { return KindLeaseRelease }
func (LeaseBreakOp) Kind() OpKind  { return KindLeaseBreak }

// Target implements Op: "blob/<name>" ("" for a list).
func (o BlobPut) Target() string       { return blobTarget(o.Name) }
func (o BlobGet) Target() string       { return blobTarget(o.Name) }
func (o BlobDelete) Target() string    { return blobTarget(o.Name) }
func (BlobListOp) Target() string      { return "" }
func (o PageCreate) Target() string    { return blobTarget(o.Name) }
func (o PageWrite) Target() string     { return blobTarget(o.Name) }
func (o PageRead) Target() string      { return blobTarget(o.Name) }
func (o AppendCreate) Target() string  { return blobTarget(o.Name) }
func (o AppendBlockOp) Target() string { return blobTarget(o.Name) }
func (o LeaseAcquire) Target() string  { return blobTarget(o.Name) }
func (o LeaseRenew) Target() string    { return blobTarget(o.Name) }
func (o LeaseRelease) Target() string  { return blobTarget(o.Name) }
func (o LeaseBreakOp) Target() string  { return blobTarget(o.Name) }

func blobTarget(name string) string {
	if name == "" {
		return ""
	}
	return "blob/" + name
}

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
func (BlobSync) Kind() OpKind { return KindBlobSync }

// Target implements Op.
func (o BlobSync) Target() string { return blobTarget(o.Name) }

// Bytes implements Op.
func (BlobSync) Bytes() int { return 0 }

// Apply implements Op.
func (o BlobSync) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Sync == nil {
		return nil, nil
	}
	return nil, s.Sync.SyncBlob(ctx, o.Name)
}
