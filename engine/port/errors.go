package port

import (
	"errors"
	"fmt"
)

// Sentinel errors of the storage ports. Backends wrap them with %w and a
// message naming the object, the field and, for bad input, the allowed
// values; callers test them with errors.Is.
var (
	// ErrNotFound: the blob, queue, message, table, entity or consumer does
	// not exist (HTTP 404 in Azure).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the object already exists, or is of another type than
	// the operation needs (HTTP 409).
	ErrConflict = errors.New("conflict")
	// ErrETagMismatch: an If-Match / If-None-Match condition failed (HTTP
	// 412). It wraps ErrConflict, so errors.Is(err, ErrConflict) holds too.
	ErrETagMismatch = fmt.Errorf("etag mismatch: %w", ErrConflict)
	// ErrLeaseHeld: another lease is active on the blob (acquire), or a
	// write without a lease id hit a leased blob.
	ErrLeaseHeld = errors.New("lease held by another owner")
	// ErrLeaseLost: the caller's lease id is not the blob's active lease
	// any more (expired, broken, released or replaced).
	ErrLeaseLost = errors.New("lease lost")
	// ErrPopReceipt: a queue message's pop receipt is stale (the message
	// was dequeued again or updated since).
	ErrPopReceipt = errors.New("pop receipt mismatch")
	// ErrTooLarge: a payload exceeds the service limit (queue message over
	// 64 KiB, entity over 1 MiB, stream batch over 1 MiB...).
	ErrTooLarge = errors.New("payload too large")
	// ErrBadRequest: an argument is outside its allowed values (a page
	// write not aligned to 512 bytes, a batch across partitions...).
	ErrBadRequest = errors.New("bad request")
	// ErrTransient: the request failed transiently (HTTP 500/503, a
	// timeout); retrying it may succeed. Whether it was applied is unknown.
	ErrTransient = errors.New("transient storage error")
	// ErrServerBusy: the service throttled the request (HTTP 503 Server
	// Busy); retry after a back-off. It wraps ErrTransient.
	ErrServerBusy = fmt.Errorf("server busy: %w", ErrTransient)
	// ErrCorrupt: stored data that was acknowledged cannot be read back as
	// written (a checksum, header or structure check failed). Retrying does
	// not help: a core that gets it stops and reports it (see Health).
	ErrCorrupt = errors.New("corrupt stored data")
)

// Corrupt returns an error wrapping ErrCorrupt that names the file or
// object, the offset and what was expected there.
func Corrupt(object string, off int64, expected string) error {
	return fmt.Errorf("%w: %s at offset %d: %s", ErrCorrupt, object, off, expected)
}

// BadRequest returns an error wrapping ErrBadRequest that names the field,
// the value given and the allowed values.
func BadRequest(field string, got any, allowed string) error {
	return fmt.Errorf("%w: %s = %v, allowed: %s", ErrBadRequest, field, got, allowed)
}

// TooLarge returns an error wrapping ErrTooLarge that names the field, the
// size given and the limit.
func TooLarge(field string, size, limit int) error {
	return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrTooLarge, field, size, limit)
}

// NotFound returns an error wrapping ErrNotFound naming the object.
func NotFound(what, name string) error {
	return fmt.Errorf("%s %q: %w", what, name, ErrNotFound)
}

// BatchError reports which operation of a table batch failed. The batch
// changed nothing. It unwraps to the operation's error, so errors.Is works
// on the cause and errors.As recovers the index.
type BatchError struct {
	Index int   // index of the failing operation in the batch
	Err   error // its error
}

func (e *BatchError) Error() string { return fmt.Sprintf("batch op %d: %v", e.Index, e.Err) }

// Unwrap returns the failing operation's error.
func (e *BatchError) Unwrap() error { return e.Err }
