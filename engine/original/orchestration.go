package original

import (
	"errors"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/replay"
)

// plan is what a step makes of its batch.
type plan struct {
	events  []durable.Event // to apply, in order
	used    []received      // messages consumed (applied or dropped): deleted at the end
	early   []received      // arrived before the history expecting them: put back
	delays  []port.Time
	newExec uint32 // != 0: the batch starts execution newExec afresh
	start   *durable.Event
	dedup   dedupSet // h.dedup plus the events of this batch
	dups    int      // duplicates dropped: a redelivery, the step is replayed anyway
	unknown int      // messages the history does not expect (yet): put back or discarded
}

// orchestrationStep runs one step of an orchestration instance: load (or
// reuse) the history, replay, then enqueue, write history, update the
// instance row, delete the messages.
func (w *Worker) orchestrationStep(s *session) {
	if c := w.cache[s.instance]; c != nil && w.cfg.ExtendedSessions {
		w.stats.CacheHits++
		w.runOrchestration(s, c.hist, c.x)
		return
	}
	w.loadHistory(s.instance, historyLoaded{s})
}

// historyLoaded: the history of s's instance came back: run the step.
type historyLoaded struct{ s *session }

func (k historyLoaded) gotHistory(c core, h history, err error) {
	w := worker(c)
	if err != nil {
		w.abandon(k.s, err)
		return
	}
	w.runOrchestration(k.s, h, nil)
}

func (w *Worker) runOrchestration(s *session, h history, x *replay.Executor) {
	p := w.planBatch(&h, s.batch)
	if x != nil && p.unknown > 0 {
		// A cached history that does not expect a message may be stale:
		// while another worker owned the queue (a lease was lost and won
		// back) it may have stepped the instance. Without a write to fail
		// its ETag check the cache would never be refreshed and the
		// message would be put back forever (campaign seed 10910), so
		// load the history and plan again.
		w.dropCursor(s.instance)
		w.orchestrationStep(s)
		return
	}
	if len(p.events) == 0 && p.dups == 0 {
		w.retire(p.retirement(s))
		return
	}
	hist, exec := h.events, h.exec
	if p.newExec != 0 {
		hist, exec = nil, p.newExec
		w.dropCursor(s.instance)
		x = nil
	}
	if x != nil && w.cfg.ReplayCheck {
		x.Close() // rebuilt from the cached history: the step replays
		x = nil
	}
	if x == nil {
		x = replay.New(w.reg, s.instance)
		x.Replay(hist)
		w.stats.HistoryEventsReplayed += len(hist)
		w.Work("replay-event", len(hist))
		if w.cfg.ExtendedSessions {
			w.cache[s.instance] = &cursor{x: x, hist: history{events: hist, etag: h.etag, exec: exec}}
		}
	}
	r := x.Step(int64(w.Now()), p.events)
	w.stats.Steps++
	w.Work("orchestration-step", 1)
	if !w.cfg.ExtendedSessions {
		x.Close()
	}
	if len(r.Messages) == 0 && !recordsAnything(r.History) {
		// Only duplicates: a redelivery after a crash, which may have hit
		// between the history write and the Instances row update, so the
		// row is written again from the replayed outcome.
		w.stats.NoopSteps++
		row := w.rowAfter(exec, len(hist), nil, &r)
		row.Progress = progress(exec, len(hist))
		w.updateInstance(s.instance, row, w.rowTags[s.instance], p.retirement(s))
		return
	}
	w.sendAll(w.outbound(s.instance, exec, hist, &r), stepSent{s: s, etag: h.etag, hist: hist, exec: exec, base: len(hist), r: r, p: p})
}

// stepSent: a step's outbound messages are enqueued: write its history
// (appended at base of execution exec after the step's result r; etag the
// sentinel's as loaded).
type stepSent struct {
	s    *session
	etag string
	hist []durable.Event
	exec uint32
	base int
	r    replay.Result
	p    plan
}

