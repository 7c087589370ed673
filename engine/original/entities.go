package original

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/replay"
)

// An entity's row in the Instances table holds its replay.EntityState,
// the sequence number base of the messages it sends, and the dedupSet of
// the messages it has applied (dedup.go).
const (
	propEntity  = "EntityState"
	propDedup   = "Dedup"
	propSendSeq = "SendSeq"
)

// entityRow is an entity's durable state as loaded.
type entityRow struct {
	etag    string
	st      replay.EntityState
	dedup   dedupSet
	sendSeq uint64
}

func (w *Worker) entityStep(s *session) {
	id, err := durable.ParseEntityID(s.instance)
	if err != nil {
		w.stats.Poison += len(s.batch)
		w.retire(s, s.batch, nil, nil)
		return
	}
	w.readEntity(s.instance, func(row entityRow, err error) {
		if err != nil {
			w.abandon(s, err)
			return
		}
		var events []durable.Event
		for _, r := range s.batch {
			if !isEntityMessage(r.env.Event.Kind) || !row.dedup.accept(r.env.Sender, r.env.Seq) {
				w.stats.Dropped++
				continue
			}
			events = append(events, r.env.Event)
		}
		if len(events) == 0 {
			w.retire(s, s.batch, nil, nil)
			return
		}
		res := replay.ExecuteEntity(w.reg, id, &row.st, events)
		w.stats.EntitySteps++
		w.work("entity-step", 1)
		w.work("entity-op", res.Operations)
		out := make([]outboundMsg, len(res.Messages))
		for i, m := range res.Messages {
			out[i] = outboundMsg{queue: w.n.control[w.n.controlFor(m.To)],
				env: envelope{To: m.To, Event: m.Event, Sender: s.instance, Seq: row.sendSeq<<seqBits | uint64(i+1)}}
		}
		row.sendSeq++
		w.sendAll(out, func(err error) {
			if err != nil {
				w.abandon(s, err)
				return
			}
			w.writeEntity(s.instance, &row, func(err error) {
				if err != nil {
					if errors.Is(err, port.ErrConflict) {
						w.stats.Conflicts++
					}
					w.abandon(s, err)
					return
				}
				w.retire(s, s.batch, nil, nil)
			})
		})
	})
}

func isEntityMessage(k durable.EventKind) bool {
	switch k {
	case durable.EntityCallRequested, durable.EntitySignalRequested, durable.EntityLockRequested, durable.EntityReleased:
		return true
	}
	return false
}

func (w *Worker) readEntity(instance string, cb func(entityRow, error)) {
	w.issue(port.TableGet{Table: w.n.instances, PartitionKey: instance}, func(c port.Completion) {
		row := entityRow{dedup: dedupSet{}}
		if errors.Is(c.Err, port.ErrNotFound) {
			cb(row, nil)
			return
		}
		if c.Err != nil {
			cb(row, wrap(c.Err, "read entity %s", instance))
			return
		}
		ents := []port.Entity{c.Result.(port.Entity)}
		w.inflate(ents, func(err error) {
			if err != nil {
				cb(row, err)
				return
			}
			row.etag = ents[0].ETag
			err = decodeEntityRow(ents[0].Props, &row)
			cb(row, wrap(err, "entity %s", instance))
		})
	})
}

func (w *Worker) writeEntity(instance string, row *entityRow, cb func(error)) {
	props := map[string][]byte{propEntity: encodeEntityState(&row.st), propDedup: encodeDedup(row.dedup),
		propSendSeq: uvarintProp(row.sendSeq)}
	w.offload("entities/"+instance, props, func(err error) {
		if err != nil {
			cb(err)
			return
		}
		wr := port.TableWrite{Kind: port.Replace, IfMatch: row.etag, Entity: port.Entity{PartitionKey: instance, Props: props}}
		if row.etag == "" {
			wr.Kind, wr.IfMatch = port.Insert, ""
		}
		w.issue(port.TableWriteOp{Table: w.n.instances, W: wr}, func(c port.Completion) {
			cb(wrap(c.Err, "write entity %s", instance))
		})
	})
}

func encodeEntityState(st *replay.EntityState) []byte {
	var b []byte
	if st.Exists {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendStr(b, string(st.State))
	b = appendStr(b, st.LockedBy)
	b = appendStr(b, st.LockReq)
	return durable.AppendEvents(b, st.Queue)
}

func decodeEntityRow(p map[string][]byte, row *entityRow) error {
	row.sendSeq = readUvarint(p[propSendSeq])
	if b := p[propEntity]; len(b) > 0 {
		row.st.Exists = b[0] == 1
		r := reader{b: b[1:]}
		if s := r.str(); s != "" {
			row.st.State = []byte(s)
		}
		row.st.LockedBy, row.st.LockReq = r.str(), r.str()
		if r.err != nil {
			return r.err
		}
		q, _, err := durable.DecodeEvents(r.b)
		if err != nil {
			return fmt.Errorf("held requests: %w", err)
		}
		row.st.Queue = q
	}
	var err error
	row.dedup, err = decodeDedup(p[propDedup])
	return err
}
