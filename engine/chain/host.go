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
	blobs   bool // its messages name blobs (blob trigger, Lambda events), else they are steps
	bo      backoff.Backoff
	fixed   port.Time // > 0: a fixed gap (the Lambda service's event queue)
	running int
	blocked bool         // waiting for running to drop to the threshold
	polling bool         // a Get Messages is in flight
	wait    port.TimerID // the pending poll timer (0: none); a wake-up cancels it
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
	return &Host{base: base{Reactor: reactor.New[chainStep](reactor.Shared), cfg: cfg}, reg: reg, rnd: backoff.NewRand(cfg.Seed), last: -1}, nil
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
	if h.Dispatch(now, in, h.run) {
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
		h.listen(&listener{queue: h.cfg.queue(), bo: listenerBackoff(q.MinPoll, q.MaxPoll)})
	case TriggerBlob:
		h.listen(&listener{queue: h.cfg.blobQueue(), blobs: true, bo: listenerBackoff(q.MinPoll, q.MaxPoll)})
		h.scanTick()
	case TriggerLambda:
		h.listen(&listener{queue: h.cfg.blobQueue(), blobs: true, fixed: lambdaPoll})
	}
}

// listen creates the listener's queues, then polls.
func (h *Host) listen(l *listener) {
	h.lis = append(h.lis, l)
	h.createQueues([]string{l.queue, h.cfg.poison()}, pollNow{l})
}

// The continuations of a listener's work hold the listener (l), one of
// the host's for its whole life.

// pollNow: poll l (once its queues exist).
type pollNow struct{ l *listener }

func (k pollNow) Then() reactor.Then { return reactor.Then{Step: "poll", About: k.l.queue} }

func (k pollNow) hostStep(h *Host, _ reactor.Outcome) { h.poll(k.l) }

func (h *Host) createQueues(names []string, then chainStep) {
	if len(names) == 0 {
		h.take(then)
		return
	}
	h.Issue(port.QueueCreate{Queue: names[0]}, queuesCreated{names: names, then: then})
}

// queuesCreated: the creation of names[0] came back: create the rest,
// then take then.
type queuesCreated struct {
	names []string
	then  chainStep
}

func (k queuesCreated) Then() reactor.Then {
	return reactor.Then{Step: "queue-created", About: k.names[0]}
}

func (k queuesCreated) hostStep(h *Host, o reactor.Outcome) {
	if o.Completion.Err != nil {
		h.After(retryDelay, createQueuesRetry{k})
		return
	}
	h.createQueues(k.names[1:], k.then)
}

// createQueuesRetry: retryDelay has passed since a queue creation failed.
type createQueuesRetry struct{ queuesCreated }

func (k createQueuesRetry) Then() reactor.Then {
	return reactor.Then{Step: "create-queues-retry", About: k.names[0]}
}

func (k createQueuesRetry) hostStep(h *Host, _ reactor.Outcome) { h.createQueues(k.names, k.then) }

// poll gets a batch unless too many messages run; the gap to the next
// poll follows the back-off.
func (h *Host) poll(l *listener) {
	if l.running > h.cfg.Queue.NewBatchThreshold {
		l.blocked = true
		return
	}
	h.stats.Polls++
	l.polling = true
	h.Issue(port.QueueDequeue{Queue: l.queue, N: h.cfg.Queue.BatchSize, Visibility: h.cfg.Queue.Visibility}, dequeued{l})
}

// dequeued: l's Get Messages came back: handle the batch and set the
// next poll's timer.
type dequeued struct{ l *listener }

func (k dequeued) Then() reactor.Then { return reactor.Then{Step: "dequeued", About: k.l.queue} }