func (k stepSent) gotErr(c core, err error) {
	w := worker(c)
	if err != nil {
		w.abandon(k.s, err)
		return
	}
	w.writeHistory(w, k.s.instance, k.etag, k.exec, k.base, k.r.History, k.p.dedup, historyCommitted(k))
}

// historyCommitted: a step's history write came back: update the
// instance row, then retire the step.
type historyCommitted stepSent

func (k historyCommitted) gotEtag(c core, etag string, err error) {
	w, s, r, p, base, exec := worker(c), k.s, &k.r, &k.p, k.base, k.exec
	if err != nil {
		if errors.Is(err, port.ErrConflict) {
			w.stats.Conflicts++
		}
		w.abandon(s, err)
		return
	}
	w.committed(s, history{events: append(k.hist[:base:base], r.History...), etag: etag, exec: exec, dedup: p.dedup}, r)
	row := w.rowAfter(exec, base, p.start, r)
	row.Progress = progress(exec, base+len(r.History))
	if base == 0 {
		w.firstRow(s.instance, row, p.retirement(s))
		return
	}
	w.updateInstance(s.instance, row, w.rowTags[s.instance], p.retirement(s))
}

// retirement is what retires a step: s's messages consumed (done) and
// those put back (early, each after its delay).
type retirement struct {
	s      *session
	done   []received
	early  []received
	delays []port.Time
}

func (p *plan) retirement(s *session) retirement {
	return retirement{s: s, done: p.used, early: p.early, delays: p.delays}
}

// recordsAnything reports whether a step's new history holds more than
// its OrchestratorStarted marker.
func recordsAnything(h []durable.Event) bool {
	for _, e := range h {
		if e.Kind != durable.OrchestratorStarted {
			return true
		}
	}
	return false
}

// committed updates the extended-session cursor after a history write.
func (w *Worker) committed(s *session, h history, r *replay.Result) {
	c := w.cache[s.instance]
	if c == nil {
		return
	}
	switch r.Status {
	case durable.StatusRunning, durable.StatusPending, durable.StatusSuspended:
		c.hist = h
	default:
		w.dropCursor(s.instance)
	}
}

func (w *Worker) rowAfter(exec uint32, base int, start *durable.Event, r *replay.Result) *instanceRow {
	row := &instanceRow{Status: r.Status, Output: r.Output, Failure: r.Failure, Custom: r.CustomStatus,
		Updated: w.Now(), Exec: exec}
	if base == 0 && start != nil {
		row.Name, row.Input, row.Created = start.Name, start.Payload, w.Now()
		if row.Input == nil {
			row.Input = []byte{}
		}
	}
	return row
}

// updateInstance merges the step's outcome into the Instances row, retrying
// until it succeeds (the history is already committed). Unlike the
// provider's unconditional merge, the merge is conditioned on the ETag of
// the row version this worker last wrote (firstRow writes the first): two
// workers may step an instance in turn while a lease changes hands, and the
// later step's row (Completed) must not be overwritten by the earlier
// step's (Running), which the provider's merge allows (campaign seed 18676:
// an instance stayed Running after it completed). When the condition fails,
// or no ETag is known (after a crash, or a queue moved), the row is read: a
// row already as far along is kept, an older one is merged over.
func (w *Worker) updateInstance(instance string, row *instanceRow, tag string, then retirement) {
	if tag == "" {
		w.refreshInstance(instance, row, then)
		return
	}
	w.writeInstance(w, instance, port.Merge, tag, row, rowMerged{instance: instance, row: row, tag: tag, then: then})
}

// rowMerged: a step's merge of its instance row (conditioned on tag) came
// back.
type rowMerged struct {
	instance string
	row      *instanceRow
	tag      string
	then     retirement
}

func (k rowMerged) gotEtag(c core, etag string, err error) {
	w := worker(c)
	switch {
	case err == nil:
		w.rowWritten(k.instance, k.row, etag)
		w.retire(k.then)
	case errors.Is(err, port.ErrConflict) || errors.Is(err, port.ErrNotFound):
		w.refreshInstance(k.instance, k.row, k.then)
	default:
		w.After(w.cfg.RetryDelay, updateInstanceRetry{k})
	}
}

