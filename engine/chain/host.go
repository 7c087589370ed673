package chain

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Stats are a host's counters of this life.
type Stats struct {
	Polls      int64 // queue polls (Get Messages)
	EmptyPolls int64 // polls that found nothing
	Executions int64 // function executions (a step run twice counts twice)
	Failures   int64 // executions that failed
	Poisoned   int64 // messages moved to the poison queue
	Scans      int64 // container listings (pages) of the blob trigger
	Found      int64 // blobs the scans put on the internal queue
	Skipped    int64 // blob messages whose receipt said done
}

// retryDelay is the pause before a failed storage request is retried.
const retryDelay = 100 * port.Millisecond

// lambdaPoll is the gap of the simulated Lambda service's reads of its
// asynchronous event queue (push delivery: no back-off).
const lambdaPoll = 10 * port.Millisecond

// listener is one queue listener's state.
type listener struct {
	queue   string
	bo      backoff.Backoff
	fixed   port.Time // > 0: a fixed gap (the Lambda service's event queue)
	running int
	blocked bool         // waiting for running to drop to the threshold
	polling bool         // a Get Messages is in flight
	wait    port.TimerID // the pending poll timer (0: none); a wake-up cancels it
	handle  func(l *listener, m port.Message)
}

// Host is a function host on one node: the trigger's listeners and the
// step functions they run.
type Host struct {
	base
	reg     *durable.Registry
	rnd     backoff.Rand
	lis     []*listener
	stats   Stats
	claimed bool // holds the scan claim (blob trigger)
	marker  string
	listed  int
	sweep   port.Time // start of the sweep in progress
	last    port.Time // start of the last complete sweep (-1: none yet)
}

var _ port.Core = (*Host)(nil)

// NewHost returns a host core.
func NewHost(cfg Config, reg *durable.Registry) (*Host, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, fmt.Errorf("chain: nil registry")
	}
	h := &Host{base: base{Funcs: reactor.NewFuncs(reactor.Shared), cfg: cfg}, reg: reg, rnd: backoff.NewRand(cfg.Seed), last: -1}
	h.onEnqueue = h.wake
	return h, nil
}

// Stats returns the counters of this life.
func (h *Host) Stats() Stats { return h.stats }

func (h *Host) logf(format string, args ...any) {
	if h.cfg.Logf != nil {
		h.cfg.Logf(format, args...)
	}
}

// Step implements port.Core.
func (h *Host) Step(now port.Time, in port.Input) {
	if h.Dispatch(now, in) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		h.start()
	case port.ClientCall:
		h.Respond(v.ID, nil, fmt.Errorf("chain: a function host takes no client calls: send them to the frontend core"))
	}
}

func (h *Host) start() {
	q := h.cfg.Queue
	switch h.cfg.Trigger {
	case TriggerQueue:
		h.listen(&listener{queue: h.cfg.queue(), bo: listenerBackoff(q.MinPoll, q.MaxPoll), handle: h.handleStep})
	case TriggerBlob:
		h.listen(&listener{queue: h.cfg.blobQueue(), bo: listenerBackoff(q.MinPoll, q.MaxPoll), handle: h.handleBlob})
		h.scanTick()
	case TriggerLambda:
		h.listen(&listener{queue: h.cfg.blobQueue(), fixed: lambdaPoll, handle: h.handleBlob})
	}
}

// listen creates the listener's queues, then polls.
func (h *Host) listen(l *listener) {
	h.lis = append(h.lis, l)
	h.createQueues([]string{l.queue, h.cfg.poison()}, func() { h.poll(l) })
}

func (h *Host) createQueues(names []string, then func()) {
	if len(names) == 0 {
		then()
		return
	}
	h.Issue(port.QueueCreate{Queue: names[0]}, "queue-created", names[0], func(c port.Completion) {
		if c.Err != nil {
			h.After(retryDelay, "create-queues-retry", names[0], func() { h.createQueues(names, then) })
			return
		}
		h.createQueues(names[1:], then)
	})
}