func (k dequeued) hostStep(h *Host, o reactor.Outcome) {
	l, c := k.l, o.Completion
	l.polling = false
	msgs, _ := c.Result.([]port.Message)
	if c.Err != nil {
		msgs = nil
		if errors.Is(c.Err, port.ErrNotFound) {
			h.createQueues([]string{l.queue}, nothing{})
		}
	}
	for _, m := range msgs {
		l.running++
		if l.blobs {
			h.handleBlob(l, m)
		} else {
			h.handleStep(l, m)
		}
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
	l.wait = h.After(gap, pollTimer{l})
}

// pollTimer: l's back-off gap has passed: poll.
type pollTimer struct{ l *listener }

func (k pollTimer) Then() reactor.Then { return reactor.Then{Step: "poll", About: k.l.queue} }

func (k pollTimer) hostStep(h *Host, _ reactor.Outcome) {
	k.l.wait = 0
	h.poll(k.l)
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
	h.runStep(stepDone{l: l, m: m, s: s})
}

// stepDone: the function of step s (triggered by l's message m; for the
// blob trigger, with the receipt claimed as etag) returned: trigger the
// next step, then delete the message (marking the receipt done first).
type stepDone struct {
	l             *listener
	m             port.Message
	s             stepMsg
	blob          bool
	receipt, etag string
}

func (k stepDone) Then() reactor.Then { return reactor.Then{Step: "step-done", About: k.s.Instance} }

func (k stepDone) hostStep(h *Host, o reactor.Outcome) {
	out, err := o.Done.Output, o.Done.Err
	switch {
	case err != nil:
		h.failed(k.l, k.m, k.s, err)
	case k.blob:
		h.next(k.s, out, markDone{l: k.l, m: k.m, receipt: k.receipt, etag: k.etag})
	case h.cfg.Planted == PlantedDeleteBeforeNext:
		h.deleteMsg(k.l, k.m, nextStep{s: k.s, out: out, then: nothing{}})
	default:
		h.next(k.s, out, deleteNow{l: k.l, m: k.m})
	}
}

// deleteNow: delete l's message m.
type deleteNow struct {
	l *listener
	m port.Message
}

func (k deleteNow) Then() reactor.Then { return reactor.Then{Step: "delete", About: k.l.queue} }

func (k deleteNow) hostStep(h *Host, _ reactor.Outcome) { h.deleteMsg(k.l, k.m, nothing{}) }

// nextStep: trigger the step after s (its output out), then take then.
type nextStep struct {
	s    stepMsg
	out  []byte
	then chainStep
}

func (k nextStep) Then() reactor.Then { return reactor.Then{Step: "next", About: k.s.Instance} }

func (k nextStep) hostStep(h *Host, _ reactor.Outcome) { h.next(k.s, k.out, k.then) }

// failed makes a failed step's message visible again after
// RetryVisibility, or moves it to the poison queue after MaxDequeueCount.
func (h *Host) failed(l *listener, m port.Message, s stepMsg, err error) {
	h.stats.Failures++
	if m.DequeueCount >= h.cfg.Queue.MaxDequeueCount {
		h.logf("chain: %s step %d failed %d times (%v): to the poison queue", s.Instance, s.Step, m.DequeueCount, err)
		h.poisonMsg(l, m)
		return
	}
	h.Issue(port.QueueUpdate{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt, Visibility: h.cfg.Queue.RetryVisibility},
		finishedMsg{l: l, step: "retry-visibility-set"})
}

// finishedMsg: a request that ends the processing of one of l's messages
// (step names it) came back, whatever its outcome: an update that failed
// leaves the visibility timeout to bring the message back.
type finishedMsg struct {
	l    *listener
	step string
}

func (k finishedMsg) Then() reactor.Then { return reactor.Then{Step: k.step, About: k.l.queue} }

func (k finishedMsg) hostStep(h *Host, _ reactor.Outcome) { h.finished(k.l) }

func (h *Host) poisonMsg(l *listener, m port.Message) {
	h.stats.Poisoned++
	h.Issue(port.QueueEnqueue{Queue: h.cfg.poison(), Data: m.Data}, poisoned{l: l, m: m})
}

// poisoned: the copy of l's message m to the poison queue came back:
// delete the message.
type poisoned struct {
	l *listener
	m port.Message
}

func (k poisoned) Then() reactor.Then { return reactor.Then{Step: "poisoned", About: k.l.queue} }

func (k poisoned) hostStep(h *Host, o reactor.Outcome) {
	if o.Completion.Err != nil {
		h.finished(k.l) // the message comes back after its visibility timeout
		return
	}
	h.deleteMsg(k.l, k.m, nothing{})
}

// deleteMsg deletes a processed message (a message that reappeared and was
// taken by another poll is gone or has another receipt: nothing to do).
func (h *Host) deleteMsg(l *listener, m port.Message, then chainStep) {
	h.Issue(port.QueueDelete{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt}, messageDeleted{l: l, id: m.ID, then: then})
}

// messageDeleted: the delete of l's message id came back: its processing
// is over; then take then.
type messageDeleted struct {
	l    *listener
	id   string
	then chainStep
}

func (k messageDeleted) Then() reactor.Then {
	return reactor.Then{Step: "message-deleted", About: k.l.queue}
}

func (k messageDeleted) hostStep(h *Host, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil && !errors.Is(c.Err, port.ErrNotFound) && !errors.Is(c.Err, port.ErrPopReceipt) {
		h.logf("chain: delete message %s: %v (it reappears after its visibility timeout)", k.id, c.Err)
	}
	h.finished(k.l)
	h.take(k.then)
}

// next writes the trigger of the step after s (its output out), or the
// done event after the last step; storage errors are retried.
func (h *Host) next(s stepMsg, out []byte, then chainStep) {
	if s.Step+1 >= s.Length {
		h.putDone(s.Instance, out, then)
		return
	}
	n := s
	n.Step, n.Item = s.Step+1, json.RawMessage(out)
	b, _ := json.Marshal(n)
	h.writeStep(h, n.Instance, n.Step, b, then)
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
	reactor.Reactor[chainStep]
	cfg Config
}

// writeStep writes a step's trigger: a message, or a blob (and, for the
// Lambda chain, the blob's event); then c takes then.
func (h *base) writeStep(c core, instance string, step int, b []byte, then chainStep) {
	k := stepWritten{instance: instance, step: step, b: b, then: then}
	switch h.cfg.Trigger {
	case TriggerQueue:
		h.Issue(port.QueueEnqueue{Queue: h.cfg.queue(), Data: b}, k)
	default:
		k.name = h.cfg.stepBlob(instance, step)
		h.Issue(port.BlobPut{Name: k.name, Data: b}, k)
	}
}

// stepWritten: the write of a step's trigger b (message, or blob name)
// came back.
type stepWritten struct {
	instance string
	step     int
	b        []byte
	name     string // the blob written ("": a message enqueued)
	then     chainStep
}

func (k stepWritten) Then() reactor.Then {
	if k.name == "" {
		return reactor.Then{Step: "step-enqueued", About: k.instance}
	}
	return reactor.Then{Step: "step-written", About: k.instance}
}

func (k stepWritten) baseStep(c core, o reactor.Outcome) {
	h, r := c.shared(), o.Completion
	if r.Err != nil {
		h.After(retryDelay, writeStepRetry{k})
		return
	}
	switch {
	case k.name == "":
		c.enqueued(h.cfg.queue())
		c.take(k.then)
	case h.cfg.Trigger != TriggerLambda:
		c.take(k.then)
	default:
		etag, _ := r.Result.(string)
		h.raiseEvent(eventRaised{name: k.name, etag: etag, then: k.then})
	}
}

// writeStepRetry: retryDelay has passed since a trigger write failed.
type writeStepRetry struct{ stepWritten }

func (k writeStepRetry) Then() reactor.Then {
	return reactor.Then{Step: "write-step-retry", About: k.instance}
}

func (k writeStepRetry) baseStep(c core, _ reactor.Outcome) {
	c.shared().writeStep(c, k.instance, k.step, k.b, k.then)
}

// raiseEvent is S3's event of a put: a message on the Lambda service's
// asynchronous queue, visible after the event delay.
func (h *base) raiseEvent(k eventRaised) {
	b, _ := json.Marshal(blobMsg{Blob: k.name, ETag: k.etag})
	h.Issue(port.QueueEnqueue{Queue: h.cfg.blobQueue(), Data: b, Delay: h.cfg.EventDelay}, k)
}

// eventRaised: the event of the put of blob name (as etag) came back.
type eventRaised struct {
	name, etag string
	then       chainStep
}

func (k eventRaised) Then() reactor.Then { return reactor.Then{Step: "event-raised", About: k.name} }

func (k eventRaised) baseStep(c core, o reactor.Outcome) {
	if o.Completion.Err != nil {
		c.shared().After(retryDelay, raiseRetry{k})
		return
	}
	c.take(k.then)
}

// raiseRetry: retryDelay has passed since an event could not be raised.
type raiseRetry struct{ eventRaised }

func (k raiseRetry) Then() reactor.Then { return reactor.Then{Step: "raise-retry", About: k.name} }

func (k raiseRetry) baseStep(c core, _ reactor.Outcome) { c.shared().raiseEvent(k.eventRaised) }

// putDone raises the event back to the orchestration: the chain's output
// in a create-only blob (a step run twice raises it once).
func (h *Host) putDone(instance string, out []byte, then chainStep) {
	b, _ := json.Marshal(doneRecord{Output: out, At: h.Now()})
	h.Issue(port.BlobPut{Name: h.cfg.done(instance), Data: b, Cond: port.Cond{IfNoneMatch: "*"}}, doneWritten{instance: instance, out: out, then: then})
}

// doneWritten: the write of a chain's done event (its output out) came
// back.
type doneWritten struct {
	instance string
	out      []byte
	then     chainStep
}

func (k doneWritten) Then() reactor.Then {
	return reactor.Then{Step: "done-written", About: k.instance}
}

func (k doneWritten) hostStep(h *Host, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil && !errors.Is(c.Err, port.ErrConflict) {
		h.After(retryDelay, putDoneRetry{k})
		return
	}
	h.take(k.then)
}

// putDoneRetry: retryDelay has passed since a done event's write failed.
type putDoneRetry struct{ doneWritten }

func (k putDoneRetry) Then() reactor.Then {
	return reactor.Then{Step: "put-done-retry", About: k.instance}
}

func (k putDoneRetry) hostStep(h *Host, _ reactor.Outcome) { h.putDone(k.instance, k.out, k.then) }