// updateInstanceRetry: RetryDelay has passed since a row merge failed.
type updateInstanceRetry struct{ rowMerged }

func (k updateInstanceRetry) Then() reactor.Then {
	return reactor.Then{Step: "update-instance-retry", About: k.instance}
}

func (k updateInstanceRetry) workerStep(w *Worker, _ reactor.Outcome) {
	w.updateInstance(k.instance, k.row, k.tag, k.then)
}

// firstRow writes the row of an execution's first step. It replaces the
// row, whether the client's Pending one (the client writes it after its
// start message, so possibly after this) or the previous execution's, so
// that no output or failure of that one survives. It is not conditioned (no
// ETag of this execution is known yet); it can only go stale if it is
// delayed past a later step of another worker, which the campaign has not
// shown.
func (w *Worker) firstRow(instance string, row *instanceRow, then retirement) {
	w.writeInstance(w, instance, port.InsertOrReplace, "", row, firstRowWritten{instance: instance, row: row, then: then})
}

// firstRowWritten: the write of an execution's first row came back.
type firstRowWritten struct {
	instance string
	row      *instanceRow
	then     retirement
}

func (k firstRowWritten) gotEtag(c core, etag string, err error) {
	w := worker(c)
	if err != nil {
		w.After(w.cfg.RetryDelay, firstRowRetry{k})
		return
	}
	w.rowWritten(k.instance, k.row, etag)
	w.retire(k.then)
}

// firstRowRetry: RetryDelay has passed since a first row's write failed.
type firstRowRetry struct{ firstRowWritten }

func (k firstRowRetry) Then() reactor.Then {
	return reactor.Then{Step: "first-row-retry", About: k.instance}
}

func (k firstRowRetry) workerStep(w *Worker, _ reactor.Outcome) {
	w.firstRow(k.instance, k.row, k.then)
}

// refreshInstance reads the Instances row and merges row over it unless
// it is as far along already.
func (w *Worker) refreshInstance(instance string, row *instanceRow, then retirement) {
	w.readInstance(instance, rowRefreshed{instance: instance, row: row, then: then})
}

// rowRefreshed: the read of the instance row a step's row goes over came
// back; rowInserted: the write of the row where there was none.
type (
	rowRefreshed struct {
		instance string
		row      *instanceRow
		then     retirement
	}
	rowInserted rowRefreshed
)

func (k rowRefreshed) gotRow(c core, cur instanceRow, found bool, err error) {
	w := worker(c)
	switch {
	case err != nil:
		w.After(w.cfg.RetryDelay, refreshInstanceRetry(k))
	case !found:
		// Purged, or a row the client has not written: as the provider.
		w.writeInstance(w, k.instance, port.InsertOrMerge, "", k.row, rowInserted(k))
	case cur.Progress >= k.row.Progress:
		delete(w.rowTags, k.instance)
		w.retire(k.then)
	default:
		w.updateInstance(k.instance, k.row, cur.etag, k.then)
	}
}

func (k rowInserted) gotEtag(c core, etag string, err error) {
	w := worker(c)
	if err != nil {
		w.After(w.cfg.RetryDelay, refreshInstanceRetry(k))
		return
	}
	w.rowWritten(k.instance, k.row, etag)
	w.retire(k.then)
}

// refreshInstanceRetry: RetryDelay has passed since a row refresh failed.
type refreshInstanceRetry rowRefreshed

func (k refreshInstanceRetry) Then() reactor.Then {
	return reactor.Then{Step: "refresh-instance-retry", About: k.instance}
}

func (k refreshInstanceRetry) workerStep(w *Worker, _ reactor.Outcome) {
	w.refreshInstance(k.instance, k.row, k.then)
}

// rowWritten remembers the ETag of an instance row this worker wrote, while
// the instance runs.
func (w *Worker) rowWritten(instance string, row *instanceRow, etag string) {
	if row.Status == durable.StatusRunning || row.Status == durable.StatusPending || row.Status == durable.StatusSuspended {
		w.rowTags[instance] = etag
		return
	}
	delete(w.rowTags, instance)
}

