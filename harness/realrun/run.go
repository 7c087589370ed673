package realrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/workloads"
	"github.com/dflab/dflab/workloads/workload"
)

// Polling of done-entities (WordCount): first gap and cap.
const (
	pollFirst = 20 * time.Millisecond
	pollMax   = time.Second
)

// DefaultConnectionEnv is the environment variable holding the Azure
// Storage connection string when spec.backend.connectionEnv is empty.
const DefaultConnectionEnv = "DFLAB_AZURE_CONNECTION"

// Options are what a caller may change about a real run.
type Options struct {
	// Progress, if set, is told the number of instances done so far.
	Progress func(int64)
	// Systems and Workloads are the registries the run finds its engine
	// and workload in (nil: the built-in ones).
	Systems   *systems.Registry
	Workloads *workloads.Registry
	// Warn, if set, receives the engine's notable events (dflab.Options.Logf:
	// a torn tail cut, a partition restarting or failed...), one line each,
	// from any goroutine.
	Warn func(line string)
	// Cluster, if set, makes the run a cluster's load process: it starts
	// the engine's client only, on the storage and transport the worker
	// processes share (dflab load); spec.backend is then not used.
	Cluster *Cluster
}

// Cluster is the shared storage of a cluster of worker processes.
type Cluster struct {
	ConnectionString, Namespace, NATSURL string
	NATSReplicas                         int
	// Nodes are the worker names by node (node0 is Nodes[0]...), for a
	// fault plan's crash and restart lines.
	Nodes []string
	// Control sends one command ("crash w2", "restart w2") to the
	// cluster's supervisor and returns its reply (nil: the plan may have
	// no crash or restart lines).
	Control func(cmd string) (string, error)
	// Forward, if set, is called at the run's start with the plan's text
	// ("" without a plan), the start (the plan's time origin) and the
	// seed, to have the workers apply its storage lines.
	Forward func(planText string, origin time.Time, seed uint64) error
}

// Run runs one repetition of a resolved spec on its real backend with
// seed and returns its metrics (wall clock). progress, if set, is told the
// number of instances done so far.
func Run(ctx context.Context, s spec.Spec, seed uint64, progress func(int64)) (metrics.Set, error) {
	return RunWith(ctx, s, seed, Options{Progress: progress})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, s spec.Spec, seed uint64, ro Options) (metrics.Set, error) {
	p, err := prepare(s, seed, ro)
	if err != nil {
		return metrics.Set{}, err
	}
	w, arrivals, sys := p.w, p.arrivals, p.sys
	opts, cleanup, err := options(s, sys, seed)
	if ro.Cluster != nil {
		opts, cleanup, err = clusterOptions(s, sys, *ro.Cluster)
	}
	if err != nil {
		return metrics.Set{}, err
	}
	defer cleanup()
	var f *faults
	if p.plan != nil {
		if f, err = newFaults(p.plan, seed); err != nil {
			return metrics.Set{}, err
		}
		defer f.stop()
		if ro.Cluster == nil {
			// Outermost: a request the plan fails never reaches the meter.
			opts.Middleware = append(opts.Middleware, f.inj.Middleware)
		}
	}
	if ro.Warn != nil {
		opts.Logf = func(format string, args ...any) { ro.Warn(fmt.Sprintf(format, args...)) }
	}
	reg := durable.NewRegistry()
	if err := w.Register(reg); err != nil {
		return metrics.Set{}, fmt.Errorf("%s: register: %w", w.Name(), err)
	}
	e, err := dflab.Start(ctx, reg, opts)
	if err != nil {
		return metrics.Set{}, fmt.Errorf("spec.backend.kind = %q: %w", s.Backend.Kind, err)
	}
	defer e.Stop()
	r := &run{spec: s, w: w, e: e, arrivals: arrivals, progress: ro.Progress, cluster: ro.Cluster, faults: f, seed: seed}
	if f != nil {
		var target inject.Target = &clusterTarget{f: f, c: ro.Cluster}
		if ro.Cluster == nil {
			cores, _ := e.NodeCores(s.Cluster.Nodes)
			target = &coreTarget{f: f, cores: cores, crash: e.CrashCore, restart: e.RestartCore, move: e.MovePartition}
		}
		if err := f.schedule(target); err != nil {
			return metrics.Set{}, fmt.Errorf("spec.faults: %w", err)
		}
	}
	return r.execute(ctx)
}

