package cli

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/cluster"
	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/realrun"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
	osys "github.com/dflab/dflab/systems/original"
	"github.com/dflab/dflab/workloads"
)

// sharedFlags are the flags naming a cluster's shared storage.
type sharedFlags struct {
	connEnv, namespace, nats string
	replicas                 int
	conn                     string // from a local cluster's state (fill)
}

func (f *sharedFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.replicas, "nats-replicas", 1, "servers of the NATS cluster keeping each stream (R)")
	fs.StringVar(&f.connEnv, "connection-env", realrun.DefaultConnectionEnv, "environment variable holding the Azure Storage (Azurite) connection string")
	fs.StringVar(&f.namespace, "namespace", "", "namespace isolating the cluster's objects in the account (3..24 of [a-z0-9])")
	fs.StringVar(&f.nats, "nats", "", "NATS server URLs with JetStream, comma-separated")
}

func (f *sharedFlags) shared() (cluster.Shared, error) {
	conn := os.Getenv(f.connEnv)
	if conn == "" {
		conn = f.conn
	}
	if conn == "" {
		return cluster.Shared{}, fmt.Errorf("--connection-env: environment variable %s is empty: set it to an Azure Storage (or Azurite) connection string", f.connEnv)
	}
	return cluster.Shared{ConnectionString: conn, Namespace: f.namespace, NATSURL: f.nats, NATSReplicas: f.replicas}, nil
}

func cmdWorker(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "worker", "--name NAME [--engine netherite] [--workload W] --nats URLS [flags]", `
Runs one node of an engine against a cluster's shared storage (Azure
Storage or Azurite; NATS JetStream transport) until SIGTERM or an
interrupt, then stops its partitions gracefully and releases its lease.
Partitions are spread over the live workers by the engine's placement.`)
	var sf sharedFlags
	sf.register(fs)
	name := fs.String("name", "", "worker name (its lease owner): 1..40 of [A-Za-z0-9_-]")
	cores := fs.Int("cores", 1, "cores: activities running at once per partition, and GOMAXPROCS")
	engine := fs.String("engine", "netherite", "engine: netherite | original")
	nodes := fs.Int("nodes", 1, "the cluster's worker count (the original engine's fair share of control queues; Netherite counts the live workers)")
	var workloadNames multiFlag
	fs.Var(&workloadNames, "workload", "workload whose functions the worker runs (repeatable; default hello5): "+strings.Join(spec.Workloads, " | "))
	var knobs multiFlag
	fs.Var(&knobs, "knob", "engine knob NAME=VALUE (repeatable), e.g. --knob partitions=6 --knob leaseDuration=15s")
	tick := fs.Duration("tick", 0, "how often the worker renews its lease and rebalances (0: a fifth of the lease)")
	if err := parse(fs, args); err != nil {
		return err
	}
	shared, err := sf.shared()
	if err != nil {
		return err
	}
	values, err := knobValues(knobs)
	if err != nil {
		return err
	}
	if len(workloadNames) == 0 {
		workloadNames = multiFlag{"hello5"}
	}
	reg, err := workloadRegistry(workloadNames)
	if err != nil {
		return err
	}
	if *cores > 0 {
		runtime.GOMAXPROCS(*cores)
	}
	logger := log.New(e.stderr, "", log.LstdFlags|log.Lmicroseconds)
	return cluster.RunWorker(ctx, cluster.WorkerConfig{Name: *name, Cores: *cores, Engine: *engine, Nodes: *nodes, Knobs: values,
		Shared: shared, Registry: reg, Tick: *tick, Logf: logger.Printf})
}

func knobValues(kv []string) (systems.Values, error) {
	v := systems.Values{}
	for _, s := range kv {
		k, x, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--knob %q: allowed NAME=VALUE", s)
		}
		v[k] = x
	}
	return v, nil
}

// workloadRegistry registers the functions of the named workloads (with
// their default parameters) in one registry.
func workloadRegistry(names []string) (*durable.Registry, error) {
	reg := durable.NewRegistry()
	for _, name := range names {
		w, err := workloads.New(name, nil)
		if err != nil {
			return nil, fmt.Errorf("--workload: %w", err)
		}
		if err := w.Register(reg); err != nil {
			return nil, fmt.Errorf("--workload %s: register: %w", name, err)
		}
	}
	return reg, nil
}

func cmdLoad(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "load", "[--spec FILE] [flags] --nats URLS --out FILE", `
Runs a spec's repetitions as a cluster's load process: starts the
workload's instances from the engine's client only, against the storage
the worker processes share, waits for them and appends one JSONL row per
run to --out. The row's notes carry the cluster's shape (which worker
hosted which partitions) each time it changed during the run.

With --faults, the plan's storage lines are applied inside the workers
(the load writes the plan and its start to a blob they poll) and its
crash and restart lines of nodeK go to the supervisor of --cluster DIR
(cluster up), which SIGKILLs and restarts the K+1-th worker; the row
notes each fault's time and what it did, and the recovery times.`)
	var sf specFlags
	sf.register(fs)
	var shf sharedFlags
	shf.register(fs)
	out := fs.String("out", "results.jsonl", "JSONL results file to append to")
	sample := fs.Duration("sample", 250*time.Millisecond, "how often the cluster's shape is read")
	dir := fs.String("cluster", "", "directory of a local cluster (cluster up --dir): its supervisor carries out the plan's crash and restart lines; its state fills in --namespace, --nats and the connection string when not given")
	if err := parse(fs, args); err != nil {
		return err
	}
	if sf.backend == "" {
		sf.backend = spec.BackendAzure
	}
	s, err := sf.build(e.catalog)
	if err != nil {
		return err
	}
	var ctl *supervised
	if *dir != "" {
		st, err := cluster.ReadState(*dir)
		if err != nil {
			return fmt.Errorf("--cluster: %w", err)
		}
		ctl = &supervised{dir: *dir}
		for _, w := range st.Workers {
			ctl.nodes = append(ctl.nodes, w.Name)
		}
		shf.fill(st)
	}
	shared, err := shf.shared()
	if err != nil {
		return err
	}
	if *sample <= 0 {
		return fmt.Errorf("--sample = %v: allowed > 0", *sample)
	}
	return loadRows(ctx, e, s, shared, ctl, *sample, *out)
}