// planBatch decides, message by message, what to apply, drop or put back.
func (w *Worker) planBatch(h *history, batch []received) plan {
	p := plan{dedup: h.dedup.clone()}
	batch = p.startFirst(h, batch)
	exec, started := h.exec, len(h.events) > 0
	if p.newExec != 0 {
		exec, started = p.newExec, false
	}
	known := scheduled(h.events)
	if p.newExec != 0 {
		known = scheduled(nil)
	}
	for i, r := range batch {
		e := &r.env.Event
		switch {
		case e.Kind != durable.ExecutionStarted && r.env.Exec != 0 && r.env.Exec < exec,
			e.Kind == durable.EventRaised && started && !p.dedup.accept(r.env.Sender, r.env.Seq),
			known.staleTimer(e):
			w.stats.Dropped++
			p.dups++
			p.used = append(p.used, r)
		case e.Kind == durable.ExecutionStarted && (i > 0 || p.newExec == 0) &&
			(e.Instance == "" || p.dedup.seen(r.env.Sender, r.env.Seq)):
			// Not a new execution (startsNew): a copy of a start already
			// applied, or a client's start of a running instance.
			w.stats.Dropped++
			p.dups++
			p.used = append(p.used, r)
		case e.Kind == durable.ExecutionStarted && (i > 0 || p.newExec == 0):
			// A parent's start while this execution runs: the parent may
			// have heard of its end (sent before its history is written)
			// and started it again, so it waits (put back) until the end
			// is written and startsNew takes it.
			p.unknown++
			p.early, p.delays = append(p.early, r), append(p.delays, w.cfg.RetryDelay*port.Time(min(r.msg.DequeueCount, 10)))
		case e.Kind == durable.ExecutionStarted:
			started = true
			if p.start == nil {
				p.start = e
			}
			p.events, p.used = append(p.events, *e), append(p.used, r)
		case e.Kind == durable.TimerFired && started && port.Time(e.At) > w.Now():
			p.early, p.delays = append(p.early, r), append(p.delays, port.Time(e.At)-w.Now())
		case !started || r.env.Exec > exec || !known.expects(e):
			p.unknown++
			if r.msg.DequeueCount > w.cfg.MaxEarlyDequeues {
				w.stats.Discarded++
				p.used = append(p.used, r)
				continue
			}
			delay := w.cfg.RetryDelay * port.Time(min(r.msg.DequeueCount, 10))
			p.early, p.delays = append(p.early, r), append(p.delays, delay)
		default:
			p.events, p.used = append(p.events, *e), append(p.used, r)
		}
	}
	return p
}

// startFirst finds the last message starting a new execution (the first,
// the restart after ContinueAsNew, a client's restart) and moves it to the
// front: messages that came before it are applied after it if they may
// belong to the new execution (anything before any start, for a first
// start; events), and are dropped as stale otherwise (responses to, and
// the termination of, an execution that ended or that the restart
// replaces: a ReuseTerminate restart whose termination is in the same
// batch replaces the execution without recording its end).
func (p *plan) startFirst(h *history, batch []received) []received {
	at := -1
	for i := range batch {
		if p.startsNew(h, &batch[i].env) {
			at = i
		}
	}
	if at < 0 {
		return batch
	}
	p.newExec = max(batch[at].env.Exec, h.exec+1)
	out := make([]received, 0, len(batch))
	out = append(out, batch[at])
	started := false
	for _, r := range batch[:at] {
		started = started || r.env.Event.Kind == durable.ExecutionStarted
		if h.exec == 0 && !started || r.env.Event.Kind == durable.EventRaised {
			out = append(out, r)
		} else {
			p.used = append(p.used, r)
		}
	}
	return append(out, batch[at+1:]...)
}

