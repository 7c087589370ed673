package original

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/replay"
)

// An entity's row in the Instances table holds its replay.EntityState,
// its operation count, the dedupSet of the messages it has applied
// (dedup.go), the last message it sent to each entity (sentTo) and its
// outbox: the messages of its last step.
const (
	propEntity = "EntityState"
	propDedup  = "Dedup"
	propOps    = "Ops"
	propSent   = "Sent"
	propOutbox = "Outbox"
)

// entityRow is an entity's durable state as loaded.
type entityRow struct {
	etag   string
	st     replay.EntityState
	dedup  dedupSet
	ops    uint64 // operations executed so far
	sent   sentTo
	outbox []outboundMsg
}

// An entity step commits before it sends, unlike an orchestration step
// (and unlike the provider, whose entities are orchestrations): it writes
// its row with the step's messages in the outbox, then enqueues them,
// then deletes its inputs. Sending first would let a crash or an
// ambiguous enqueue error between send and commit release messages of a
// step that a redo computes differently: the redo's batch may start with
// a message that overtook the crashed step's (still invisible) ones, and
// its first message to an entity then carries the same index as the lost
// attempt's (fault campaign seeds 3384 and 4509: two transfers were each
// granted a lock the other held). Committing first makes every message
// sent the one a redo sends again. A step that finds an outbox it has not
// seen delivered sends it again (the receivers drop the duplicates); the
// worker remembers, per entity, the row version whose outbox it
// delivered. The requests per step are the provider's: one row write, one
// enqueue per message, one delete per input.

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
		if w.delivered[s.instance] == row.etag {
			row.outbox = nil
		}
		b := w.applyEntity(id, &row, s.batch)
		if b.fresh == 0 {
			w.deliver(s, row.etag, row.outbox, func() { w.retire(s, b.used, b.early, b.delays) })
			return
		}
		row.outbox = append(row.outbox, b.out...)
		w.writeEntity(s.instance, &row, func(etag string, err error) {
			if err != nil {
				if errors.Is(err, port.ErrConflict) {
					w.stats.Conflicts++
				}
				w.abandon(s, err)
				return
			}
			w.deliver(s, etag, row.outbox, func() { w.retire(s, b.used, b.early, b.delays) })
		})
	})
}

// deliver sends the outbox of an entity's row version etag, remembers
// that it was delivered, then runs then. On a failed enqueue the step is
// abandoned: its inputs come back as duplicates and the outbox is sent
// again.
func (w *Worker) deliver(s *session, etag string, outbox []outboundMsg, then func()) {
	w.sendAll(outbox, func(err error) {
		if err != nil {
			w.abandon(s, err)
			return
		}
		if etag != "" {
			w.delivered[s.instance] = etag
		}
		then()
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
// waits until what its sender sent this entity before it is applied: the
// message its envelope.Prev names, the numbered message before its
// envelope.Index, the lock request its LockPrev names. The batch is
// scanned until nothing more can be applied, so a message that arrives in
// the batch after its successor (a crashed step's message reappearing
// late, or a resent outbox) still goes first; what still waits is put
// back, so an entity applies each sender's messages in the order they
// were sent.
func (w *Worker) applyEntity(id durable.EntityID, row *entityRow, batch []received) entityBatch {
	var b entityBatch
	for progress := true; progress && len(batch) > 0; {
		progress = false
		var wait []received
		for _, r := range batch {
			e := &r.env
			switch {
			case !isEntityMessage(e.Event.Kind) || w.duplicate(row, e):
				w.stats.Dropped++
				b.used = append(b.used, r)
			case !ready(row, e):
				wait = append(wait, r)
			default:
				w.applyOne(id, row, &b, r)
				progress = true
			}
		}
		batch = wait
	}
	for _, r := range batch {
		if r.msg.DequeueCount > w.cfg.MaxEarlyDequeues {
			w.stats.Discarded++
			b.used = append(b.used, r)
			continue
		}
		b.early, b.delays = append(b.early, r), append(b.delays, w.cfg.RetryDelay*port.Time(min(r.msg.DequeueCount, 10)))
	}
	if b.fresh > 0 {
		w.stats.EntitySteps++
		w.Work("entity-step", 1)
		w.Work("entity-op", b.ops)
	}
	return b
}

// ready reports whether what e's sender sent before e has been applied.
func ready(row *entityRow, e *envelope) bool {
	return e.Index <= row.dedup.numbered(e.Sender)+1 && (e.Prev == 0 || row.dedup.seen(e.Sender, e.Prev)) &&
		(e.LockPrev == 0 || row.dedup.seen(e.LockPrevSender, e.LockPrev))
}

// applyOne applies one message to the entity and numbers its outputs.
func (w *Worker) applyOne(id durable.EntityID, row *entityRow, b *entityBatch, r received) {
	e := &r.env
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
	h.Issue(port.TableGet{Table: h.n.instances, PartitionKey: instance}, "entity-read", instance, func(c port.Completion) {
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

func (w *Worker) writeEntity(instance string, row *entityRow, cb func(etag string, err error)) {
	props := map[string][]byte{propEntity: encodeEntityState(&row.st), propDedup: encodeDedup(row.dedup),
		propOps: uvarintProp(row.ops), propSent: row.sent.encode(), propOutbox: encodeOutbox(row.outbox)}
	w.offload("entities/"+instance, props, func(err error) {
		if err != nil {
			cb("", err)
			return
		}
		wr := port.TableWrite{Kind: port.Replace, IfMatch: row.etag, Entity: port.Entity{PartitionKey: instance, Props: props}}
		if row.etag == "" {
			wr.Kind, wr.IfMatch = port.Insert, ""
		}
		w.Issue(port.TableWriteOp{Table: w.n.instances, W: wr}, "entity-written", instance, func(c port.Completion) {
			if c.Err != nil {
				cb("", wrap(c.Err, "write entity %s", instance))
				return
			}
			cb(c.Result.(string), nil)
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
	if row.outbox, err = decodeOutbox(p[propOutbox]); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	row.dedup, err = decodeDedup(p[propDedup])
	return err
}

// encodeOutbox lists the outbox's messages as (queue, envelope) pairs.
func encodeOutbox(out []outboundMsg) []byte {
	b := binary.AppendUvarint(nil, uint64(len(out)))
	for i := range out {
		b = appendStr(b, out[i].queue)
		b = appendStr(b, string(encodeEnvelope(&out[i].env)))
	}
	return b
}

func decodeOutbox(p []byte) ([]outboundMsg, error) {
	if len(p) == 0 {
		return nil, nil
	}
	r := reader{b: p}
	n := r.uvarint()
	var out []outboundMsg
	for i := uint64(0); i < n && r.err == nil; i++ {
		q, data := r.str(), r.str()
		if r.err != nil {
			break
		}
		env, blob, err := decodeMessage([]byte(data))
		if err == nil && blob != "" {
			err = fmt.Errorf("%w: blob reference in an outbox", errBadMessage)
		}
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		out = append(out, outboundMsg{queue: q, env: env})
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return out, nil
}