// prepared is what a real run needs before it starts the engine.
type prepared struct {
	w        workload.Workload
	arrivals []workload.Arrival
	sys      *systems.System
	plan     *plan.Plan // spec.faults (nil: none)
}

// Check validates a resolved spec for the real runner exactly as a run
// does before it starts the engine (seed 1): backend, fault plan, workload
// and parameters, load, engine knobs, and whether the engine runs on the
// backend's storage. It touches no storage and reads no environment.
// dflab spec and dflab run both call it, through harness.Check.
func Check(s spec.Spec, ro Options) error {
	_, err := prepare(s, spec.DefaultSeed, ro)
	return err
}

func prepare(s spec.Spec, seed uint64, ro Options) (prepared, error) {
	if s.Backend.Kind == spec.BackendSim {
		return prepared{}, fmt.Errorf("spec.backend.kind = %q: the real runner runs %s, %s, %s",
			s.Backend.Kind, spec.BackendDisk, spec.BackendAzure, spec.BackendNATS)
	}
	wreg, sreg := ro.Workloads, ro.Systems
	if wreg == nil {
		wreg = workloads.Builtin()
	}
	if sreg == nil {
		sreg = builtin.Systems()
	}
	w, err := wreg.New(s.Workload.Name, s.Workload.Params)
	if err != nil {
		return prepared{}, fmt.Errorf("spec.workload: %w", err)
	}
	load, err := s.Load.Workload()
	if err != nil {
		return prepared{}, err
	}
	arrivals, err := workload.Generate(w, load, rng.New(seed).Fork("workload"))
	if err != nil {
		return prepared{}, fmt.Errorf("spec.load: %w", err)
	}
	if len(arrivals) == 0 {
		return prepared{}, fmt.Errorf("spec.load: no instance starts")
	}
	sys, err := sreg.Lookup(s.Engine.Name)
	if err != nil {
		return prepared{}, fmt.Errorf("spec.engine.name: %w", err)
	}
	dep, err := checkReal(s, sys, w)
	if err != nil {
		return prepared{}, err
	}
	_, crashable := dep.(systems.RealNodes)
	var movable func(int) bool
	if m, ok := dep.(systems.RealMoves); ok {
		movable = func(p int) bool { _, _, ok := m.MoveCall(p); return ok }
	}
	p, err := parsePlan(s.Faults, s.Cluster.Nodes, crashable, movable, ro.Cluster)
	if err != nil {
		return prepared{}, err
	}
	return prepared{w: w, arrivals: arrivals, sys: sys, plan: p}, nil
}

// checkReal builds (does not start) the system's real deployment on the
// backend's storage: a knob the real runner cannot honour, or a storage
// the system cannot run on (the original engine on disk), is an error.
func checkReal(s spec.Spec, sys *systems.System, w workload.Workload) (systems.RealDeployment, error) {
	if sys.Real == nil {
		return nil, fmt.Errorf("spec.engine.name = %q: the system runs on backend %s only", s.Engine.Name, spec.BackendSim)
	}
	knobs := s.Engine.Knobs
	if _, err := sys.Parse(knobs, systems.RunnerReal); err != nil {
		return nil, fmt.Errorf("spec.engine.%s: %w", s.Engine.Name, err)
	}
	reg := durable.NewRegistry()
	if err := w.Register(reg); err != nil {
		return nil, fmt.Errorf("%s: register: %w", w.Name(), err)
	}
	storage := map[string]string{spec.BackendDisk: "disk", spec.BackendNATS: "disk", spec.BackendAzure: "azure"}[s.Backend.Kind]
	dep, err := sys.Real(systems.RealConfig{Registry: reg, Hub: "dflab", Knobs: knobs, Workers: s.Cluster.Nodes, Storage: storage})
	if err != nil {
		return nil, fmt.Errorf("spec.backend.kind = %q: %w", s.Backend.Kind, err)
	}
	return dep, nil
}

