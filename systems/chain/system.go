package chain

import (
	"context"
	"fmt"
	"slices"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/chain"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads/hello"
)

// Knob names.
const (
	KnobHost            = "host"
	KnobMinPollMs       = "queue.minPollMs"
	KnobMaxPoll         = "queue.maxPoll"
	KnobBatchSize       = "queue.batchSize"
	KnobNewBatch        = "queue.newBatchThreshold"
	KnobVisibility      = "queue.visibility"
	KnobMaxDequeueCount = "queue.maxDequeueCount"
	KnobScanInterval    = "blob.scanInterval"
	KnobScanBudget      = "blob.scanBudget"
	KnobEventDelay      = "lambda.eventDelay"
)

// Hub names the chains' storage in simulation.
const Hub = "hub"

// ChargeClass is the billing class of function executions.
const ChargeClass = "function-executions"

// DollarsPerExecution is the per-execution price of Azure Functions
// Consumption and of AWS Lambda requests ($0.20 per million; compute time
// is not billed here).
const DollarsPerExecution = 0.20 / 1e6

func queueKnobs() []systems.Knob {
	return []systems.Knob{
		{Name: KnobHost, Kind: systems.Enum, Default: chain.HostCurrent, Allowed: chain.HostVersions,
			Doc: "the Functions host whose documented queue-listener defaults apply: current (100 ms after a hit, ~200 ms after a miss) or 2020 (2 s, ~4 s)"},
		{Name: KnobMinPollMs, Kind: systems.Int, Default: "0", Min: 1, Max: 600000, Special: []int64{0},
			Doc: "ms after a poll that found messages, the back-off's base (0: the host's: 100 current, 2000 in 2020)"},
		{Name: KnobMaxPoll, Kind: systems.Duration, Default: "1m0s", Doc: "maxPollingInterval, the back-off's cap"},
		{Name: KnobBatchSize, Kind: systems.Int, Default: "16", Min: 1, Max: 32, Doc: "batchSize, messages per poll"},
		{Name: KnobNewBatch, Kind: systems.Int, Default: "-1", Min: 0, Max: 1024, Special: []int64{-1},
			Doc: "newBatchThreshold (-1: the host's: cores·batchSize/2 current, batchSize/2 in 2020)"},
		{Name: KnobVisibility, Kind: systems.Duration, Default: "10m0s",
			Doc: "how long a dequeued message stays hidden: a crashed host's message reappears after it (1s..7d)"},
		{Name: KnobMaxDequeueCount, Kind: systems.Int, Default: "5", Min: 1, Max: 1000,
			Doc: "maxDequeueCount: a message that failed this often goes to the poison queue"},
	}
}

// QueueChain is the queue-triggered chain's descriptor.
var QueueChain = &systems.System{
	Name:      "queuechain",
	Summary:   "queue-triggered functions chained by messages (Azure Functions queue trigger; Sequence only)",
	Knobs:     queueKnobs(),
	Workloads: []string{"sequence"},
	Faults:    systems.Faults{Ops: []string{"queue-*", "queue-dequeue", "queue-enqueue", "queue-delete", "blob-*", "*"}},
	Draw: func(r *rng.Source) systems.Values {
		return systems.Values{KnobVisibility: []string{"2s", "10s", "30s"}[r.Intn(3)], KnobBatchSize: fmt.Sprint(1 + r.Intn(16)),
			KnobHost: chain.HostVersions[r.Intn(2)]}
	},
	Planted: chain.PlantedBugs,
}

// BlobChain is the blob-triggered chain's descriptor.
var BlobChain = &systems.System{
	Name:    "blobchain",
	Summary: "blob-triggered functions chained by blobs (Azure Functions blob trigger, polling; Sequence only)",
	Knobs: append(queueKnobs(),
		systems.Knob{Name: KnobScanInterval, Kind: systems.Duration, Default: "10s", Doc: "container scan interval"},
		systems.Knob{Name: KnobScanBudget, Kind: systems.Int, Default: "10000", Min: 1, Max: 1 << 30, Doc: "blobs listed per scan at most"}),
	Workloads: []string{"sequence"},
	Faults:    systems.Faults{Ops: []string{"queue-*", "blob-*", "blob-put", "blob-list", "*"}},
}

