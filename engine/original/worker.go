package original

import (
	"errors"
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/backoff"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/replay"
)

// Stats count what a worker did in its current life (tests and metrics).
type Stats struct {
	Steps, EntitySteps, Activities   int
	ControlPolls, EmptyControlPolls  int
	WorkItemPolls, EmptyWorkPolls    int
	PutBacks, Dropped, Poison        int
	Discarded                        int
	Abandoned, Conflicts, NoopSteps  int
	LeasesAcquired, LeasesLost       int
	LeasesStolen                     int
	HistoryEventsReplayed, CacheHits int
	PeakSessions, PeakBuffered       int
	Wakes                            int // Wake calls taken (a client in the process enqueued)
}

// Worker is the original engine's per-node core: it owns control queues
// through blob leases, runs orchestration and entity steps for the
// instances on them, and runs activities from the shared work-item queue.
type Worker struct {
	hubIO
	cfg      Config
	reg      *durable.Registry
	rnd      backoff.Rand
	queues   []*controlQueue
	sessions map[string]*session
	active   int                // sessions stepping (at most MaxSessions)
	waiting  []*session         // sessions waiting for a slot, in arrival order
	buffered int                // dequeued control messages not yet deleted or put back
	cache    map[string]*cursor // extended sessions only
	// delivered maps an entity to the version of its row whose outbox
	// this worker has sent (entities.go).
	delivered map[string]string
	// rowTags maps a running orchestration to the ETag of the Instances
	// row this worker last wrote (orchestration.go).
	rowTags map[string]string
	acts    workItems
	started port.Time
	stats   Stats
}

var _ port.Core = (*Worker)(nil)

// NewWorker returns a worker core running the functions of reg.
func NewWorker(cfg Config, reg *durable.Registry) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, errors.New("original.NewWorker: registry is nil")
	}
	w := &Worker{hubIO: hubIO{Reactor: reactor.New[origStep](reactor.PerKind), n: newNames(cfg.Hub, cfg.ControlQueues)},
		cfg: cfg, reg: reg, rnd: backoff.NewRand(cfg.Seed ^ fnv64(cfg.WorkerID)),
		sessions: map[string]*session{}, cache: map[string]*cursor{}, delivered: map[string]string{}, rowTags: map[string]string{}}
	for i := 0; i < cfg.ControlQueues; i++ {
		w.queues = append(w.queues, &controlQueue{idx: i, name: w.n.control[i], lease: w.n.leases[i],
			back: newPollBackoff(cfg.PollMin, cfg.PollMax)})
	}
	w.acts.back = newPollBackoff(cfg.PollMin, cfg.PollMax)
	w.loseRow = cfg.Planted == PlantedLoseHistoryRow
	return w, nil
}

// Stats returns the worker's counters.
func (w *Worker) Stats() Stats { return w.stats }

// Owned lists the control queue indexes this worker holds leases on.
func (w *Worker) Owned() []int {
	var out []int
	for _, q := range w.queues {
		if q.owned {
			out = append(out, q.idx)
		}
	}
	return out
}

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
		if wk, ok := v.Req.(Wake); ok {
			w.stats.Wakes++
			w.wake(wk.Queue)
			return
		}
		w.Respond(v.ID, nil, fmt.Errorf("original: worker %s takes no client calls; use the Client core", w.cfg.WorkerID))
	}
}

// Wake tells a worker (as a port.ClientCall's Req, which it does not
// answer) that a client in its process enqueued a message on Queue. In
// Durable Functions the orchestration client of a function (an HTTP
// trigger starting an orchestration) shares the host's
// AzureStorageOrchestrationService, and TaskHubQueue.AddMessageAsync
// resets the queue's polling back-off after each add, so the node's
// poller of that queue (a control queue it owns, or the work-item queue)
// polls at once instead of sleeping out its back-off, exactly as after the
// worker's own enqueues (wake). A queue the worker does not own is left
// alone: its owner, elsewhere, finds the message at its next poll.
type Wake struct{ Queue string }

// setup creates the hub's queues, tables and lease blobs (existing ones
// are fine), then starts lease balancing and the work-item poller.
func (w *Worker) setup() {
	var ops []port.Op
	for _, q := range w.n.control {
		ops = append(ops, port.QueueCreate{Queue: q})
	}
	ops = append(ops, port.QueueCreate{Queue: w.n.workItems},
		port.TableCreate{Table: w.n.history}, port.TableCreate{Table: w.n.instances})
	for _, l := range w.n.leases {
		ops = append(ops, port.BlobPut{Name: l, Cond: port.Cond{IfNoneMatch: "*"}})
	}
	w.all(ops, hubCreated{})
}

// hubCreated: the hub's queues, tables and lease blobs exist (or not:
// again after RetryDelay): balance leases and poll for work items.
type hubCreated struct{}

func (hubCreated) Then() reactor.Then { return reactor.Then{Step: "hub-created"} }

func (hubCreated) workerStep(w *Worker, o reactor.Outcome) {
	for _, c := range o.Completions {
		if c.Err != nil && !errors.Is(c.Err, port.ErrConflict) && !errors.Is(c.Err, port.ErrLeaseHeld) {
			w.After(w.cfg.RetryDelay, setupRetry{})
			return
		}
	}
	w.balance()
	w.pollWorkItems()
}

// setupRetry: RetryDelay has passed since the hub could not be created.
type setupRetry struct{}

func (setupRetry) Then() reactor.Then { return reactor.Then{Step: "setup-retry"} }

func (setupRetry) workerStep(w *Worker, _ reactor.Outcome) { w.setup() }

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// cursor is an instance's cached executor and history (extended sessions).
type cursor struct {
	x    *replay.Executor
	hist history
}

// dropCursors drops the cached cursors of control queue q's instances: a
// worker that takes a queue (again) may not know what other workers did
// with them meanwhile, and a stale history makes their new messages look
// early forever.
func (w *Worker) dropCursors(q int) {
	var stale []string
	for inst := range w.cache {
		if w.n.controlFor(inst) == q {
			stale = append(stale, inst)
		}
	}
	sort.Strings(stale)
	for _, inst := range stale {
		w.dropCursor(inst)
	}
}

func (w *Worker) dropCursor(instance string) {
	if c := w.cache[instance]; c != nil {
		c.x.Close()
		delete(w.cache, instance)
	}
}