// startsNew reports whether env starts a new execution: the first, one a
// client started (its Exec is past the history's), or a start from a
// parent orchestration (Exec 0) for an instance whose execution ended — a
// sub-orchestration retried or reused under a fixed id, which Durable
// Functions runs again. A parent's start is remembered by (sender, seq),
// so a copy resent by a redone parent step does not start it again.
func (p *plan) startsNew(h *history, env *envelope) bool {
	switch {
	case env.Event.Kind != durable.ExecutionStarted:
		return false
	case h.exec == 0 || env.Exec > h.exec:
		p.acceptStart(env)
		return true
	case env.Exec == 0 && env.Event.Instance != "" && ended(h.events):
		return p.acceptStart(env)
	}
	return false
}

// acceptStart records a parent's start (client starts are told apart by
// execution number) and reports whether it is new.
func (p *plan) acceptStart(env *envelope) bool {
	return env.Event.Instance == "" || p.dedup.accept(env.Sender, env.Seq)
}

// ended reports whether a history's execution has finished for good.
func ended(events []durable.Event) bool {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == durable.ExecutionCompleted {
			st := events[i].Status
			return st == durable.StatusCompleted || st == durable.StatusFailed || st == durable.StatusTerminated
		}
	}
	return false
}

// expectations are the tasks and requests a history has scheduled.
type expectations struct {
	tasks    map[int32]durable.EventKind
	timers   map[int32]int64 // fire time recorded by TimerCreated
	requests map[string]bool
}

func scheduled(events []durable.Event) expectations {
	x := expectations{tasks: map[int32]durable.EventKind{}, timers: map[int32]int64{}, requests: map[string]bool{}}
	for _, e := range events {
		switch e.Kind {
		case durable.TaskScheduled, durable.SubOrchestrationCreated, durable.TimerCreated:
			x.tasks[e.ID] = e.Kind
			if e.Kind == durable.TimerCreated {
				x.timers[e.ID] = e.At
			}
		case durable.EntityCallSent, durable.EntityLockSent:
			x.requests[e.Request] = true
		}
	}
	return x
}

// staleTimer reports whether a TimerFired was sent by an attempt of a step
// that did not commit (a redone step recorded another fire time): the
// redone step's own timer message comes at the recorded time.
func (x expectations) staleTimer(e *durable.Event) bool {
	at, ok := x.timers[e.ID]
	return e.Kind == durable.TimerFired && ok && at != e.At
}

// expects reports whether a response event answers something scheduled.
func (x expectations) expects(e *durable.Event) bool {
	switch e.Kind {
	case durable.TaskCompleted, durable.TaskFailed:
		return x.tasks[e.ID] == durable.TaskScheduled
	case durable.SubOrchestrationCompleted, durable.SubOrchestrationFailed:
		return x.tasks[e.ID] == durable.SubOrchestrationCreated
	case durable.TimerFired:
		return x.tasks[e.ID] == durable.TimerCreated || e.ID == durable.StartTimerID
	case durable.EntityResponded, durable.EntityLockGranted:
		return x.requests[e.Request]
	}
	return true
}

// outboundMsg is one message a step sends.
type outboundMsg struct {
	queue string
	env   envelope
	delay port.Time
}

// outbound turns a step's messages into queue messages: activity work
// items to the work-item queue, timers to the instance's own control queue
// (hidden until due), everything else to the target's control queue.
// Sender and Seq (the sending action's task id, see dedup.go) let
// receivers drop the duplicates a redone step resends.
func (w *Worker) outbound(instance string, exec uint32, hist []durable.Event, r *replay.Result) []outboundMsg {
	sender := instance + "#" + strconv.FormatUint(uint64(exec), 10)
	seqs, byAction := actionSeqs(r, len(hist))
	last := lastToEntities(hist)
	var out []outboundMsg
	add := func(m durable.Message, seq uint64, targetExec uint32) {
		o := outboundMsg{queue: w.n.control[w.n.controlFor(m.To)],
			env: envelope{To: m.To, Event: m.Event, Sender: sender, Seq: seq, Exec: targetExec}}
		switch m.Event.Kind {
		case durable.TaskScheduled:
			o.queue, o.env.Exec = w.n.workItems, exec
		case durable.TimerFired:
			o.env.Exec, o.delay = exec, port.Time(m.Event.At)-w.Now()
		}
		out = append(out, o)
	}
	for i, m := range r.Messages {
		add(m, seqs[i], 0)
		if byAction && durable.IsEntity(m.To) {
			p, env := last[m.To], &out[len(out)-1].env
			env.Prev, env.LockPrev, env.LockPrevSender = p.own, p.lockSeq, p.lockSender
			last[m.To] = predecessor{own: seqs[i]}
			if m.Event.Kind == durable.EntityLockRequested {
				lockChain(last, &m.Event)
			}
		}
	}
	if r.Status == durable.StatusContinuedAsNew {
		for j, e := range r.Restart {
			add(durable.Message{To: instance, Event: e}, 1<<40|uint64(j+1), exec+1)
		}
	}
	return out
}

