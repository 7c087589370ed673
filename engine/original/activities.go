package original

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/replay"
)

// workItems is the worker's side of the shared work-item queue: at most
// MaxActivities activities run at once; the queue is polled (WorkItemBatch
// messages per dequeue, one by default as the provider does) while there is
// room, again at once after a hit, with back-off when it is empty.
type workItems struct {
	running int
	polling bool
	back    pollBackoff
	wait    port.TimerID // the back-off timer the poller sleeps on (0: none)
	woken   bool         // a work item was enqueued while a poll was under way
}

// pollWorkItems dequeues as many work items as there is room for.
func (w *Worker) pollWorkItems() {
	room := min(w.cfg.MaxActivities-w.acts.running, w.cfg.WorkItemBatch)
	if room <= 0 {
		w.acts.polling = false // resumed when an activity finishes
		return
	}
	w.acts.polling = true
	op := port.QueueDequeue{Queue: w.n.workItems, N: room, Visibility: w.cfg.WorkItemVisibility}
	w.Issue(op, workItemsDequeued{})
}

// workItemsDequeued: a dequeue from the work-item queue came back: start
// the activities and poll again, or back off.
type workItemsDequeued struct{}

func (workItemsDequeued) Then() reactor.Then { return reactor.Then{Step: "work-items-dequeued"} }

func (workItemsDequeued) workerStep(w *Worker, o reactor.Outcome) {
	c := o.Completion
	w.stats.WorkItemPolls++
	var msgs []port.Message
	if c.Err == nil {
		msgs = c.Result.([]port.Message)
	}
	if len(msgs) == 0 {
		w.stats.EmptyWorkPolls++
		if w.acts.woken {
			w.acts.woken = false
			w.acts.back.woke()
			w.pollWorkItems()
			return
		}
		w.acts.wait = w.After(w.acts.back.miss(&w.rnd), pollWorkItems{})
		return
	}
	w.acts.woken = false
	w.acts.back.hit()
	w.acts.running += len(msgs)
	w.resolve(w, w.n.workItems, msgs, startActivities{})
	w.pollWorkItems()
}

// pollWorkItems: the work-item queue's back-off has passed: poll it.
type pollWorkItems struct{}

func (pollWorkItems) Then() reactor.Then { return reactor.Then{Step: "poll-work-items"} }

func (pollWorkItems) workerStep(w *Worker, _ reactor.Outcome) { w.acts.wait = 0; w.pollWorkItems() }

// startActivities: dequeued work items are decoded: start them.
type startActivities struct{}

func (startActivities) gotReceived(c core, rs []received) {
	w := worker(c)
	for i := range rs {
		w.startActivity(rs[i])
	}
}

// wake is told of every message this worker enqueued: as the provider's
// TaskHubQueue resets its polling back-off after each add, the worker's
// poller of that queue (an owned control queue, or the work-item queue)
// polls at once instead of sleeping out its back-off, or again at once
// after a poll under way comes back empty.
func (w *Worker) wake(queue string) {
	if queue == w.n.workItems {
		switch {
		case w.acts.wait != 0:
			w.Cancel(w.acts.wait)
			w.acts.wait = 0
			w.acts.back.woke()
			w.pollWorkItems()
		case w.acts.polling:
			w.acts.woken = true
		}
		return
	}
	for _, q := range w.queues {
		if q.name != queue || !q.owned {
			continue
		}
		switch {
		case q.wait != 0:
			w.Cancel(q.wait)
			q.wait = 0
			q.back.woke()
			w.pollControl(q)
		case q.polling:
			q.woken = true
		}
	}
}

// startActivity runs one work item; its reply goes to the orchestration's
// control queue, then the work item is deleted.
func (w *Worker) startActivity(r received) {
	if r.err != nil || r.env.Event.Kind != durable.TaskScheduled {
		w.stats.Poison++
		w.Issue(deleteOp(&r), workItemDone{step: "poison-deleted", about: r.queue})
		return
	}
	w.stats.Activities++
	reg, m := w.reg, durable.Message{To: r.env.To, Event: r.env.Event}
	exec := r.env.Exec
	run := func() ([]byte, error) {
		reply := replay.RunActivity(context.Background(), reg, m)
		env := envelope{To: reply.To, Event: reply.Event, Exec: exec}
		return encodeEnvelope(&env), nil
	}
	w.Run(m.Event.Name, m.Event.Payload, run, activityRan{r: r, m: m, exec: exec})
}

// activityRan: the activity of work item r (message m, of execution exec)
// returned: reply to its orchestration.
type activityRan struct {
	r    received
	m    durable.Message
	exec uint32
}

func (k activityRan) Then() reactor.Then { return reactor.Then{Step: "activity-done", About: k.m.To} }

func (k activityRan) workerStep(w *Worker, o reactor.Outcome) {
	d, m := o.Done, k.m
	env, _, err := decodeMessage(d.Output)
	if d.Err != nil || err != nil {
		// The driver lost the result: fail the task rather than hang.
		env = envelope{To: m.To, Exec: k.exec, Event: durable.Event{Kind: durable.TaskFailed, ID: m.Event.ID,
			Failure: fmt.Sprintf("activity %q: %v", m.Event.Name, firstNonNil(d.Err, err))}}
	}
	w.reply(k.r, env)
}

func (w *Worker) reply(r received, env envelope) {
	q := w.n.control[w.n.controlFor(env.To)]
	w.send(q, &env, messageKey(&env), 0, replied{r: r, env: env})
}

// replied: the enqueue of work item r's reply env came back: delete the
// work item.
type replied struct {
	r   received
	env envelope
}

func (k replied) gotErr(c core, err error) {
	w := worker(c)
	if err != nil {
		w.After(w.cfg.RetryDelay, replyRetry(k))
		return
	}
	w.Issue(deleteOp(&k.r), workItemDone{step: "work-item-deleted", about: k.r.env.To})
}

// replyRetry: RetryDelay has passed since a reply's enqueue failed.
type replyRetry replied

func (k replyRetry) Then() reactor.Then { return reactor.Then{Step: "reply-retry", About: k.env.To} }

func (k replyRetry) workerStep(w *Worker, _ reactor.Outcome) { w.reply(k.r, k.env) }

// workItemDone: the delete of a work item came back (step names which):
// its activity slot is free.
type workItemDone struct{ step, about string }

func (k workItemDone) Then() reactor.Then { return reactor.Then{Step: k.step, About: k.about} }

func (workItemDone) workerStep(w *Worker, _ reactor.Outcome) { w.activityDone() }

func (w *Worker) activityDone() {
	w.acts.running--
	if !w.acts.polling {
		w.pollWorkItems()
	}
}

func firstNonNil(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
