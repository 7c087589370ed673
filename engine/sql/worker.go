package sql

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
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
	name string // what it polls for, as its continuations print it
	poller
	busy, max int
	polling   bool
}

// Worker is the SQL engine's per-node core: it polls the database for
// orchestration work items and activity tasks, runs them and checkpoints.
type Worker struct {
	hubReactor
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
	w := &Worker{hubReactor: newHubReactor(cfg.Hub), cfg: cfg, reg: reg, rnd: backoff.NewRand(cfg.Seed ^ fnv64(cfg.WorkerID))}
	w.orch = dispatcher{name: "orchestrations", poller: newPoller(cfg.PollMin, cfg.PollDelta, cfg.PollMax), max: cfg.MaxOrchestrations}
	w.acts = dispatcher{name: "tasks", poller: newPoller(cfg.PollMin, cfg.PollDelta, cfg.PollMax), max: cfg.MaxActivities}
	return w, nil
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats { return w.stats }

// Step implements port.Core.
func (w *Worker) Step(now port.Time, in port.Input) {
	if w.Dispatch(now, in) {
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
func (w *Worker) setup() {
	w.call(port.SQLCreateSchema{}, "schema-created", "", func(c port.Completion) {
		w.health(c.Err)
		if c.Err != nil {
			w.After(w.cfg.RetryDelay, "setup-retry", "", w.setup)
			return
		}
		w.ready = true
		w.pollOrchestrations()
		w.pollTasks()
	})
}

// idle is the provider's WaitAsync after an empty poll: at once if a
// wake-up came meanwhile, else after the current interval; either way the
// interval is updated for the next one.
func (w *Worker) idle(d *dispatcher, poll func()) {
	switch {
	case d.signaled:
		d.signaled = false
		d.Hit()
		poll()
	case d.Gap() == 0:
		d.Miss(&w.rnd)
		poll()
	default:
		d.waiting = w.After(d.Gap(), "poll", d.name, func() {
			d.waiting = 0
			d.Miss(&w.rnd)
			poll()
		})
	}
}

// wake is the provider's Reset: a wait in progress ends at once, else the
// next empty poll does not wait.
func (w *Worker) wake(d *dispatcher, poll func()) {
	if d.waiting == 0 {
		d.signaled = true
		return
	}
	w.Cancel(d.waiting)
	d.waiting = 0
	d.Hit()
	poll()
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
		w.After(w.cfg.RetryDelay, "setup-retry", "", w.setup)
	}
	return true
}

// retry waits RetryDelay after a failed poll.
func (w *Worker) retry(d *dispatcher, poll func()) {
	w.stats.PollErrors++
	d.waiting = w.After(w.cfg.RetryDelay, "poll-retry", d.name, func() {
		d.waiting = 0
		poll()
	})
}

func (w *Worker) pollOrchestrations() {
	d := &w.orch
	if !w.ready || d.polling || d.waiting != 0 || d.busy >= d.max {
		return
	}
	d.polling = true
	w.stats.OrchestrationPolls++
	w.call(port.SQLLockNextOrchestration{Owner: w.cfg.WorkerID, Lock: w.cfg.LockTimeout, Batch: w.cfg.Batch}, "orchestration-locked", "", func(c port.Completion) {
		d.polling = false
		w.health(c.Err)
		if w.schemaGone(c.Err) {
			return
		}
		if c.Err != nil {
			w.retry(d, w.pollOrchestrations)
			return
		}
		wi, _ := c.Result.(port.SQLWorkItem)
		if !wi.Found {
			w.stats.EmptyOrchestrationPolls++
			w.idle(d, w.pollOrchestrations)
			return
		}
		d.signaled = true // the provider resets its back-off after a hit
		d.busy++
		w.orchestrationStep(wi)
		w.pollOrchestrations()
	})
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
	w.call(port.SQLLockNextTask{Owner: w.cfg.WorkerID, Lock: w.cfg.LockTimeout}, "task-locked", "", func(c port.Completion) {
		d.polling = false
		w.health(c.Err)
		if w.schemaGone(c.Err) {
			return
		}
		if c.Err != nil {
			w.retry(d, w.pollTasks)
			return
		}
		t, _ := c.Result.(port.SQLTask)
		if !t.Found {
			w.stats.EmptyActs++
			w.idle(d, w.pollTasks)
			return
		}
		d.signaled = true
		d.busy++
		w.runTask(t)
		w.pollTasks()
	})
}