// LambdaChain is the S3-event-triggered chain's descriptor (simulated).
var LambdaChain = &systems.System{
	Name:    "lambdachain",
	Summary: "Lambda functions chained by S3 objects, asynchronous event delivery (a simulated model; Sequence only)",
	Knobs: []systems.Knob{{Name: KnobEventDelay, Kind: systems.Duration, Default: "1s",
		Doc: "S3 event notification plus asynchronous invocation delay (AWS: \"typically delivered in seconds\"; an assumption, not fitted)"}},
	Workloads: []string{"sequence"},
	Faults:    systems.Faults{Ops: []string{"queue-*", "blob-*", "*"}},
}

func init() {
	QueueChain.Sim, QueueChain.Real = simFor(QueueChain, chain.TriggerQueue), realFor(QueueChain, chain.TriggerQueue)
	BlobChain.Sim, BlobChain.Real = simFor(BlobChain, chain.TriggerBlob), realFor(BlobChain, chain.TriggerBlob)
	LambdaChain.Sim = simFor(LambdaChain, chain.TriggerLambda)
}

// configOf is a host's configuration on nodes of cores cores.
func configOf(sys *systems.System, trigger string, v systems.Values, runner, hub string, cores int) (chain.Config, error) {
	set, err := sys.Parse(v, runner)
	if err != nil {
		return chain.Config{}, err
	}
	cfg := chain.Defaults(hub, trigger, map[string]string{hello.SequenceOrchestrator: hello.SequenceStepActivity}, cores)
	if set.Has(KnobHost) {
		cfg.Queue = chain.ListenerDefaults(set.Enum(KnobHost), cores)
		if ms := set.Int(KnobMinPollMs); ms > 0 {
			cfg.Queue.MinPoll = port.Time(ms) * port.Millisecond
		}
		cfg.Queue.MaxPoll = set.Duration(KnobMaxPoll)
		cfg.Queue.BatchSize = int(set.Int(KnobBatchSize))
		cfg.Queue.NewBatchThreshold = cfg.Queue.NewBatchThreshold * cfg.Queue.BatchSize / 16
		if n := set.Int(KnobNewBatch); n >= 0 {
			cfg.Queue.NewBatchThreshold = int(n)
		}
		cfg.Queue.Visibility = set.Duration(KnobVisibility)
		cfg.Queue.MaxDequeueCount = int(set.Int(KnobMaxDequeueCount))
	}
	if set.Has(KnobScanInterval) {
		cfg.ScanInterval, cfg.ScanBudget = set.Duration(KnobScanInterval), int(set.Int(KnobScanBudget))
	}
	if set.Has(KnobEventDelay) {
		cfg.EventDelay = set.Duration(KnobEventDelay)
	}
	return cfg, cfg.Validate()
}

// Sim deploys a function host on every node and the frontend on a client
// node of its own.
type Sim struct {
	sys     *systems.System
	trigger string
	knobs   systems.Values
	seed    uint64
	planted string
	logf    func(string, ...any)
	nodes   []sim.NodeID
	hosts   []*chain.Host // every life of every host
}

func simFor(sys *systems.System, trigger string) func(systems.SimConfig) (systems.Deployment, error) {
	return func(c systems.SimConfig) (systems.Deployment, error) {
		if _, err := configOf(sys, trigger, c.Knobs, systems.RunnerSim, Hub, 1); err != nil {
			return nil, err
		}
		if c.Planted != "" && !slices.Contains(sys.Planted, c.Planted) {
			return nil, fmt.Errorf("%s: planted bug %q: allowed %v", sys.Name, c.Planted, sys.Planted)
		}
		return &Sim{sys: sys, trigger: trigger, knobs: c.Knobs, seed: c.Seed, planted: c.Planted, logf: c.Logf}, nil
	}
}

// Name implements systems.Deployment.
func (e *Sim) Name() string { return e.sys.Name }

// StreamPartitions implements systems.Deployment: no stream.
func (e *Sim) StreamPartitions() int { return 0 }

