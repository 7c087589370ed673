package port

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
	"sql-discard-events", "sql-lock-next-orchestration", "sql-lock-next-task", "sql-purge-instance", "sql-query-instance", "sql-raise-event",
	"stream-append", "stream-commit", "stream-partitions", "stream-position", "stream-read",
	"table-batch", "table-create", "table-delete", "table-drop", "table-get", "table-insert",
	"table-merge", "table-query", "table-replace", "table-upsert", "table-upsert-merge",
}

// OpKinds returns every op kind, sorted: what model sets, meters and fault
// plans may name.
func OpKinds() []string { return append([]string(nil), opKinds...) }
