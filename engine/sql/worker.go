package sql

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Stats count what a worker did in its current life.
type Stats struct {
	Steps, EntitySteps, Activities     int
	OrchestrationPolls, ActivityPolls  int
	EmptyOrchestrationPolls, EmptyActs int
	Discards, Duplicates, Abandoned    int
	PollErrors, HistoryEventsReplayed  int
}

// dispatcher is one of a worker's two polling loops.
type dispatcher struct {
	poller
	busy, max int
	polling   bool
}

// Worker is the SQL engine's per-node core: it polls the database for
// orchestration work items and activity tasks, runs them and checkpoints.
type Worker struct {
	hubReactor[workerStep]
	cfg       Config
	reg       *durable.Registry
	rnd       backoff.Rand
	orch      dispatcher
	acts      dispatcher
	ready     bool // the schema exists
	unhealthy bool // the last poll failed
	started   port.Time
	stats     Stats
}

var _ port.Core = (*Worker)(nil)

// NewWorker returns a worker core running the functions of reg.
func NewWorker(cfg Config, reg *durable.Registry) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, errors.New("sql.NewWorker: registry is nil")
	}
	w := &Worker{hubReactor: newHubReactor[workerStep](cfg.Hub), cfg: cfg, reg: reg, rnd: backoff.NewRand(cfg.Seed ^ fnv64(cfg.WorkerID))}
	w.orch = dispatcher{poller: newPoller(cfg.PollMin, cfg.PollDelta, cfg.PollMax), max: cfg.MaxOrchestrations}
	w.acts = dispatcher{poller: newPoller(cfg.PollMin, cfg.PollDelta, cfg.PollMax), max: cfg.MaxActivities}
	return w, nil
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats { return w.stats }

// Step implements port.Core.
func (w *Worker) Step(now port.Time, in port.Input) {
	if w.Dispatch(now, in, w.run) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		w.started = now
		w.setup()
	case port.ClientCall:
		w.Respond(v.ID, nil, fmt.Errorf("sql: worker %s takes no client calls; use the Client core", w.cfg.WorkerID))
	}
}

// setup creates the schema (existing tables are fine), then starts both
// dispatchers.
func (w *Worker) setup() { w.call(port.SQLCreateSchema{}, schemaCreated{}) }

// schemaCreated: the schema exists (or the call failed: setup again after
// RetryDelay); both dispatchers poll.
type schemaCreated struct{}

func (schemaCreated) Then() reactor.Then { return reactor.Then{Step: "schema-created"} }

func (schemaCreated) step(w *Worker, o reactor.Outcome) {
	w.health(o.Completion.Err)
	if o.Completion.Err != nil {
		w.After(w.cfg.RetryDelay, setupRetry{})
		return
	}
	w.ready = true
	w.pollOrchestrations()
	w.pollTasks()
}

// setupRetry: RetryDelay has passed since the schema could not be created
// (or was found gone): set it up again.
type setupRetry struct{}

func (setupRetry) Then() reactor.Then { return reactor.Then{Step: "setup-retry"} }

func (setupRetry) step(w *Worker, _ reactor.Outcome) { w.setup() }

// idle is the provider's WaitAsync after an empty poll: at once if a
// wake-up came meanwhile, else after the current interval; either way the
// interval is updated for the next one.
func (w *Worker) idle(l loop) {
	d := w.dispatcher(l)
	switch {
	case d.signaled:
		d.signaled = false
		d.Hit()
		w.poll(l)
	case d.Gap() == 0:
		d.Miss(&w.rnd)
		w.poll(l)
	default:
		d.waiting = w.After(d.Gap(), pollWait{l})
	}
}

// pollWait: a dispatcher's wait after an empty poll is over: the interval
// grows and it polls again.
type pollWait struct{ loop loop }

func (k pollWait) Then() reactor.Then { return reactor.Then{Step: "poll", About: k.loop.String()} }

func (k pollWait) step(w *Worker, _ reactor.Outcome) {
	d := w.dispatcher(k.loop)
	d.waiting = 0
	d.Miss(&w.rnd)
	w.poll(k.loop)
}

// wake is the provider's Reset: a wait in progress ends at once, else the
// next empty poll does not wait.
func (w *Worker) wake(l loop) {
	d := w.dispatcher(l)
	if d.waiting == 0 {
		d.signaled = true
		return
	}
	w.Cancel(d.waiting)
	d.waiting = 0
	d.Hit()
	w.poll(l)
}

