package port

// OpKind names a kind of storage operation, stable across releases:
// latency models, meters, price lists and fault plans key on it.
type OpKind string

// The op kinds of this package's ops. A SQLCall's kind is "sql-" + its
// procedure's name; a TableWriteOp's is its write's (WriteKind.Kind).
const (
	KindBlobPut      OpKind = "blob-put"
	KindBlobGet      OpKind = "blob-get"
	KindBlobDelete   OpKind = "blob-delete"
	KindBlobList     OpKind = "blob-list"
	KindBlobSync     OpKind = "blob-sync"
	KindPageCreate   OpKind = "page-create"
	KindPageWrite    OpKind = "page-write"
	KindPageRead     OpKind = "page-read"
	KindAppendCreate OpKind = "append-create"
	KindAppendBlock  OpKind = "append-block"
	KindLeaseAcquire OpKind = "lease-acquire"
	KindLeaseRenew   OpKind = "lease-renew"
	KindLeaseRelease OpKind = "lease-release"
	KindLeaseBreak   OpKind = "lease-break"

	KindQueueCreate  OpKind = "queue-create"
	KindQueueDrop    OpKind = "queue-drop"
	KindQueueEnqueue OpKind = "queue-enqueue"
	KindQueueDequeue OpKind = "queue-dequeue"
	KindQueueDelete  OpKind = "queue-delete"
	KindQueueUpdate  OpKind = "queue-update"
	KindQueuePeek    OpKind = "queue-peek"
	KindQueueLength  OpKind = "queue-length"

	KindTableCreate OpKind = "table-create"
	KindTableDrop   OpKind = "table-drop"
	KindTableGet    OpKind = "table-get"
	KindTableQuery  OpKind = "table-query"
	KindTableBatch  OpKind = "table-batch"

	KindStreamPartitions OpKind = "stream-partitions"
	KindStreamAppend     OpKind = "stream-append"
	KindStreamRead       OpKind = "stream-read"
	KindStreamCommit     OpKind = "stream-commit"
	KindStreamPosition   OpKind = "stream-position"
)

// ReadsLength reports whether an op of kind k is a read whose Bytes is the
// length it asks for rather than a payload it carries (blob-get,
// page-read).
func (k OpKind) ReadsLength() bool { return k == KindBlobGet || k == KindPageRead }

// opKinds are the Kind() values of this package's op types, sorted. A test
// checks them against every op type, so the list cannot drift.
var opKinds = []string{
	"append-block", "append-create",
	"blob-delete", "blob-get", "blob-list", "blob-put", "blob-sync",
	"lease-acquire", "lease-break", "lease-release", "lease-renew",
	"page-create", "page-read", "page-write",
	"queue-create", "queue-delete", "queue-dequeue", "queue-drop", "queue-enqueue",
	"queue-length", "queue-peek", "queue-update",
	"sql-checkpoint-orchestration", "sql-complete-tasks", "sql-create-instance", "sql-create-schema",
	"sql-discard-events", "sql-lock-next-orchestration", "sql-lock-next-task", "sql-purge-instance", "sql-query-instance", "sql-query-instances", "sql-raise-event",
	"stream-append", "stream-commit", "stream-partitions", "stream-position", "stream-read",
	"table-batch", "table-create", "table-delete", "table-drop", "table-get", "table-insert",
	"table-merge", "table-query", "table-replace", "table-upsert", "table-upsert-merge",
}

// OpKinds returns the name of every op kind, sorted: what model sets,
// meters and fault plans may name.
func OpKinds() []string { return append([]string(nil), opKinds...) }
