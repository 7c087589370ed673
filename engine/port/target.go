package port

import "strconv"

// Targeter is implemented by ops that name their target object themselves
// (test ops, future ports). Target prefers it.
type Targeter interface {
	Target() string
}

// OpTarget names the object an op acts on: "blob/<name>", "queue/<name>",
// "table/<table>/<partition key>", "stream/<partition>" (or "" when the op
// acts on no single object, e.g. blob-list). Per-target caps and the
// per-object completion order of both drivers use it.
func Target(op Op) string {
	if t, ok := op.(Targeter); ok {
		return t.Target()
	}
	if s := blobTarget(op); s != "" {
		return "blob/" + s
	}
	switch o := op.(type) {
	case QueueCreate:
		return "queue/" + o.Queue
	case QueueDrop:
		return "queue/" + o.Queue
	case QueueEnqueue:
		return "queue/" + o.Queue
	case QueueDequeue:
		return "queue/" + o.Queue
	case QueueDelete:
		return "queue/" + o.Queue
	case QueueUpdate:
		return "queue/" + o.Queue
	case QueuePeek:
		return "queue/" + o.Queue
	case QueueLength:
		return "queue/" + o.Queue
	case StreamAppend:
		return "stream/" + strconv.Itoa(o.Partition)
	case StreamRead:
		return "stream/" + strconv.Itoa(o.Partition)
	case StreamCommit:
		return "stream/" + strconv.Itoa(o.Partition)
	case StreamPosition:
		return "stream/" + strconv.Itoa(o.Partition)
	}
	return tableTarget(op)
}

func blobTarget(op Op) string {
	switch o := op.(type) {
	case BlobPut:
		return o.Name
	case BlobGet:
		return o.Name
	case BlobDelete:
		return o.Name
	case PageCreate:
		return o.Name
	case PageWrite:
		return o.Name
	case PageRead:
		return o.Name
	case AppendCreate:
		return o.Name
	case AppendBlockOp:
		return o.Name
	case LeaseAcquire:
		return o.Name
	case LeaseRenew:
		return o.Name
	case LeaseRelease:
		return o.Name
	case LeaseBreakOp:
		return o.Name
	case BlobSync:
		return o.Name
	}
	return ""
}

func tableTarget(op Op) string {
	switch o := op.(type) {
	case TableCreate:
		return "table/" + o.Table
	case TableDrop:
		return "table/" + o.Table
	case TableWriteOp:
		return "table/" + o.Table + "/" + o.W.Entity.PartitionKey
	case TableGet:
		return "table/" + o.Table + "/" + o.PartitionKey
	case TableQueryOp:
		return "table/" + o.Table + "/" + o.Q.PartitionKey
	case TableBatch:
		if len(o.Writes) > 0 {
			return "table/" + o.Table + "/" + o.Writes[0].Entity.PartitionKey
		}
		return "table/" + o.Table
	}
	return ""
}