// Deploy implements systems.Deployment.
func (e *Sim) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	if len(nodes) == 0 {
		return 0, fmt.Errorf("%s: no node to deploy on", e.sys.Name)
	}
	e.nodes, e.hosts = append([]sim.NodeID(nil), nodes...), nil
	for i, n := range nodes {
		cfg, err := configOf(e.sys, e.trigger, e.knobs, systems.RunnerSim, Hub, d.NodeCPU(n).Cores())
		if err != nil {
			return 0, err
		}
		cfg.Node, cfg.Seed, cfg.Planted, cfg.Logf = d.NodeName(n), e.seed*1_000_003+uint64(i), e.planted, e.logf
		if _, err := chain.NewHost(cfg, reg); err != nil {
			return 0, err
		}
		lives := 0
		d.AddCore(n, "host", func() port.Core {
			c := cfg
			c.Seed += uint64(lives) << 32 // a restarted host draws new jitter
			lives++
			h, _ := chain.NewHost(c, reg)
			e.hosts = append(e.hosts, h)
			return h
		})
	}
	fcfg, err := configOf(e.sys, e.trigger, e.knobs, systems.RunnerSim, Hub, 1)
	if err != nil {
		return 0, err
	}
	fcfg.Node = "frontend"
	if _, err := chain.NewFrontend(fcfg); err != nil {
		return 0, err
	}
	return d.AddCore(d.AddNode("client", 1), "frontend", func() port.Core {
		f, _ := chain.NewFrontend(fcfg)
		return f
	}), nil
}

// SimTarget implements systems.FaultGlue: crash and restart by node name.
func (e *Sim) SimTarget(d *sim.Driver, _ *mem.Store, _ *rng.Source) *inject.SimTarget {
	return &inject.SimTarget{Driver: d, Nodes: systems.NodeNames(d, e.nodes)}
}

// Counters implements systems.Counters: summed over the hosts' lives.
func (e *Sim) Counters(_ *sim.Driver, c map[string]int64) {
	for _, h := range e.hosts {
		st := h.Stats()
		c["chain.polls"] += st.Polls
		c["chain.empty-polls"] += st.EmptyPolls
		c["chain.executions"] += st.Executions
		c["chain.failures"] += st.Failures
		c["chain.poisoned"] += st.Poisoned
		c["chain.scans"] += st.Scans
		c["chain.found"] += st.Found
		c["chain.skipped"] += st.Skipped
	}
}

// Charges implements systems.Charges: function executions at
// DollarsPerExecution, repeats after crashes included.
func (e *Sim) Charges(*sim.Driver) []systems.Charge {
	var n int64
	for _, h := range e.hosts {
		n += h.Stats().Executions
	}
	return []systems.Charge{{Class: ChargeClass, Requests: n, Dollars: float64(n) * DollarsPerExecution}}
}

type real struct {
	sys     *systems.System
	trigger string
	c       systems.RealConfig
}

func realFor(sys *systems.System, trigger string) func(systems.RealConfig) (systems.RealDeployment, error) {
	return func(c systems.RealConfig) (systems.RealDeployment, error) {
		allowed := []string{"mem", "azure"} // the disk backend has no queues (the blob trigger's internal queue too)
		if !slices.Contains(allowed, c.Storage) {
			return nil, fmt.Errorf("storage %q: %s needs queues and blobs; allowed %v", c.Storage, sys.Name, allowed)
		}
		if _, err := configOf(sys, trigger, c.Knobs, systems.RunnerReal, c.Hub, 1); err != nil {
			return nil, err
		}
		return &real{sys: sys, trigger: trigger, c: c}, nil
	}
}

func (r *real) StreamPartitions() int { return 0 }

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	if !r.c.ClientOnly {
		for i := 0; i < max(r.c.Workers, 1); i++ {
			cfg, err := configOf(r.sys, r.trigger, r.c.Knobs, systems.RunnerReal, r.c.Hub, 1)
			if err != nil {
				return 0, err
			}
			cfg.Node, cfg.Seed, cfg.Logf = fmt.Sprintf("host%d", i), uint64(i), r.c.Logf
			h, err := chain.NewHost(cfg, r.c.Registry)
			if err != nil {
				return 0, err
			}
			d.AddCore(cfg.Node, func() port.Core { return h })
		}
	}
	cfg, err := configOf(r.sys, r.trigger, r.c.Knobs, systems.RunnerReal, r.c.Hub, 1)
	if err != nil {
		return 0, err
	}
	cfg.Node = "frontend"
	f, err := chain.NewFrontend(cfg)
	if err != nil {
		return 0, err
	}
	return d.AddCore("frontend", func() port.Core { return f }), nil
}