// poll gets a batch unless too many messages run; the gap to the next
// poll follows the back-off.
func (h *Host) poll(l *listener) {
	if l.running > h.cfg.Queue.NewBatchThreshold {
		l.blocked = true
		return
	}
	h.stats.Polls++
	l.polling = true
	h.Issue(port.QueueDequeue{Queue: l.queue, N: h.cfg.Queue.BatchSize, Visibility: h.cfg.Queue.Visibility}, "dequeued", l.queue, func(c port.Completion) {
		l.polling = false
		msgs, _ := c.Result.([]port.Message)
		if c.Err != nil {
			msgs = nil
			if errors.Is(c.Err, port.ErrNotFound) {
				h.createQueues([]string{l.queue}, func() {})
			}
		}
		for _, m := range msgs {
			l.running++
			l.handle(l, m)
		}
		if len(msgs) == 0 {
			h.stats.EmptyPolls++
		}
		gap := l.fixed
		if gap == 0 {
			if len(msgs) > 0 {
				l.bo.Hit()
			} else {
				l.bo.Miss(&h.rnd)
			}
			gap = l.bo.Gap()
		}
		h.Cancel(l.wait)
		l.wait = h.After(gap, "poll", l.queue, func() {
			l.wait = 0
			h.poll(l)
		})
	})
}

// wake is the host's notice that it enqueued a message on a queue it
// listens to (the hosts' shared queue watcher): the listener polls now
// instead of at the end of its back-off.
func (h *Host) wake(queue string) {
	for _, l := range h.lis {
		if l.queue == queue && !l.polling && !l.blocked && l.fixed == 0 {
			h.Cancel(l.wait)
			l.wait = 0
			h.poll(l)
		}
	}
}

// finished ends a message's processing; a blocked listener polls again
// once few enough run.
func (h *Host) finished(l *listener) {
	l.running--
	if l.blocked && l.running <= h.cfg.Queue.NewBatchThreshold {
		l.blocked = false
		h.poll(l)
	}
}

// handleStep runs a queue-triggered step: the function, then the next
// step's message (or the done event), then the message's delete.
func (h *Host) handleStep(l *listener, m port.Message) {
	var s stepMsg
	if err := json.Unmarshal(m.Data, &s); err != nil {
		h.logf("chain: message %s: %v: to the poison queue", m.ID, err)
		h.poisonMsg(l, m)
		return
	}
	h.runStep(s, func(out []byte, err error) {
		if err != nil {
			h.failed(l, m, s, err)
			return
		}
		if h.cfg.Planted == PlantedDeleteBeforeNext {
			h.deleteMsg(l, m, func() { h.next(s, out, func() {}) })
			return
		}
		h.next(s, out, func() { h.deleteMsg(l, m, func() {}) })
	})
}

// failed makes a failed step's message visible again after
// RetryVisibility, or moves it to the poison queue after MaxDequeueCount.
func (h *Host) failed(l *listener, m port.Message, s stepMsg, err error) {
	h.stats.Failures++
	if m.DequeueCount >= h.cfg.Queue.MaxDequeueCount {
		h.logf("chain: %s step %d failed %d times (%v): to the poison queue", s.Instance, s.Step, m.DequeueCount, err)
		h.poisonMsg(l, m)
		return
	}
	h.Issue(port.QueueUpdate{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt, Visibility: h.cfg.Queue.RetryVisibility}, "retry-visibility-set", l.queue, func(port.Completion) {
		h.finished(l) // an update that failed leaves the visibility timeout to bring it back
	})
}

func (h *Host) poisonMsg(l *listener, m port.Message) {
	h.stats.Poisoned++
	h.Issue(port.QueueEnqueue{Queue: h.cfg.poison(), Data: m.Data}, "poisoned", l.queue, func(c port.Completion) {
		if c.Err != nil {
			h.finished(l) // the message comes back after its visibility timeout
			return
		}
		h.deleteMsg(l, m, func() {})
	})
}

