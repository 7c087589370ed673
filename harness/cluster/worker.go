package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
	nsys "github.com/dflab/dflab/systems/netherite"
)

// WorkerConfig configures a worker process's node.
type WorkerConfig struct {
	// Name names the worker (its lease owner name): 1..40 of [A-Za-z0-9_-].
	Name string
	// Cores is the worker's core count: activities running at once per
	// partition (default 1).
	Cores int
	// Engine is the engine the worker hosts a node of: "netherite" or
	// "original".
	Engine string
	// Nodes is the cluster's worker count the original engine's fair share
	// of control queues is computed from (0: 1); Netherite's placement
	// counts the live workers instead.
	Nodes int
	// Hub names the task hub (default "dflab").
	Hub string
	// Knobs are the engine's knob values (missing: the default).
	Knobs systems.Values
	// Shared is the cluster's storage.
	Shared Shared
	// Registry holds the functions the worker runs.
	Registry *durable.Registry
	// Tick is how often the worker renews its lease and rebalances
	// (default: a fifth of the lease duration).
	Tick time.Duration
	// Logf receives notable events (nil: dropped).
	Logf func(format string, args ...any)
}

// Report is what a worker writes into its worker blob.
type Report struct {
	Worker string `json:"worker"`
	Cores  int    `json:"cores"`
	// Partitions are the partitions the worker hosts (a hosted partition
	// may still wait for its lease).
	Partitions []int `json:"partitions"`
	// Running are those of Partitions whose core holds the lease, has
	// recovered from storage and processes (its last health report was
	// ok). Nil in a report that does not know (the original engine's
	// control queues run as soon as their lease is taken).
	Running []int `json:"running"`
	// Life is when this life of the worker process started (Unix ns): a
	// report a killed worker left behind keeps its old life, a restart
	// under the same name writes a new one.
	Life int64 `json:"life"`
}

func (c *WorkerConfig) check() error {
	if c.Engine == "" {
		c.Engine = "netherite"
	}
	if c.Engine != "netherite" && c.Engine != "original" {
		return fmt.Errorf("worker --engine = %q: allowed netherite, original", c.Engine)
	}
	if c.Nodes == 0 {
		c.Nodes = 1
	}
	if c.Nodes < 0 || c.Nodes > 1024 {
		return fmt.Errorf("worker --nodes = %d: allowed 1..1024", c.Nodes)
	}
	if c.Hub == "" {
		c.Hub = "dflab"
	}
	if c.Cores == 0 {
		c.Cores = 1
	}
	if c.Cores < 0 || c.Cores > 256 {
		return fmt.Errorf("worker --cores = %d: allowed 1..256", c.Cores)
	}
	if !validWorkerName(c.Name) {
		return fmt.Errorf("worker --name = %q: allowed 1..40 of [A-Za-z0-9_-]", c.Name)
	}
	if c.Registry == nil {
		return errors.New("worker: registry is nil")
	}
	if c.Tick < 0 {
		return fmt.Errorf("worker tick = %v: allowed > 0 (0: a fifth of the lease)", c.Tick)
	}
	return c.Shared.check(c.Engine == "netherite")
}