// health reports the worker's state (unit: its WorkerID) when it
// changes: restarting while its polls fail (the database unreachable, the
// schema gone), with the error; ok once a poll succeeds again.
func (w *Worker) health(err error) {
	if err == nil {
		if w.unhealthy {
			w.unhealthy = false
			w.Report(port.Health{Unit: w.cfg.WorkerID, State: port.HealthOK})
		}
		return
	}
	if !w.unhealthy {
		w.unhealthy = true
		w.Report(port.Health{Unit: w.cfg.WorkerID, State: port.HealthRestarting,
			Reason: fmt.Sprintf("sql: worker %s: polling the database failed (retrying every %v): %v", w.cfg.WorkerID, time.Duration(w.cfg.RetryDelay), err)})
	}
}

// schemaGone handles a poll that found no schema (dropped under a running
// worker): the worker stops polling and creates it again (once for both
// dispatchers), then polls; it reports whether err was that.
func (w *Worker) schemaGone(err error) bool {
	if !errors.Is(err, port.ErrNoSchema) {
		return false
	}
	w.stats.PollErrors++
	if w.ready {
		w.ready = false
		w.After(w.cfg.RetryDelay, setupRetry{})
	}
	return true
}

// retry waits RetryDelay after a failed poll.
func (w *Worker) retry(l loop) {
	w.stats.PollErrors++
	w.dispatcher(l).waiting = w.After(w.cfg.RetryDelay, pollRetry{l})
}

// pollRetry: RetryDelay has passed since a dispatcher's poll failed: it
// polls again.
type pollRetry struct{ loop loop }

func (k pollRetry) Then() reactor.Then {
	return reactor.Then{Step: "poll-retry", About: k.loop.String()}
}

func (k pollRetry) step(w *Worker, _ reactor.Outcome) {
	w.dispatcher(k.loop).waiting = 0
	w.poll(k.loop)
}

func (w *Worker) pollOrchestrations() {
	d := &w.orch
	if !w.ready || d.polling || d.waiting != 0 || d.busy >= d.max {
		return
	}
	d.polling = true
	w.stats.OrchestrationPolls++
	w.call(port.SQLLockNextOrchestration{Owner: w.cfg.WorkerID, Lock: w.cfg.LockTimeout, Batch: w.cfg.Batch}, orchestrationLocked{})
}

// orchestrationLocked: a poll for orchestration work came back: step the
// work item it locked, if any, and poll again.
type orchestrationLocked struct{}

func (orchestrationLocked) Then() reactor.Then { return reactor.Then{Step: "orchestration-locked"} }

func (orchestrationLocked) step(w *Worker, o reactor.Outcome) {
	d, c := &w.orch, o.Completion
	d.polling = false
	w.health(c.Err)
	if w.schemaGone(c.Err) {
		return
	}
	if c.Err != nil {
		w.retry(orchestrations)
		return
	}
	wi, _ := c.Result.(port.SQLWorkItem)
	if !wi.Found {
		w.stats.EmptyOrchestrationPolls++
		w.idle(orchestrations)
		return
	}
	d.signaled = true // the provider resets its back-off after a hit
	d.busy++
	w.orchestrationStep(wi)
	w.pollOrchestrations()
}

// stepDone ends an orchestration step.
func (w *Worker) stepDone() {
	w.orch.busy--
	w.pollOrchestrations()
}

func (w *Worker) pollTasks() {
	d := &w.acts
	if !w.ready || d.polling || d.waiting != 0 || d.busy >= d.max {
		return
	}
	d.polling = true
	w.stats.ActivityPolls++
	w.call(port.SQLLockNextTask{Owner: w.cfg.WorkerID, Lock: w.cfg.LockTimeout}, taskLocked{})
}

// taskLocked: a poll for activity tasks came back: run the task it
// locked, if any, and poll again.
type taskLocked struct{}

func (taskLocked) Then() reactor.Then { return reactor.Then{Step: "task-locked"} }

func (taskLocked) step(w *Worker, o reactor.Outcome) {
	d, c := &w.acts, o.Completion
	d.polling = false
	w.health(c.Err)
	if w.schemaGone(c.Err) {
		return
	}
	if c.Err != nil {
		w.retry(tasks)
		return
	}
	t, _ := c.Result.(port.SQLTask)
	if !t.Found {
		w.stats.EmptyActs++
		w.idle(tasks)
		return
	}
	d.signaled = true
	d.busy++
	w.runTask(t)
	w.pollTasks()
}
