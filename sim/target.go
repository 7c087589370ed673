package sim

import (
	"strconv"

	"github.com/dflab/dflab/engine/port"
)

// Targeter is implemented by ops that name their target object themselves
// (test ops, future ports). OpTarget prefers it.
type Targeter interface {
	Target() string
}

// OpTarget names the object an op acts on: "blob/<name>", "queue/<name>",
// "table/<table>/<partition key>", "stream/<partition>" (or "" when the op
// acts on no single object, e.g. blob-list). Per-target caps and the
// per-object completion order use it.
func OpTarget(op port.Op) string {
	if t, ok := op.(Targeter); ok {
		return t.Target()
	}
	if s := blobTarget(op); s != "" {
		return "blob/" + s
	}
	switch o := op.(type) {
	case port.QueueCreate:
		return "queue/" + o.Queue
	case port.QueueDrop:
		return "queue/" + o.Queue
	case port.QueueEnqueue:
		return "queue/" + o.Queue
	case port.QueueDequeue:
		return "queue/" + o.Queue
	case port.QueueDelete:
		return "queue/" + o.Queue
	case port.QueueUpdate:
		return "queue/" + o.Queue
	case port.QueuePeek:
		return "queue/" + o.Queue
	case port.QueueLength:
		return "queue/" + o.Queue
	case port.StreamAppend:
		return "stream/" + strconv.Itoa(o.Partition)
	case port.StreamRead:
		return "stream/" + strconv.Itoa(o.Partition)
	case port.StreamCommit:
		return "stream/" + strconv.Itoa(o.Partition)
	case port.StreamPosition:
		return "stream/" + strconv.Itoa(o.Partition)
	}
	return tableTarget(op)
}

func blobTarget(op port.Op) string {
	switch o := op.(type) {
	case port.BlobPut:
		return o.Name
	case port.BlobGet:
		return o.Name
	case port.BlobDelete:
		return o.Name
	case port.PageCreate:
		return o.Name
	case port.PageWrite:
		return o.Name
	case port.PageRead:
		return o.Name
	case port.AppendCreate:
		return o.Name
	case port.AppendBlockOp:
		return o.Name
	case port.LeaseAcquire:
		return o.Name
	case port.LeaseRenew:
		return o.Name
	case port.LeaseRelease:
		return o.Name
	case port.LeaseBreakOp:
		return o.Name
	case port.BlobSync:
		return o.Name
	}
	return ""
}

func tableTarget(op port.Op) string {
	switch o := op.(type) {
	case port.TableCreate:
		return "table/" + o.Table
	case port.TableDrop:
		return "table/" + o.Table
	case port.TableWriteOp:
		return "table/" + o.Table + "/" + o.W.Entity.PartitionKey
	case port.TableGet:
		return "table/" + o.Table + "/" + o.PartitionKey
	case port.TableQueryOp:
		return "table/" + o.Table + "/" + o.Q.PartitionKey
	case port.TableBatch:
		if len(o.Writes) > 0 {
			return "table/" + o.Table + "/" + o.Writes[0].Entity.PartitionKey
		}
		return "table/" + o.Table
	}
	return ""
}