// options maps a resolved spec to the facade's options: the system and
// its knob values (a knob the real runner cannot honour is an error);
// cleanup removes a temporary directory it made.
func options(s spec.Spec, sys *systems.System, seed uint64) (dflab.Options, func(), error) {
	o := dflab.Options{Engine: s.Engine.Name, System: sys, Hub: "dflab", Workers: s.Cluster.Nodes}
	cleanup := func() {}
	knobs := s.Engine.Knobs
	if _, err := sys.Parse(knobs, systems.RunnerReal); err != nil {
		return o, cleanup, fmt.Errorf("spec.engine.%s: %w", s.Engine.Name, err)
	}
	o.Knobs = knobs
	dir := func() error {
		if s.Backend.Dir != "" {
			// Every run is a new task hub: its own directory under
			// spec.backend.dir, which must not hold a run already (the
			// facade would reopen it as the same hub and mix the two).
			o.Dir = filepath.Join(s.Backend.Dir, "seed-"+strconv.FormatUint(seed, 10))
			if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
				return fmt.Errorf("spec.backend.dir: %s holds an earlier run of seed %d: a run starts a new task hub; remove it or give another spec.backend.dir", o.Dir, seed)
			}
			return nil
		}
		d, err := os.MkdirTemp("", "dflab-run-")
		if err != nil {
			return fmt.Errorf("spec.backend.dir: a temporary directory: %w", err)
		}
		o.Dir, cleanup = d, func() { os.RemoveAll(d) }
		return nil
	}
	switch s.Backend.Kind {
	case spec.BackendDisk:
		o.Storage = "disk"
		return o, cleanup, dir()
	case spec.BackendNATS:
		o.Storage, o.Transport, o.NATSURL = "disk", "nats", s.Backend.URL
		return o, cleanup, dir()
	case spec.BackendAzure:
		env := s.Backend.ConnectionEnv
		if env == "" {
			env = DefaultConnectionEnv
		}
		o.Storage, o.ConnectionString = "azure", os.Getenv(env)
		if o.ConnectionString == "" {
			return o, cleanup, fmt.Errorf("spec.backend.connectionEnv: environment variable %s is empty: set it to an Azure Storage (or Azurite) connection string", env)
		}
		// A fresh namespace per run keeps runs on one account apart; it is
		// deleted when the run ends unless spec.backend.keep.
		o.DropOnStop = !s.Backend.Keep
		o.Namespace = "r" + strconv.FormatUint(seed%1e6, 36) + strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
		// Azure Storage has no partitioned stream: a system's streams
		// (Netherite's: Event Hubs in the paper) go to an embedded NATS
		// JetStream under the directory.
		return o, cleanup, dir()
	}
	return o, cleanup, fmt.Errorf("spec.backend.kind = %q: allowed %s, %s, %s", s.Backend.Kind,
		spec.BackendDisk, spec.BackendAzure, spec.BackendNATS)
}

// clusterOptions are the facade's options of a cluster's load process.
func clusterOptions(s spec.Spec, sys *systems.System, c Cluster) (dflab.Options, func(), error) {
	o := dflab.Options{Engine: s.Engine.Name, System: sys, Hub: "dflab", ClientOnly: true,
		Storage: "azure", ConnectionString: c.ConnectionString, Namespace: c.Namespace,
		Transport: "nats", NATSURL: c.NATSURL, NATSReplicas: c.NATSReplicas}
	knobs := s.Engine.Knobs
	if _, err := sys.Parse(knobs, systems.RunnerReal); err != nil {
		return o, func() {}, fmt.Errorf("spec.engine.%s: %w", s.Engine.Name, err)
	}
	o.Knobs = knobs
	return o, func() {}, nil
}