// actionSeqs numbers a step's messages by the actions that sent them (the
// new action events of r.History, in the order the messages were made):
// task id + 1. Should the two lists not line up, it falls back to
// numbering by position after the history base (and reports false).
func actionSeqs(r *replay.Result, base int) ([]uint64, bool) {
	var ids []uint64
	for _, e := range r.History {
		switch e.Kind {
		case durable.TaskScheduled, durable.TimerCreated, durable.SubOrchestrationCreated, durable.EventSent,
			durable.EntityCallSent, durable.EntitySignalSent, durable.EntityLockSent, durable.EntityUnlockSent,
			durable.ExecutionCompleted:
			ids = append(ids, uint64(e.ID)+1)
		}
	}
	n := len(r.Messages)
	if len(ids) == n+1 && r.History[len(r.History)-1].Kind == durable.ExecutionCompleted {
		ids = ids[:n] // completion without a parent to notify
	}
	if len(ids) == n {
		return ids, true
	}
	ids = ids[:0]
	for i := 0; i < n; i++ {
		ids = append(ids, uint64(base)<<20|uint64(i+1))
	}
	return ids, false
}

// predecessor names what an entity must have applied before the next
// message an orchestration sends it: the orchestration's previous message
// to it, and, for the first message inside a critical section, the lock
// request the previous entity of the lock chain forwarded to it.
type predecessor struct {
	own        uint64
	lockSender string
	lockSeq    uint64
}

// lastToEntities maps each entity the execution has sent to (in its
// recorded history) to its predecessor for the next message.
func lastToEntities(hist []durable.Event) map[string]predecessor {
	last := map[string]predecessor{}
	for i := range hist {
		e := &hist[i]
		switch e.Kind {
		case durable.EntityCallSent, durable.EntitySignalSent, durable.EntityUnlockSent:
			last[e.Instance] = predecessor{own: uint64(e.ID) + 1}
		case durable.EntityLockSent:
			if len(e.Entities) > 0 {
				last[e.Entities[0]] = predecessor{own: uint64(e.ID) + 1}
				lockChain(last, &durable.Event{Kind: durable.EntityLockRequested, Request: e.Request, Entities: e.Entities})
			}
		}
	}
	return last
}

// lockChain records, for each entity after the first of a lock set, the
// lock request the previous entity forwards to it (numbered as entitySeq
// numbers it).
func lockChain(last map[string]predecessor, lock *durable.Event) {
	for i := 1; i < len(lock.Entities); i++ {
		fwd := durable.Message{To: lock.Entities[i], Event: durable.Event{Kind: durable.EntityLockRequested,
			Request: lock.Request, ID: int32(i)}}
		p := last[lock.Entities[i]]
		p.lockSender, p.lockSeq = lock.Entities[i-1], entitySeq(&fwd, 0, 0)
		last[lock.Entities[i]] = p
	}
}

// sendAll enqueues messages, one request each, all at once; then gets
// the first error.
func (w *Worker) sendAll(msgs []outboundMsg, then errTo) {
	if len(msgs) == 0 {
		then.gotErr(w, nil)
		return
	}
	g := &errFanIn{left: len(msgs), then: then}
	for i := range msgs {
		m := &msgs[i]
		w.send(m.queue, &m.env, messageKey(&m.env), m.delay, g)
	}
}