func validWorkerName(s string) bool {
	if len(s) < 1 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// worker is a running worker.
type worker struct {
	c      WorkerConfig
	cfg    *netherite.Config
	stores *port.Stores
	lease  port.Time
	blob   string
	held   bool
	hosted map[int]*hosted
	faults *planInjector // the engine's requests go through it
	health chan struct{} // a hosted partition's running state changed
	life   int64         // Report.Life
}

// hosted is one partition core on its own driver.
type hosted struct {
	d    *host.Driver
	core host.CoreID
	resp chan port.Response
	ok   atomic.Bool // the core's last health report was ok
}

// RunWorker runs a worker until ctx ends, then stops its partitions
// gracefully, releases its lease and deletes its worker blob.
func RunWorker(ctx context.Context, c WorkerConfig) error {
	if err := c.check(); err != nil {
		return err
	}
	if c.Engine == "original" {
		return runOriginal(ctx, c)
	}
	cfg, err := nsys.RealCoreConfig(systems.RealConfig{Registry: c.Registry, Hub: c.Hub, Knobs: c.Knobs, Storage: "azure", Logf: c.Logf})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	stores, closeFn, err := c.Shared.open(ctx, c.Hub, cfg.StreamPartitions())
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer closeFn()
	w := &worker{c: c, cfg: cfg, stores: stores, lease: cfg.Knobs.LeaseDuration,
		blob: netherite.WorkerBlob(c.Hub, c.Name), hosted: map[int]*hosted{}, health: make(chan struct{}, 1), life: time.Now().UnixNano()}
	w.faults = &planInjector{name: c.Name, logf: w.logf}
	go w.faults.poll(ctx, stores.Blob, c.Hub)
	defer w.faults.report()
	if w.c.Tick == 0 {
		w.c.Tick = time.Duration(w.lease / 5)
	}
	w.logf("worker %s: up (partitions %d, lease %v, tick %v)", c.Name, cfg.Partitions, time.Duration(w.lease), w.c.Tick)
	t := time.NewTicker(w.c.Tick)
	defer t.Stop()
	for {
		if err := w.tick(ctx); err != nil && ctx.Err() == nil {
			w.logf("worker %s: tick: %v", c.Name, err)
		}
		select {
		case <-ctx.Done():
			return w.shutdown()
		case <-t.C:
		case <-w.health: // a partition started or stopped running: report it now, not a tick later
			if err := w.advertise(ctx); err != nil && ctx.Err() == nil {
				w.logf("worker %s: report: %v", c.Name, err)
			}
		}
	}
}

func (w *worker) logf(format string, args ...any) {
	if w.c.Logf != nil {
		w.c.Logf(format, args...)
	}
}

func (w *worker) leaseID() string { return "worker/" + w.c.Name }
func (w *worker) probeID() string { return "probe/" + w.c.Name }
func (w *worker) report() []byte {
	r := Report{Worker: w.c.Name, Cores: w.c.Cores, Partitions: []int{}, Running: []int{}, Life: w.life}
	for p, h := range w.hosted {
		r.Partitions = append(r.Partitions, p)
		if h.ok.Load() {
			r.Running = append(r.Running, p)
		}
	}
	slices.Sort(r.Partitions)
	slices.Sort(r.Running)
	b, _ := json.Marshal(r)
	return b
}

// tick renews the worker's own lease, finds the live workers and moves
// partitions to where the placement puts them.
func (w *worker) tick(ctx context.Context) error {
	if err := w.advertise(ctx); err != nil {
		return err
	}
	live, err := w.live(ctx)
	if err != nil {
		return err
	}
	owners, err := netherite.Placement(live, w.cfg.Partitions)
	if err != nil {
		return err
	}
	for p, owner := range owners {
		h := w.hosted[p]
		switch {
		case owner == w.c.Name && h == nil:
			if err := w.host(ctx, p); err != nil {
				return err
			}
		case owner != w.c.Name && h != nil:
			w.logf("worker %s: moving p%02d to %s", w.c.Name, p, owner)
			w.stop(p, h)
		}
	}
	return w.advertise(ctx)
}

// advertise holds the worker's lease (creating its blob if needed) and
// writes its report into the blob.
func (w *worker) advertise(ctx context.Context) error {
	if w.held {
		err := w.stores.Leases.RenewLease(ctx, w.blob, w.leaseID())
		if err == nil || !errors.Is(err, port.ErrLeaseLost) && !errors.Is(err, port.ErrNotFound) {
			return w.putReport(ctx, err)
		}
		// Expired and taken by a prober (who deleted the blob): start over.
		w.logf("worker %s: own lease lost: %v", w.c.Name, err)
		w.held = false
	}
	// Acquiring with the worker's own id also takes back the lease of its
	// previous life (a restart under the same name).
	err := w.stores.Leases.AcquireLease(ctx, w.blob, w.leaseID(), w.lease)
	if errors.Is(err, port.ErrNotFound) {
		if _, err := w.stores.Blob.PutBlob(ctx, w.blob, nil, port.Cond{IfNoneMatch: "*"}); err != nil && !errors.Is(err, port.ErrETagMismatch) {
			return fmt.Errorf("worker blob %s: %w", w.blob, err)
		}
		err = w.stores.Leases.AcquireLease(ctx, w.blob, w.leaseID(), w.lease)
	}
	if err != nil {
		return fmt.Errorf("worker lease %s: %w", w.blob, err)
	}
	w.held = true
	return w.putReport(ctx, nil)
}

func (w *worker) putReport(ctx context.Context, err error) error {
	if err != nil {
		return fmt.Errorf("worker lease %s: %w", w.blob, err)
	}
	if _, err := w.stores.Blob.PutBlob(ctx, w.blob, w.report(), port.Cond{LeaseID: w.leaseID()}); err != nil {
		return fmt.Errorf("worker blob %s: %w", w.blob, err)
	}
	return nil
}

// live lists the workers whose blob lease is held: a probe acquires an
// expired lease, and the prober deletes that dead worker's blob.
func (w *worker) live(ctx context.Context) ([]string, error) {
	names, err := listWorkers(ctx, w.stores.Blob, w.c.Hub)
	if err != nil {
		return nil, err
	}
	live := []string{w.c.Name}
	for _, name := range names {
		if name == w.c.Name {
			continue
		}
		blob := netherite.WorkerBlob(w.c.Hub, name)
		err := w.stores.Leases.AcquireLease(ctx, blob, w.probeID(), port.LeaseMin)
		switch {
		case errors.Is(err, port.ErrLeaseHeld):
			live = append(live, name)
		case errors.Is(err, port.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("probe %s: %w", blob, err)
		default:
			w.logf("worker %s: worker %s is gone (its lease expired)", w.c.Name, name)
			if err := w.stores.Blob.DeleteBlob(ctx, blob, port.Cond{LeaseID: w.probeID()}); err != nil && !errors.Is(err, port.ErrNotFound) {
				return nil, fmt.Errorf("delete %s: %w", blob, err)
			}
		}
	}
	return live, nil
}

// listWorkers lists the names of the worker blobs of hub.
func listWorkers(ctx context.Context, b port.Blob, hub string) ([]string, error) {
	prefix := netherite.WorkerPrefix(hub)
	var names []string
	marker := ""
	for {
		l, err := b.ListBlobs(ctx, prefix, marker, port.MaxListResults)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, p := range l.Blobs {
			names = append(names, strings.TrimPrefix(p.Name, prefix))
		}
		if marker = l.Next; marker == "" {
			return names, nil
		}
	}
}

// host starts partition p's core on a driver of its own.
func (w *worker) host(ctx context.Context, p int) error {
	part, err := netherite.NewPartition(w.cfg, p, w.c.Name)
	if err != nil {
		return err
	}
	h := &hosted{resp: make(chan port.Response, 4)}
	h.d, err = host.New(host.Config{Stores: w.stores, ActivityWorkers: w.c.Cores, Middleware: []port.Middleware{w.faults.Middleware},
		OnResponse: func(_ host.CoreID, r port.Response) {
			select {
			case h.resp <- r:
			default:
			}
		},
		OnHealth: func(_ host.CoreID, hl port.Health) {
			if h.ok.Swap(hl.State == port.HealthOK) != (hl.State == port.HealthOK) {
				select {
				case w.health <- struct{}{}:
				default:
				}
			}
		}})
	if err != nil {
		return err
	}
	h.core = h.d.AddCore(fmt.Sprintf("p%02d", p), func() port.Core { return part })
	h.d.Start(context.WithoutCancel(ctx))
	w.hosted[p] = h
	w.logf("worker %s: hosting p%02d", w.c.Name, p)
	return nil
}

// stop stops partition p gracefully (a core that does not own it yet
// answers at once) and waits at most a lease duration for it.
func (w *worker) stop(p int, h *hosted) {
	h.d.Call(h.core, port.ClientCall{ID: systems.ControlCalls, Req: netherite.Stop{}})
	select {
	case r := <-h.resp:
		w.logf("worker %s: p%02d stopped (%v)", w.c.Name, p, r.Err)
	case <-time.After(time.Duration(w.lease)):
		w.logf("worker %s: p%02d did not stop within the lease; its lease lapses", w.c.Name, p)
	}
	h.d.Stop()
	delete(w.hosted, p)
}

// shutdown stops every partition gracefully, at once, then gives up the
// worker's lease and blob.
func (w *worker) shutdown() error {
	w.logf("worker %s: shutting down", w.c.Name)
	var wg sync.WaitGroup
	for p, h := range w.hosted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.d.Call(h.core, port.ClientCall{ID: systems.ControlCalls, Req: netherite.Stop{}})
			select {
			case <-h.resp:
			case <-time.After(time.Duration(w.lease)):
			}
			h.d.Stop()
			w.logf("worker %s: p%02d stopped", w.c.Name, p)
		}()
	}
	wg.Wait()
	w.hosted = map[int]*hosted{}
	if !w.held {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.stores.Blob.DeleteBlob(ctx, w.blob, port.Cond{LeaseID: w.leaseID()}); err != nil {
		return fmt.Errorf("worker %s: delete worker blob: %w", w.c.Name, err)
	}
	w.logf("worker %s: down", w.c.Name)
	return nil
}