// run is one real run in progress.
type run struct {
	spec     spec.Spec
	w        workload.Workload
	e        *dflab.Engine
	arrivals []workload.Arrival
	progress func(int64)
	cluster  *Cluster // the client of a cluster of worker processes (nil: one process)
	faults   *faults  // spec.faults under way (nil: none)
	seed     uint64

	mu       sync.Mutex
	start    map[int]time.Duration // instance → first arrival (since t0)
	done     map[int]time.Duration
	failed   map[int]string
	outcomes map[string]workload.Outcome
	finished atomic.Int64
}

func (r *run) execute(ctx context.Context) (metrics.Set, error) {
	r.start, r.done, r.failed = map[int]time.Duration{}, map[int]time.Duration{}, map[int]string{}
	r.outcomes = map[string]workload.Outcome{}
	byInstance := map[int][]workload.Arrival{}
	for _, a := range r.arrivals {
		byInstance[a.Instance] = append(byInstance[a.Instance], a)
	}
	last := r.arrivals[len(r.arrivals)-1].At
	limit := s2d(r.spec.Load.TimeLimit)
	ctx, cancel := context.WithTimeout(ctx, last+limit)
	defer cancel()
	t0 := time.Now()
	if r.faults != nil {
		r.faults.start(t0)
	}
	if r.cluster != nil && r.cluster.Forward != nil {
		// Always: a run without a plan clears the one before it.
		if err := r.cluster.Forward(r.spec.Faults, t0, r.seed); err != nil {
			return metrics.Set{}, fmt.Errorf("spec.faults: forwarding the plan to the workers: %w", err)
		}
	}
	var wg sync.WaitGroup
	for _, i := range workload.Instances(r.arrivals) {
		wg.Add(1)
		go func(i int, as []workload.Arrival) {
			defer wg.Done()
			r.instance(ctx, t0, i, as)
		}(i, byInstance[i])
	}
	wg.Wait()
	end := time.Since(t0)
	if r.faults != nil {
		r.faults.wait(ctx)
		r.faults.stop()
	}
	if err := ctx.Err(); err != nil && len(r.done)+len(r.failed) < len(byInstance) {
		return metrics.Set{}, fmt.Errorf("%s: %d of %d instances not done %v after the last arrival (spec.load.timeLimit): %w; stuck: %s%s",
			CheckCompletion, len(byInstance)-len(r.done)-len(r.failed), len(byInstance), limit, err, r.stuck(byInstance), r.faultNotes())
	}
	if v := r.e.Violations(); len(v) > 0 {
		return metrics.Set{}, fmt.Errorf("real driver: %d ordering violations, first: %v", len(v), v[0])
	}
	set, err := r.metrics(end)
	if err != nil {
		return metrics.Set{}, err
	}
	note, err := r.oracle(ctx)
	if err != nil {
		return metrics.Set{}, err
	}
	set.Notes = append(set.Notes, note)
	if r.faults != nil {
		recs, err := simrun.Recoveries(r.faults.plan, set.Timeline)
		if err != nil {
			return metrics.Set{}, err
		}
		set.Recovery = append(set.Recovery, recs...)
		set.Notes = append(set.Notes, r.faults.notes()...)
	}
	sort.Strings(set.Notes)
	return set, nil
}

// CheckCompletion names the completion checker in a run's error, as the
// simulator's (simrun.CheckCompletion).
const CheckCompletion = simrun.CheckCompletion

// faultNotes are the fault plan's notes for an error ("" without a plan).
func (r *run) faultNotes() string {
	if r.faults == nil {
		return ""
	}
	return "; " + strings.Join(r.faults.notes(), "; ")
}

// s2d is a spec duration, or the default time limit for a spec built in
// code without one.
func s2d(d spec.Duration) time.Duration {
	if d <= 0 {
		return spec.DefaultTimeLimit.D()
	}
	return d.D()
}

