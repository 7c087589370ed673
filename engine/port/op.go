package port

import (
	"context"
	"errors"
	"fmt"
)

// Op is one storage operation a core asks for: a small data value naming the
// store, the object and the arguments. Drivers execute it through their
// middleware chain (see Chain) and finally Apply against the Stores they
// were given; meters, latency models and fault plans key on Kind (for
// example "page-write", "queue-dequeue", "table-batch", "stream-append").
type Op interface {
	// Kind names the operation kind, stable across releases.
	Kind() OpKind
	// Target names the object the op acts on: "blob/<name>",
	// "queue/<name>", "table/<table>/<partition key>", "stream/<partition>",
	// "sql/<hub>/<instance>", or "" when it acts on no single object (for
	// example blob-list). Per-target caps and both drivers' per-object
	// completion order key on it.
	Target() string
	// Bytes is the payload size the request carries (written bytes, or the
	// requested length of a read); results are measured by the driver.
	Bytes() int
	// Apply executes the operation against s and returns its result.
	Apply(ctx context.Context, s *Stores) (any, error)
}

// Stores are the storage services a driver executes requests against. A
// field is nil when the engine run does not use that service. A backend
// usually implements several of them with one value.
type Stores struct {
	Blob   Blob
	Queue  Queue
	Table  Table
	Stream Stream
	SQL    Relational

	Page    PageBlob
	Append  AppendBlob
	Leases  Leases
	Queues  QueueAdmin
	Cursors Cursors
	Sync    Syncer // nil: page writes and append blocks are durable on acknowledgement
}

// ErrNoStore: an Op was applied to Stores lacking the service it needs.
var ErrNoStore = errors.New("store not configured")

func noStore(kind OpKind, field string) error {
	return fmt.Errorf("%s: Stores.%s is nil: %w", kind, field, ErrNoStore)
}

// TargetAppender is an Op that can append its Target to a buffer without
// building the string, so a driver that looks targets up by name (the sim
// driver's per-object order) allocates only for a target it has not seen.
// AppendTarget(dst) appends exactly the bytes of Target().
type TargetAppender interface {
	AppendTarget(dst []byte) []byte
}
