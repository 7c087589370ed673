package port

import (
	"context"
	"fmt"
)

// Blob service limits (as Azure Blob Storage, API 2021+).
const (
	PageSize                 = 512         // page blob alignment of sizes, offsets and write lengths
	MaxPageWriteBytes        = 4 << 20     // one Put Page
	MaxPageBlobBytes         = 8 << 40     // page blob size
	MaxAppendBlockBytes      = 4 << 20     // one Append Block (conservative Azure limit)
	MaxAppendBlocks          = 50000       // blocks per append blob
	MaxBlockBlobBytes        = 256 << 20   // one Put Blob (the single-request limit we support)
	MaxBlobNameLen           = 1024        // characters in a blob name
	MaxListResults           = 5000        // blobs per List Blobs page
	LeaseMin                 = 15 * Second // shortest finite lease
	LeaseMax                 = 60 * Second // longest finite lease
	LeaseInfinite       Time = -1          // a lease that never expires
	MaxBreakPeriod           = 60 * Second // longest lease break period
)

// BlobType is the kind of a blob; a blob keeps its type until deleted.
type BlobType uint8

// Blob types.
const (
	BlockBlob BlobType = iota + 1
	PageBlobType
	AppendBlobType
)

func (t BlobType) String() string {
	switch t {
	case BlockBlob:
		return "block"
	case PageBlobType:
		return "page"
	case AppendBlobType:
		return "append"
	}
	return fmt.Sprintf("BlobType(%d)", uint8(t))
}

// Cond are the preconditions of a blob write. Zero Cond means none.
type Cond struct {
	// IfMatch: the write succeeds only if the blob's ETag equals IfMatch
	// ("*": only if the blob exists). Otherwise ErrETagMismatch.
	IfMatch string
	// IfNoneMatch "*": the write succeeds only if the blob does not exist
	// (create-only). Otherwise ErrETagMismatch. Other values are not allowed.
	IfNoneMatch string
	// LeaseID fences the write: if the blob has an active lease, LeaseID
	// must be it (an empty LeaseID fails with ErrLeaseHeld); if LeaseID is
	// set but is not the active lease, the write fails with ErrLeaseLost.
	LeaseID string
}

// Range selects bytes [Off, Off+Len) of a blob; Len 0 means to the end.
type Range struct {
	Off int64
	Len int64
}

// BlobProps describes a blob.
type BlobProps struct {
	Name         string
	Type         BlobType
	Size         int64
	ETag         string
	LastModified Time
	Blocks       int // committed blocks of an append blob
}

// BlobData is the result of a read: the bytes and the blob's properties.
type BlobData struct {
	Data  []byte
	Props BlobProps
}

// BlobList is one page of a listing, sorted by name.
type BlobList struct {
	Blobs []BlobProps
	Next  string // continuation marker; "" when the listing is complete
}

// AppendResult is the outcome of an append: the offset the block landed at
// and the blob's new ETag.
type AppendResult struct {
	Offset int64
	ETag   string
}

// BreakResult is the outcome of a break: how long until the lease is broken.
type BreakResult struct {
	Remaining Time
}

// Blob is the generic blob API plus block blobs: whole-blob put, ranged
// get of any blob type, delete, list by prefix.
type Blob interface {
	// PutBlob creates or replaces a block blob with data ("blob-put").
	PutBlob(ctx context.Context, name string, data []byte, c Cond) (etag string, err error)
	// GetBlob reads a range of any blob type ("blob-get").
	GetBlob(ctx context.Context, name string, r Range) (BlobData, error)
	// DeleteBlob deletes a blob of any type ("blob-delete").
	DeleteBlob(ctx context.Context, name string, c Cond) error
	// ListBlobs lists blobs whose name starts with prefix, by name, at most
	// max (1..MaxListResults) per page, from the continuation marker
	// ("blob-list").
	ListBlobs(ctx context.Context, prefix, marker string, max int) (BlobList, error)
}

// PageBlob is Azure's page blob: a fixed-size, zero-filled, randomly
// writable blob in 512-byte pages. Netherite keeps its commit log there.
type PageBlob interface {
	// CreatePageBlob creates (or replaces) a zero-filled page blob of size
	// bytes, a multiple of PageSize ("page-create").
	CreatePageBlob(ctx context.Context, name string, size int64, c Cond) (etag string, err error)
	// WritePages writes data at off; off and len(data) must be multiples of
	// PageSize and the range inside the blob ("page-write").
	WritePages(ctx context.Context, name string, off int64, data []byte, c Cond) (etag string, err error)
	// ReadPages reads n bytes at off, clipped to the blob's size ("page-read").
	// The bytes are read only: a store may share them (zeros, say).
	ReadPages(ctx context.Context, name string, off, n int64) ([]byte, error)
}