// stuck describes up to five instances still running after a time limit:
// the instance, its orchestration (or done-entity) and the engine's status.
func (r *run) stuck(byInstance map[int][]workload.Arrival) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var parts []string
	for _, i := range workload.Instances(r.arrivals) {
		r.mu.Lock()
		_, done := r.done[i]
		r.mu.Unlock()
		if done {
			continue
		}
		if len(parts) == 5 {
			parts = append(parts, "…")
			break
		}
		id := "?"
		if ec, ok := r.w.(workload.EntityCompletion); ok {
			e, _ := ec.DoneEntity(i)
			id = e.String()
		} else if ids := workload.StartIDs(byInstance[i]); len(ids) > 0 {
			id = ids[0]
		}
		st := "status unknown"
		if resp, err := r.e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStatus, Instance: id}); err != nil {
			st = "status request failed: " + err.Error()
		} else if !resp.Found {
			st = "unknown to the engine"
		} else {
			st = fmt.Sprintf("status %s, last updated %s", resp.Status.Status, resp.Status.Updated.UTC().Format(time.RFC3339Nano))
		}
		parts = append(parts, fmt.Sprintf("instance %d %s: %s", i, id, st))
	}
	return strings.Join(parts, " | ")
}

// instance sends instance i's requests at their arrival times and waits
// until it is done: its orchestrations finished, or its done-entity says so.
func (r *run) instance(ctx context.Context, t0 time.Time, i int, as []workload.Arrival) {
	fail := func(format string, args ...any) {
		r.mu.Lock()
		r.failed[i] = fmt.Sprintf(format, args...)
		r.mu.Unlock()
		r.tick()
	}
	for k, a := range as {
		if d := time.Until(t0.Add(a.At)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				fail("instance %d: %v", i, ctx.Err())
				return
			}
		}
		if k == 0 {
			r.mu.Lock()
			r.start[i] = time.Since(t0)
			r.mu.Unlock()
		}
		if _, err := r.e.Do(ctx, a.Req); err != nil {
			fail("instance %d: %s %s: %v", i, a.Req.Kind, a.Req.Instance, err)
			return
		}
	}
	if ec, ok := r.w.(workload.EntityCompletion); ok {
		r.waitEntity(ctx, t0, i, ec)
		return
	}
	for _, id := range workload.StartIDs(as) {
		resp, err := r.e.Do(ctx, durable.ClientRequest{Kind: durable.RequestWait, Instance: id})
		if err != nil {
			fail("instance %d: wait for %s: %v", i, id, err)
			return
		}
		r.mu.Lock()
		r.outcomes[id] = workload.Outcome{Status: resp.Status.Status, Output: resp.Status.Output, Failure: resp.Status.Failure}
		r.mu.Unlock()
		if resp.Status.Status != durable.StatusCompleted {
			fail("instance %d: %s ended %s: %s", i, id, resp.Status.Status, resp.Status.Failure)
			return
		}
	}
	r.finish(i, time.Since(t0))
}

// waitEntity polls instance i's done-entity with growing gaps.
func (r *run) waitEntity(ctx context.Context, t0 time.Time, i int, ec workload.EntityCompletion) {
	id, isDone := ec.DoneEntity(i)
	for gap := pollFirst; ; gap = min(gap*3/2, pollMax) {
		resp, err := r.e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStatus, Instance: id.String()})
		if err == nil && resp.Found {
			ok, cerr := isDone(resp.Status.Output)
			if cerr != nil {
				err = cerr
			} else if ok {
				r.finish(i, time.Since(t0))
				return
			}
		}
		if err != nil {
			r.mu.Lock()
			r.failed[i] = fmt.Sprintf("instance %d: status of %s: %v", i, id, err)
			r.mu.Unlock()
			r.tick()
			return
		}
		select {
		case <-time.After(gap):
		case <-ctx.Done():
			r.mu.Lock()
			r.failed[i] = fmt.Sprintf("instance %d: %s not done: %v", i, id, ctx.Err())
			r.mu.Unlock()
			r.tick()
			return
		}
	}
}