// deleteMsg deletes a processed message (a message that reappeared and was
// taken by another poll is gone or has another receipt: nothing to do).
func (h *Host) deleteMsg(l *listener, m port.Message, then func()) {
	h.Issue(port.QueueDelete{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt}, "message-deleted", l.queue, func(c port.Completion) {
		if c.Err != nil && !errors.Is(c.Err, port.ErrNotFound) && !errors.Is(c.Err, port.ErrPopReceipt) {
			h.logf("chain: delete message %s: %v (it reappears after its visibility timeout)", m.ID, c.Err)
		}
		h.finished(l)
		then()
	})
}

// next writes the trigger of the step after s (its output out), or the
// done event after the last step; storage errors are retried.
func (h *Host) next(s stepMsg, out []byte, then func()) {
	if s.Step+1 >= s.Length {
		h.putDone(s.Instance, out, then)
		return
	}
	n := s
	n.Step, n.Item = s.Step+1, json.RawMessage(out)
	b, _ := json.Marshal(n)
	h.writeStep(n.Instance, n.Step, b, then)
}

// listenerBackoff is the hosts' RandomizedExponentialBackoffStrategy
// (engine/backoff): growing by min from min, up to max.
func listenerBackoff(min, max port.Time) backoff.Backoff {
	b := backoff.New(min, min, max)
	b.Hit()
	return b
}

// base is what the host and the frontend share: the reactor and the
// writes of a step's trigger.
type base struct {
	reactor.Funcs
	cfg Config
	// onEnqueue, if set, is told of every message the core enqueued.
	onEnqueue func(queue string)
}

// writeStep writes a step's trigger: a message, or a blob (and, for the
// Lambda chain, the blob's event).
func (h *base) writeStep(instance string, step int, b []byte, then func()) {
	retry := func() {
		h.After(retryDelay, "write-step-retry", instance, func() { h.writeStep(instance, step, b, then) })
	}
	switch h.cfg.Trigger {
	case TriggerQueue:
		h.Issue(port.QueueEnqueue{Queue: h.cfg.queue(), Data: b}, "step-enqueued", instance, func(c port.Completion) {
			if c.Err != nil {
				retry()
				return
			}
			if h.onEnqueue != nil {
				h.onEnqueue(h.cfg.queue())
			}
			then()
		})
	default:
		name := h.cfg.stepBlob(instance, step)
		h.Issue(port.BlobPut{Name: name, Data: b}, "step-written", instance, func(c port.Completion) {
			if c.Err != nil {
				retry()
				return
			}
			if h.cfg.Trigger != TriggerLambda {
				then()
				return
			}
			etag, _ := c.Result.(string)
			h.raiseEvent(name, etag, then)
		})
	}
}

// raiseEvent is S3's event of a put: a message on the Lambda service's
// asynchronous queue, visible after the event delay.
func (h *base) raiseEvent(name, etag string, then func()) {
	b, _ := json.Marshal(blobMsg{Blob: name, ETag: etag})
	h.Issue(port.QueueEnqueue{Queue: h.cfg.blobQueue(), Data: b, Delay: h.cfg.EventDelay}, "event-raised", name, func(c port.Completion) {
		if c.Err != nil {
			h.After(retryDelay, "raise-retry", name, func() { h.raiseEvent(name, etag, then) })
			return
		}
		then()
	})
}

// putDone raises the event back to the orchestration: the chain's output
// in a create-only blob (a step run twice raises it once).
func (h *Host) putDone(instance string, out []byte, then func()) {
	b, _ := json.Marshal(doneRecord{Output: out, At: h.Now()})
	h.Issue(port.BlobPut{Name: h.cfg.done(instance), Data: b, Cond: port.Cond{IfNoneMatch: "*"}}, "done-written", instance, func(c port.Completion) {
		if c.Err != nil && !errors.Is(c.Err, port.ErrConflict) {
			h.After(retryDelay, "put-done-retry", instance, func() { h.putDone(instance, out, then) })
			return
		}
		then()
	})
}
