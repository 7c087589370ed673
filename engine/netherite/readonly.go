package netherite

import "github.com/dflab/dflab/engine/durable"

// A read-only input is a received update whose batches are all client
// requests that only report state: a status, or a wait on an instance
// that is done. Its responses say nothing that is not already in the log
// before it, so under local speculation they may leave once the log is
// durable up to the update before it, without waiting for their own
// record's flush. The record is still logged (it moves the input position
// and the dedup positions like any other), so a crash before its flush
// makes the partition read the request again and answer it again; the
// client drops the second answer (the call is no longer pending). An
// acknowledged answer therefore only reports durable state.
//
// readOnlyAt (volatile, reset each life) maps the seq of such an update to
// the seq whose durability its client responses need.

// readOnly reports whether u, about to be submitted, is a read-only input.
func (x *Partition) readOnly(u *received) bool {
	if x.k.Speculation != SpeculationLocal || x.k.Planted != "" || len(u.Batches) == 0 {
		return false
	}
	for i := range u.Batches {
		b := &u.Batches[i]
		if b.Origin < x.cfg.Partitions || len(b.Messages) > 0 || len(b.Activities) > 0 || len(b.Responses) > 0 || len(b.Requests) == 0 {
			return false
		}
		for _, r := range b.Requests {
			if !x.reportsOnly(r.Req) {
				return false
			}
		}
	}
	return true
}

// reportsOnly reports whether req, applied now, only reports state.
func (x *Partition) reportsOnly(req durable.ClientRequest) bool {
	switch req.Kind {
	case durable.RequestStatus:
		return true
	case durable.RequestWait:
		st, found := x.st.status(req.Instance)
		return !found || st.Done()
	}
	return false
}

// needs is the seq that must be durable before the outbox entries at seq
// may leave for a client: seq itself, or for a read-only input the update
// before it. Every entry before a read-only input is at or below that seq,
// so entries still leave in seq order.
func (x *Partition) needs(seq int64) int64 {
	if need, ok := x.readOnlyAt[seq]; ok {
		return need
	}
	return seq
}

// pruneReadOnly forgets the read-only inputs that are durable themselves.
func (x *Partition) pruneReadOnly() {
	for seq := range x.readOnlyAt {
		if seq <= x.log.durableSeq {
			delete(x.readOnlyAt, seq)
		}
	}
}
