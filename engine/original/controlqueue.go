package original

import (
	"errors"
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// controlQueue is one control queue as a worker sees it.
type controlQueue struct {
	idx       int
	name      string
	lease     string
	owned     bool
	acquiring bool
	polling   bool
	back      pollBackoff
	// wait is the back-off timer the poller sleeps on (0: none); woken
	// says a message was enqueued while a poll was under way, so a miss
	// polls again at once.
	wait  port.TimerID
	woken bool
	// failed says why the queue failed for good (failQueue; "": it did
	// not): its stored data is corrupt, so it is polled no more.
	failed string
}

// session is an instance with a step under way on this worker. Messages
// for it that arrive meanwhile wait in pending for the next step, so an
// instance is never stepped twice at once by one worker.
type session struct {
	instance string
	q        *controlQueue
	batch    []received
	pending  []received
}

// pollControl dequeues a batch from an owned control queue; after a hit it
// polls again at once, after a miss it backs off.
func (w *Worker) pollControl(q *controlQueue) {
	if !q.owned || q.failed != "" || w.buffered >= w.cfg.BufferThreshold {
		q.polling = false // resumed by acquire or by release
		return
	}
	q.polling = true
	op := port.QueueDequeue{Queue: q.name, N: w.cfg.BatchSize, Visibility: w.cfg.ControlVisibility}
	w.Issue(op, controlDequeued{q})
}

// The continuations of a control queue's work hold the queue (q), one of
// the worker's for its life.

// controlDequeued: a dequeue from q came back: route the batch and poll
// again, or back off.
type controlDequeued struct{ q *controlQueue }

func (k controlDequeued) Then() reactor.Then {
	return reactor.Then{Step: "control-dequeued", About: k.q.name}
}

func (k controlDequeued) workerStep(w *Worker, o reactor.Outcome) {
	q, c := k.q, o.Completion
	w.stats.ControlPolls++
	var msgs []port.Message
	if c.Err == nil {
		msgs = c.Result.([]port.Message)
	}
	if len(msgs) == 0 {
		w.stats.EmptyControlPolls++
		if q.woken {
			q.woken = false
			q.back.woke()
			w.pollControl(q)
			return
		}
		q.wait = w.After(q.back.miss(&w.rnd), pollControl{q})
		return
	}
	q.woken = false
	q.back.hit()
	w.buffered += len(msgs)
	w.stats.PeakBuffered = max(w.stats.PeakBuffered, w.buffered)
	w.resolve(w, q.name, msgs, routeTo{q})
	w.pollControl(q)
}

// pollControl: q's back-off has passed: poll it.
type pollControl struct{ q *controlQueue }

func (k pollControl) Then() reactor.Then { return reactor.Then{Step: "poll-control", About: k.q.name} }

func (k pollControl) workerStep(w *Worker, _ reactor.Outcome) { k.q.wait = 0; w.pollControl(k.q) }

// routeTo: a batch dequeued from q is decoded: route it.
type routeTo struct{ q *controlQueue }

func (k routeTo) gotReceived(c core, rs []received) { worker(c).route(k.q, rs) }

// route groups a dequeued batch by instance (in arrival order) and starts
// a step for each instance that has none under way.
func (w *Worker) route(q *controlQueue, rs []received) {
	// The queue does not promise order; insertion time is the authority.
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].msg.InsertedAt < rs[j].msg.InsertedAt })
	var order []string
	groups := map[string][]received{}
	var poison []port.Op
	for i := range rs {
		r := rs[i]
		if r.err != nil {
			w.stats.Poison++
			poison = append(poison, deleteOp(&r))
			continue
		}
		if _, ok := groups[r.env.To]; !ok {
			order = append(order, r.env.To)
		}
		groups[r.env.To] = append(groups[r.env.To], r)
	}
	w.all(poison, poisonDeleted{queue: q.name, n: len(poison)})
	for _, inst := range order {
		if s := w.sessions[inst]; s != nil {
			s.pending = append(s.pending, groups[inst]...)
			continue
		}
		s := &session{instance: inst, q: q, batch: groups[inst]}
		w.sessions[inst] = s
		if w.active >= w.cfg.MaxSessions {
			w.waiting = append(w.waiting, s)
			continue
		}
		w.active++
		w.stats.PeakSessions = max(w.stats.PeakSessions, w.active)
		w.step(s)
	}
}