// supervised is the supervisor of a local cluster a load drives faults
// through: its directory and its workers by node.
type supervised struct {
	dir   string
	nodes []string
}

// fill takes the namespace, NATS URLs and connection string of a local
// cluster's state where the flags left them empty.
func (f *sharedFlags) fill(st cluster.State) {
	if f.namespace == "" {
		f.namespace = st.Namespace
	}
	if f.nats == "" {
		f.nats, f.replicas = st.NATSURLs, st.NATSReplicas
	}
	if os.Getenv(f.connEnv) == "" {
		f.conn = st.ConnectionString
	}
}

// loadRows runs s's repetitions from the client against the cluster's
// shared storage and appends their rows to out.
func loadRows(ctx context.Context, e *env, s spec.Spec, shared cluster.Shared, ctl *supervised, sample time.Duration, out string) error {
	reg := harness.NewRegistryIn(e.catalog)
	run := harness.RunnerFunc(func(ctx context.Context, req harness.Request) (metrics.Set, error) {
		return loadRun(ctx, req, e.catalog, shared, ctl, sample)
	})
	if err := reg.Register(s.Engine.Name, run); err != nil {
		return err
	}
	f, err := openResults(out, true)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := harness.Execute(ctx, reg, s, harness.Options{Revision: results.BuildRevision(), Out: results.NewWriter(f)})
	for _, r := range rows {
		if r.Error != "" {
			return fmt.Errorf("run %s failed: %s (recorded in %s)", r.RunID, r.Error, out)
		}
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// recoveryWait bounds how long a load samples the cluster after its run
// for the partitions of a killed worker to run again (the run can end
// first: its last instances may not be on those partitions).
const recoveryWait = 2 * time.Minute

// loadRun runs one repetition from the client and records the shape.
func loadRun(ctx context.Context, req harness.Request, c spec.Catalog, sh cluster.Shared, ctl *supervised, sample time.Duration) (metrics.Set, error) {
	read, err := shapeReader(req.Spec)
	if err != nil {
		return metrics.Set{}, err
	}
	az, err := azure.Open(ctx, sh.ConnectionString, azure.Options{Namespace: sh.Namespace})
	if err != nil {
		return metrics.Set{}, err
	}
	rc := &realrun.Cluster{ConnectionString: sh.ConnectionString, Namespace: sh.Namespace, NATSURL: sh.NATSURL, NATSReplicas: sh.NATSReplicas,
		Forward: func(text string, origin time.Time, seed uint64) error {
			return cluster.WriteFaults(ctx, az, "dflab", cluster.Faults{Plan: text, Origin: origin.UnixNano(), Seed: seed})
		}}
	sampler, err := cluster.StartSampler(ctx, sh, read, sample)
	if err != nil {
		return metrics.Set{}, err
	}
	var (
		mu    sync.Mutex
		kills []cluster.Kill
	)
	if ctl != nil {
		rc.Nodes = ctl.nodes
		rc.Control = func(cmd string) (string, error) {
			at := time.Now()
			reply, err := cluster.Control(ctl.dir, cmd)
			if worker, ok := strings.CutPrefix(cmd, "crash "); ok && err == nil {
				mu.Lock()
				kills = append(kills, cluster.Kill{Worker: worker, AtMs: sampler.AtMs(at)})
				mu.Unlock()
			}
			return reply, err
		}
	}
	set, err := realrun.RunWith(ctx, req.Spec, req.Seed, realrun.Options{Warn: req.Warn, Systems: c.Systems, Workloads: c.Workloads, Cluster: rc})
	mu.Lock()
	killed := slices.Clone(kills)
	mu.Unlock()
	sampler.WaitRecovered(ctx, killed, recoveryWait)
	samples := sampler.Stop()
	var recs []metrics.Recovery
	set.Cluster, recs = cluster.Measured(samples, killed)
	set.Recovery = append(set.Recovery, recs...)
	for _, smp := range samples {
		set.Notes = append(set.Notes, fmt.Sprintf("cluster shape at %dms: %s", smp.AtMs, smp.Shape))
	}
	return set, err
}

// shapeReader reads the shape of the spec's engine: Netherite's worker
// blobs, the original engine's control-queue lease blobs.
func shapeReader(s spec.Spec) (cluster.ShapeReader, error) {
	if s.Engine.Name != "original" {
		return func(ctx context.Context, b port.Blob) (cluster.Shape, error) {
			return cluster.ReadShape(ctx, b, "dflab")
		}, nil
	}
	set, err := osys.System.Parse(s.Engine.Knobs, systems.RunnerReal)
	if err != nil {
		return nil, fmt.Errorf("spec.engine.original: %w", err)
	}
	queues := int(set.Int(osys.KnobControlQueues))
	return func(ctx context.Context, b port.Blob) (cluster.Shape, error) {
		return cluster.ReadQueueOwners(ctx, b, "dflab", queues)
	}, nil
}