// AppendBlob is Azure's append blob: blocks appended at the end, atomically.
// Read it with Blob.GetBlob.
type AppendBlob interface {
	// CreateAppendBlob creates (or replaces) an empty append blob
	// ("append-create").
	CreateAppendBlob(ctx context.Context, name string, c Cond) (etag string, err error)
	// AppendBlock appends data (1..MaxAppendBlockBytes) ("append-block").
	AppendBlock(ctx context.Context, name string, data []byte, c Cond) (AppendResult, error)
}

// Leases are Azure blob leases: a blob must exist to be leased. A lease
// lasts 15–60 s or is infinite, expires by the backend's clock, and fences
// writes (see Cond.LeaseID). IDs are proposed by the caller.
type Leases interface {
	// AcquireLease takes the lease with id for d (LeaseMin..LeaseMax or
	// LeaseInfinite). Acquiring with the active lease's own id renews it;
	// an active or breaking lease of another id fails with ErrLeaseHeld
	// ("lease-acquire").
	AcquireLease(ctx context.Context, name, id string, d Time) error
	// RenewLease restarts the lease's duration; ErrLeaseLost if id is not
	// the blob's lease or it was broken or released ("lease-renew").
	RenewLease(ctx context.Context, name, id string) error
	// ReleaseLease ends the lease at once; ErrLeaseLost if id is not the
	// blob's lease ("lease-release").
	ReleaseLease(ctx context.Context, name, id string) error
	// BreakLease ends the lease after min(period, remaining) (period
	// 0..MaxBreakPeriod); no id needed. Breaking a blob without an active
	// lease succeeds with Remaining 0 ("lease-break").
	BreakLease(ctx context.Context, name string, period Time) (BreakResult, error)
}

// ValidBlobName checks a blob name: 1..MaxBlobNameLen characters.
func ValidBlobName(name string) error {
	if name == "" || len(name) > MaxBlobNameLen {
		return BadRequest("blob name", fmt.Sprintf("%q", name), "1..1024 characters")
	}
	return nil
}

// ValidCond checks a Cond's IfNoneMatch.
func ValidCond(c Cond) error {
	if c.IfNoneMatch != "" && c.IfNoneMatch != "*" {
		return BadRequest("Cond.IfNoneMatch", c.IfNoneMatch, `"" or "*"`)
	}
	return nil
}

// ValidLeaseDuration checks an acquire duration.
func ValidLeaseDuration(d Time) error {
	if d == LeaseInfinite || (d >= LeaseMin && d <= LeaseMax) {
		return nil
	}
	return BadRequest("lease duration", d, "15s..60s or LeaseInfinite (-1)")
}

// ValidBreakPeriod checks a lease break period.
func ValidBreakPeriod(p Time) error {
	if p < 0 || p > MaxBreakPeriod {
		return BadRequest("break period", p, "0..60s")
	}
	return nil
}

// ValidPageRange checks a page write's offset and length against a blob of
// size bytes (size < 0: unknown, skip the bound check).
func ValidPageRange(off int64, n int, size int64) error {
	if off < 0 || off%PageSize != 0 {
		return BadRequest("page offset", off, "a non-negative multiple of 512")
	}
	if n == 0 || n%PageSize != 0 {
		return BadRequest("page write length", n, "a positive multiple of 512")
	}
	if n > MaxPageWriteBytes {
		return TooLarge("page write", n, MaxPageWriteBytes)
	}
	if size >= 0 && off+int64(n) > size {
		return BadRequest("page range end", off+int64(n), fmt.Sprintf("<= blob size %d", size))
	}
	return nil
}

// ValidPageBlobSize checks a page blob's size.
func ValidPageBlobSize(size int64) error {
	if size < 0 || size%PageSize != 0 || size > MaxPageBlobBytes {
		return BadRequest("page blob size", size, "a multiple of 512 in 0..8 TiB")
	}
	return nil
}

// ValidListMax checks a listing's page size.
func ValidListMax(max int) error {
	if max < 1 || max > MaxListResults {
		return BadRequest("list max", max, "1..5000")
	}
	return nil
}

// Syncer makes a blob's acknowledged page writes and append blocks
// durable, for backends where they are not durable on acknowledgement
// (files without fsync per write, mem's disk-like mode). Azure needs no
// Syncer: every acknowledged write there is durable.
type Syncer interface {
	// SyncBlob makes every acknowledged write to the blob durable
	// ("blob-sync").
	SyncBlob(ctx context.Context, name string) error
}
