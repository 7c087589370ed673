package original

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/replay"
)

// An entity's row in the Instances table holds its replay.EntityState,
// its operation count, the dedupSet of the messages it has applied
// (dedup.go) and the last message it sent to each entity (sentTo).
const (
	propEntity = "EntityState"
	propDedup  = "Dedup"
	propOps    = "Ops"
	propSent   = "Sent"
)

// entityRow is an entity's durable state as loaded.
type entityRow struct {
	etag  string
	st    replay.EntityState
	dedup dedupSet
	ops   uint64 // operations executed so far
	sent  sentTo
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
		b := w.applyEntity(id, &row, s.batch)
		if b.fresh == 0 {
			w.retire(s, b.used, b.early, b.delays)
			return
		}
		w.sendAll(b.out, func(err error) {
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
				w.retire(s, b.used, b.early, b.delays)
			})
		})
	})
}

// entityBatch is what an entity step makes of its batch.
type entityBatch struct {
	out    []outboundMsg
	used   []received // applied or dropped: deleted at the end
	early  []received // their sender's previous message is not applied yet
	delays []port.Time
	ops    int
	fresh  int // messages applied
}

// applyEntity runs the batch's new messages one at a time, so that each
// outgoing signal is numbered after the input that produced it. A message
// whose sender's previous message to this entity (envelope.Prev) is not
// applied yet waits: it and the sender's later messages in the batch are
// put back, so an entity applies each orchestration's messages in the
// order they were sent even when a crashed step's message reappears late.
func (w *Worker) applyEntity(id durable.EntityID, row *entityRow, batch []received) entityBatch {
	var b entityBatch
	blocked := map[string]bool{}
	for i := range batch {
		r := batch[i]
		e := &r.env
		switch {
		case !isEntityMessage(e.Event.Kind) || w.duplicate(row, e):
			w.stats.Dropped++
			b.used = append(b.used, r)
			continue
		case blocked[e.Sender] || e.Index > row.dedup.numbered(e.Sender)+1 || e.Prev != 0 && !row.dedup.seen(e.Sender, e.Prev) ||
			e.LockPrev != 0 && !row.dedup.seen(e.LockPrevSender, e.LockPrev):
			blocked[e.Sender] = true
			if r.msg.DequeueCount > w.cfg.MaxEarlyDequeues {
				w.stats.Discarded++
				b.used = append(b.used, r)
				continue
			}
			b.early, b.delays = append(b.early, r), append(b.delays, w.cfg.RetryDelay*port.Time(min(r.msg.DequeueCount, 10)))
			continue
		}
		row.dedup.accept(e.Sender, e.Seq)
		if e.Index != 0 {
			row.dedup.number(e.Sender, e.Index)
		}
		b.used = append(b.used, r)
		b.fresh++
		before := row.ops
		in := []durable.Event{e.Event}
		if w.cfg.Planted == PlantedReleaseLockEarly && e.Event.Kind == durable.EntityLockRequested {
			in = append(in, durable.Event{Kind: durable.EntityReleased, Instance: e.Event.Instance, Request: e.Event.Request})
		}
		res := replay.ExecuteEntity(w.reg, id, &row.st, in)
		b.ops += res.Operations
		row.ops += uint64(res.Operations)
		for k := range res.Messages {
			m := &res.Messages[k]
			env := envelope{To: m.To, Event: m.Event, Sender: id.String(), Seq: entitySeq(m, before, k+1)}
			if durable.IsEntity(m.To) {
				env.Index = row.sent.next(m.To)
			}
			b.out = append(b.out, outboundMsg{queue: w.n.control[w.n.controlFor(m.To)], env: env})
		}
	}
	if b.fresh > 0 {
		w.stats.EntitySteps++
		w.work("entity-step", 1)
		w.work("entity-op", b.ops)
	}
	return b
}

// duplicate reports whether an entity applied e already: a numbered
// message at or below the last index applied from its sender, or one whose
// (sender, seq) it remembers.
func (w *Worker) duplicate(row *entityRow, e *envelope) bool {
	if w.cfg.Planted == PlantedSkipDedup {
		return false
	}
	return e.Index != 0 && e.Index <= row.dedup.numbered(e.Sender) || row.dedup.seen(e.Sender, e.Seq)
}

func isEntityMessage(k durable.EventKind) bool {
	switch k {
	case durable.EntityCallRequested, durable.EntitySignalRequested, durable.EntityLockRequested, durable.EntityReleased:
		return true
	}
	return false
}

func (h *hubIO) readEntity(instance string, cb func(entityRow, error)) {
	h.issue(port.TableGet{Table: h.n.instances, PartitionKey: instance}, func(c port.Completion) {
		row := entityRow{dedup: dedupSet{}, sent: sentTo{}}
		if errors.Is(c.Err, port.ErrNotFound) {
			cb(row, nil)
			return
		}
		if c.Err != nil {
			cb(row, wrap(c.Err, "read entity %s", instance))
			return
		}
		ents := []port.Entity{c.Result.(port.Entity)}
		h.inflate(ents, func(err error) {
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
		propOps: uvarintProp(row.ops), propSent: row.sent.encode()}
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
	row.ops = readUvarint(p[propOps])
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
	if row.sent, err = decodeSentTo(p[propSent]); err != nil {
		return fmt.Errorf("sent: %w", err)
	}
	row.dedup, err = decodeDedup(p[propDedup])
	return err
}