func (r *run) finish(i int, at time.Duration) {
	r.mu.Lock()
	r.done[i] = at
	r.mu.Unlock()
	r.tick()
}

func (r *run) tick() {
	n := r.finished.Add(1)
	if r.progress != nil {
		r.progress(n)
	}
}

// oracle reads the entities the workload's oracle needs and checks the run.
func (r *run) oracle(ctx context.Context) (string, error) {
	if len(r.failed) > 0 {
		keys := make([]int, 0, len(r.failed))
		for i := range r.failed {
			keys = append(keys, i)
		}
		sort.Ints(keys)
		return "", fmt.Errorf("%s: %d instances failed, first: %s%s", CheckCompletion, len(r.failed), r.failed[keys[0]], r.faultNotes())
	}
	entities := map[string][]byte{}
	if eo, ok := r.w.(workload.EntityOracle); ok {
		ids, err := eo.OracleEntities(r.arrivals)
		if err != nil {
			return "", fmt.Errorf("%s: oracle entities: %w", r.w.Name(), err)
		}
		for _, id := range ids {
			resp, err := r.e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStatus, Instance: id.String()})
			if err != nil {
				return "", fmt.Errorf("reading entity %s for the oracle: %w", id, err)
			}
			if resp.Found {
				entities[id.String()] = resp.Status.Output
			}
		}
	}
	run := workload.Run{Arrivals: r.arrivals, Orchestrations: r.outcomes, Entities: entities}
	if err := r.w.Check(run); err != nil {
		// Named by the kind of violation, as the simulator's checkers
		// (duplicate-effect, lost-effect, conservation, wrong-output...).
		return "", fmt.Errorf("%s: oracle: %w%s", workload.KindOf(err), err, r.faultNotes())
	}
	return fmt.Sprintf("oracle passed (%d orchestrations, %d entity states read)", len(r.outcomes), len(entities)), nil
}

// metrics turns what the run observed into a metrics set on the wall clock.
func (r *run) metrics(end time.Duration) (metrics.Set, error) {
	rec, err := metrics.NewRecorder(metrics.Wall, time.Second)
	if err != nil {
		return metrics.Set{}, err
	}
	for _, i := range workload.Instances(r.arrivals) {
		if at, ok := r.done[i]; ok {
			rec.Complete(r.start[i], at)
		} else {
			rec.Fail()
		}
	}
	u := r.w.Units()
	set, err := rec.Set(u.Name, u.PerInstance)
	if err != nil {
		return metrics.Set{}, err
	}
	snap := r.e.Traffic()
	set.Storage = metrics.TrafficOf(snap)
	notes := []string{
		"prices: list prices as recorded in backends/meter, not a bill",
		fmt.Sprintf("real run in one process on this machine (GOMAXPROCS %d): cluster %d×%d recorded, not enforced",
			runtime.GOMAXPROCS(0), r.spec.Cluster.Nodes, r.spec.Cluster.Cores),
	}
	if r.cluster != nil {
		notes[1] = "load process of a cluster of worker processes: the cluster's shape is measured (notes \"cluster shape at\"); storage traffic is the load's client's only"
	}
	if r.spec.Backend.Kind == spec.BackendAzure {
		notes = append(notes, "azure: latencies are those of the account the connection string names (Azurite is an emulator, not Azure)")
	}
	tuHours := 0.0
	if r.e.StreamPartitions() > 0 {
		tuHours = end.Hours()
		notes = append(notes, "cost: one Event Hubs throughput unit over the run's wall time")
	}
	cost, err := metrics.CostOf(meter.AzureListPrices2024, snap, tuHours, set.WorkUnits)
	if err != nil {
		return metrics.Set{}, err
	}
	set.Cost = &cost
	set.Notes = notes
	return set, nil
}
