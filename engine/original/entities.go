package original

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
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
	etag  string
	st    replay.EntityState
	dedup dedupSet
	ops   uint64 // operations executed so far
	// updated is when its last step wrote the row (the worker's clock,
	// as the provider's LastUpdatedTime of the entity's Instances row).
	updated port.Time
	sent    sentTo
	outbox  []outboundMsg
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
		w.retire(retirement{s: s, done: s.batch})
		return
	}
	w.readEntity(s.instance, entityLoaded{s: s, id: id})
}

// The continuations of a step hold its session (s), the worker's for as
// long as the instance has a step under way.

// entityLoaded: the entity's row came back: apply the batch, write the
// row, deliver its outbox.
type entityLoaded struct {
	s  *session
	id durable.EntityID
}

func (k entityLoaded) gotEntity(c core, row entityRow, err error) {
	w, s := worker(c), k.s
	if err != nil {
		w.abandon(s, err)
		return
	}
	if w.delivered[s.instance] == row.etag {
		row.outbox = nil
	}
	b := w.applyEntity(k.id, &row, s.batch)
	then := retirement{s: s, done: b.used, early: b.early, delays: b.delays}
	if b.fresh == 0 {
		w.deliver(s, row.etag, row.outbox, then)
		return
	}
	row.outbox = append(row.outbox, b.out...)
	w.writeEntity(s.instance, &row, entityStored{row: &row, then: then})
}

// entityStored: the entity's new row came back: deliver its outbox.
type entityStored struct {
	row  *entityRow
	then retirement
}

func (k entityStored) gotEtag(c core, etag string, err error) {
	w, s := worker(c), k.then.s
	if err != nil {
		if errors.Is(err, port.ErrConflict) {
			w.stats.Conflicts++
		}
		w.abandon(s, err)
		return
	}
	w.deliver(s, etag, k.row.outbox, k.then)
}

// deliver sends the outbox of an entity's row version etag, remembers
// that it was delivered, then retires the step. On a failed enqueue the
// step is abandoned: its inputs come back as duplicates and the outbox is
// sent again.
func (w *Worker) deliver(s *session, etag string, outbox []outboundMsg, then retirement) {
	w.sendAll(outbox, delivered{etag: etag, then: then})
}

// delivered: an entity's outbox (of row version etag) is sent.
type delivered struct {
	etag string
	then retirement
}

func (k delivered) gotErr(c core, err error) {
	w, s := worker(c), k.then.s
	if err != nil {
		w.abandon(s, err)
		return
	}
	if k.etag != "" {
		w.delivered[s.instance] = k.etag
	}
	w.retire(k.then)
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
	b := entityBatch{used: make([]received, 0, len(batch))}
	clock := row.dedup.clock() // kept by applyOne
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
				w.applyOne(id, row, &b, r, &clock)
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

// applyOne applies one message to the entity and numbers its outputs;
// clock is row.dedup's clock, kept up to date.
func (w *Worker) applyOne(id durable.EntityID, row *entityRow, b *entityBatch, r received, clock *uint64) {
	e := &r.env
	if e.Sender != "" && e.Seq != 0 {
		_, *clock = row.dedup.acceptAt(e.Sender, e.Seq, *clock)
	}
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

func (h *hubIO) readEntity(instance string, then entityTo) {
	h.Issue(port.TableGet{Table: h.n.instances, PartitionKey: instance}, entityRead{instance: instance, then: then})
}

// entityRead: an entity's row read came back: inflate its large values.
type entityRead struct {
	instance string
	then     entityTo
}

func (k entityRead) Then() reactor.Then { return reactor.Then{Step: "entity-read", About: k.instance} }

func (k entityRead) hubStep(c core, o reactor.Outcome) {
	cp := o.Completion
	row := entityRow{dedup: dedupSet{}, sent: sentTo{}}
	if errors.Is(cp.Err, port.ErrNotFound) {
		k.then.gotEntity(c, row, nil)
		return
	}
	if cp.Err != nil {
		k.then.gotEntity(c, row, wrap(cp.Err, "read entity %s", k.instance))
		return
	}
	ents := []port.Entity{cp.Result.(port.Entity)}
	c.hub().inflate(c, ents, entityInflated{instance: k.instance, ents: ents, row: row, then: k.then})
}

// entityInflated: a read entity row (ents[0]) has its values: decode it
// into row.
type entityInflated struct {
	instance string
	ents     []port.Entity
	row      entityRow
	then     entityTo
}

func (k entityInflated) gotErr(c core, err error) {
	row := k.row
	if err != nil {
		k.then.gotEntity(c, row, err)
		return
	}
	row.etag = k.ents[0].ETag
	err = decodeEntityRow(k.ents[0].Props, &row, c.hub().dedups.take(k.instance, k.ents[0].Props[propDedup]))
	k.then.gotEntity(c, row, wrap(err, "entity %s", k.instance))
}

func (w *Worker) writeEntity(instance string, row *entityRow, then etagTo) {
	dedup := w.dedups.encode(instance, row.dedup)
	w.dedups.put(instance, dedup, row.dedup) // the step is done with it
	props := map[string][]byte{propEntity: encodeEntityState(&row.st), propDedup: dedup,
		propOps: uvarintProp(row.ops), propSent: row.sent.encode(), propOutbox: encodeOutbox(row.outbox),
		propUpdated: uvarintProp(uint64(w.Now()))}
	w.offload(w, "entities/"+instance, props, entityOffloaded{instance: instance, row: row, props: props, then: then})
}

// entityOffloaded: an entity row's large values are in blobs: write the
// row (conditioned on the version read).
type entityOffloaded struct {
	instance string
	row      *entityRow
	props    map[string][]byte
	then     etagTo
}

func (k entityOffloaded) gotErr(c core, err error) {
	if err != nil {
		k.then.gotEtag(c, "", err)
		return
	}
	w := worker(c)
	wr := port.TableWrite{Kind: port.Replace, IfMatch: k.row.etag, Entity: port.Entity{PartitionKey: k.instance, Props: k.props}}
	if k.row.etag == "" {
		wr.Kind, wr.IfMatch = port.Insert, ""
	}
	w.Issue(port.TableWriteOp{Table: w.n.instances, W: wr}, entityWritten{instance: k.instance, then: k.then})
}

// entityWritten: an entity row's write came back.
type entityWritten struct {
	instance string
	then     etagTo
}

func (k entityWritten) Then() reactor.Then {
	return reactor.Then{Step: "entity-written", About: k.instance}
}

func (k entityWritten) workerStep(w *Worker, o reactor.Outcome) {
	if err := o.Completion.Err; err != nil {
		k.then.gotEtag(w, "", wrap(err, "write entity %s", k.instance))
		return
	}
	k.then.gotEtag(w, o.Completion.Result.(string), nil)
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

// decodeEntityRow decodes p into row; a non-nil dedup is the row's dedup
// set, already decoded.
func decodeEntityRow(p map[string][]byte, row *entityRow, dedup dedupSet) error {
	row.ops = readUvarint(p[propOps])
	row.updated = port.Time(readUvarint(p[propUpdated]))
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
	if dedup != nil {
		row.dedup = dedup
		return nil
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