// poisonDeleted: the deletes of n malformed messages of queue came back.
type poisonDeleted struct {
	queue string
	n     int
}

func (k poisonDeleted) Then() reactor.Then {
	return reactor.Then{Step: "poison-deleted", About: k.queue}
}

func (k poisonDeleted) workerStep(w *Worker, _ reactor.Outcome) { w.release(k.n) }

// release accounts for n buffered messages leaving memory and resumes
// control-queue polling paused at the buffer threshold.
func (w *Worker) release(n int) {
	w.buffered -= n
	if w.buffered >= w.cfg.BufferThreshold {
		return
	}
	for _, q := range w.queues {
		if q.owned && !q.polling {
			w.pollControl(q)
		}
	}
}

func (w *Worker) step(s *session) {
	if durable.IsEntity(s.instance) {
		w.entityStep(s)
		return
	}
	w.orchestrationStep(s)
}

// endStep finishes a step: the next one starts if messages are waiting.
func (w *Worker) endStep(s *session) {
	if len(s.pending) > 0 {
		s.batch, s.pending = s.pending, nil
		w.step(s)
		return
	}
	delete(w.sessions, s.instance)
	w.active--
	if len(w.waiting) > 0 {
		next := w.waiting[0]
		w.waiting[0] = nil
		w.waiting = w.waiting[1:]
		w.active++
		w.step(next)
	}
}

// abandon gives a step up after a failed request or a write conflict: its
// messages become visible again after RetryDelay, and the cached cursor
// (if any) is dropped because it may be ahead of storage.
//
// Corrupt stored data (a History or Instances row that does not parse)
// does not heal with retries: the step's control queue fails for good
// (failQueue) instead of retrying it forever.
func (w *Worker) abandon(s *session, err error) {
	if errors.Is(err, port.ErrCorrupt) {
		w.failQueue(s.q, err)
	}
	w.stats.Abandoned++
	w.dropCursor(s.instance)
	ops := make([]port.Op, 0, len(s.batch))
	for i := range s.batch {
		ops = append(ops, putBackOp(&s.batch[i], w.cfg.RetryDelay))
	}
	n := len(s.batch)
	s.batch = nil
	w.all(ops, stepEnded{step: "abandoned", s: s, n: n})
}

// stepEnded: the deletes and put-backs of a step's n messages came back
// (step names which): the step is over.
type stepEnded struct {
	step string
	s    *session
	n    int
}

func (k stepEnded) Then() reactor.Then { return reactor.Then{Step: k.step, About: k.s.instance} }

func (k stepEnded) workerStep(w *Worker, _ reactor.Outcome) {
	w.release(k.n)
	w.endStep(k.s)
}

// retire deletes processed messages and puts back early ones, then ends
// the step.
func (w *Worker) retire(t retirement) {
	ops := make([]port.Op, 0, len(t.done)+len(t.early))
	for i := range t.done {
		ops = append(ops, deleteOp(&t.done[i]))
	}
	for i := range t.early {
		w.stats.PutBacks++
		ops = append(ops, putBackOp(&t.early[i], t.delays[i]))
	}
	w.all(ops, stepEnded{step: "retired", s: t.s, n: len(ops)})
}

// failQueue fails control queue q for good: it is polled no more (the
// worker keeps its lease, so that no other worker takes it over to fail
// the same way) and its health says why, so that the calls for its
// instances fail with the reason (QueueDown) instead of waiting.
func (w *Worker) failQueue(q *controlQueue, err error) {
	if q.failed != "" {
		return
	}
	q.failed = err.Error()
	w.health(q, port.HealthFailed, q.failed)
}

// ControlUnit names control queue q in health reports (port.Health.Unit).
func ControlUnit(q int) string { return fmt.Sprintf("control-%02d", q) }

// health reports q's state as this worker sees it: ok once it owns q,
// recovering (with why) when it lost q's lease.
func (w *Worker) health(q *controlQueue, st port.HealthState, reason string) {
	if q.failed != "" && st != port.HealthFailed {
		return // failed stays failed
	}
	w.Report(port.Health{Unit: ControlUnit(q.idx), State: st, Reason: reason})
}
