package original

import (
	"fmt"

	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// Knob names.
const (
	KnobControlQueues    = "controlQueues"
	KnobExtendedSessions = "extendedSessions"
	KnobMaxActivities    = "maxConcurrentActivities"
	KnobVisibility       = "visibility"
	KnobLeaseRenewal     = "leaseRenewal"
	KnobLeaseInterval    = "leaseInterval"
	KnobMaxPoll          = "maxPoll"
	KnobReplayCheck      = "replayCheck"
	KnobClientOnNodes    = "clientOnNodes"
	KnobThreadPool       = "threadPool"
)

// System is the original engine's descriptor.
var System = &systems.System{
	Name:    "original",
	Summary: "the original DurableTask.AzureStorage design: control queues, work-item queue, history table",
	Knobs: []systems.Knob{
		{Name: KnobControlQueues, Kind: systems.Int, Default: "4", Min: 1, Max: 64, Unit: "queues",
			Doc: "C, the control queues of the task hub (the paper ran 12)"},
		{Name: KnobExtendedSessions, Kind: systems.Bool, Default: "false",
			Doc: "keep each instance's history and executor in memory between steps"},
		{Name: KnobReplayCheck, Kind: systems.Bool, Default: "false",
			Doc: "with extendedSessions, re-run every orchestration step from its history instead of resuming the cached executor, so IsReplaying and nondeterminism detection are as without a cache (on in tests and the fault campaign)"},
		{Name: KnobMaxActivities, Kind: systems.Int, Default: "-1", Min: 1, Max: 1000, Special: []int64{-1}, Unit: "activities per worker",
			Doc: "activities a worker runs at once (-1: the Functions host's maxConcurrentActivityFunctions, 10 × the node's cores in simulation, 10 for real)"},
		{Name: KnobVisibility, Kind: systems.Duration, Default: "5m0s",
			Doc: "how long a dequeued control-queue message or work item stays hidden (1s..7d)"},
		{Name: KnobLeaseRenewal, Kind: systems.Duration, Default: "10s",
			Doc: "how often control-queue leases are renewed and balanced"},
		{Name: KnobLeaseInterval, Kind: systems.Duration, Default: "30s",
			Doc: "the control-queue lease duration (15s..60s): a dead worker's queues are taken over after it"},
		{Name: KnobMaxPoll, Kind: systems.Duration, Default: "30s",
			Doc: "cap of the randomized exponential back-off polling empty queues"},
		{Name: KnobClientOnNodes, Kind: systems.Bool, Default: "true", Only: systems.RunnerSim,
			Doc: "the orchestration client runs in the app's processes (a function on the node the front end sent the request to, round-robin over the nodes) and shares the host's orchestration service, so its enqueue on a control queue that node owns wakes that node's poller at once (documented: azure-functions-durable-extension's AzureStorageDurabilityProviderFactory hands clients the host's AzureStorageOrchestrationService so that sends are picked up without waiting for the next polling interval; DurableTask.AzureStorage's TaskHubQueue.AddMessageAsync resets the queue's back-off; false: the client is a process of its own)"},
		{Name: KnobThreadPool, Kind: systems.Bool, Default: "true", Only: systems.RunnerSim,
			Doc: "a worker's storage completions, timers and calls are stepped on the node's thread pool, in parallel over its cores, not on one thread (DurableTask.AzureStorage awaits every storage call and continues on any .NET thread-pool thread; its dispatchers have no sequencer thread.; false: all of a worker's input steps share one thread of the node)"},
	},
	Faults: systems.Faults{
		Ops:   []string{"queue-*", "queue-dequeue", "queue-enqueue", "queue-delete", "table-*", "table-batch", "table-query", "blob-*", "lease-*", "*"},
		Kinds: []plan.Kind{plan.CrashForever, plan.LeaseLoss},
	},
	Draw: func(r *rng.Source) systems.Values {
		return systems.Values{KnobControlQueues: fmt.Sprint(1 + r.Intn(6)), KnobExtendedSessions: fmt.Sprint(r.Intn(3) == 0),
			KnobReplayCheck: "true"} // always on in the campaign (no draw: the draws stay as they were)
	},
	// Past the 5-minute visibility timeout of a message whose step crashed.
	Settle:  6 * 60 * port.Second,
	Planted: original.PlantedBugs,
}

// The functions that parse knobs refer to System.
func init() {
	System.Sim, System.Real = newSim, newReal
	System.Faults.Partitions = func(v systems.Values) (int, error) {
		set, err := System.Parse(v, "")
		return int(set.Int(KnobControlQueues)), err
	}
}

// simOf maps knob values to a simulator deployment.
func simOf(v systems.Values, runner string) (*Sim, error) {
	set, err := System.Parse(v, runner)
	if err != nil {
		return nil, err
	}
	e := &Sim{ControlQueues: int(set.Int(KnobControlQueues)), Extended: set.Bool(KnobExtendedSessions), ReplayCheck: set.Bool(KnobReplayCheck),
		MaxActivities: max(0, int(set.Int(KnobMaxActivities))), Visibility: set.Duration(KnobVisibility),
		LeaseRenewal: set.Duration(KnobLeaseRenewal), LeaseInterval: set.Duration(KnobLeaseInterval), MaxPoll: set.Duration(KnobMaxPoll),
		ClientOnNodes: runner == systems.RunnerSim && set.Bool(KnobClientOnNodes), ThreadPool: runner == systems.RunnerSim && set.Bool(KnobThreadPool)}
	if err := e.Config(0, 1).Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

func newSim(c systems.SimConfig) (systems.Deployment, error) {
	e, err := simOf(c.Knobs, systems.RunnerSim)
	if err != nil {
		return nil, err
	}
	e.Seed, e.Planted, e.Logf = c.Seed, c.Planted, c.Logf
	if err := e.Config(0, 1).Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// Counters implements systems.Counters: the live workers' stats.
func (e *Sim) Counters(d *sim.Driver, c map[string]int64) {
	for _, id := range e.Workers {
		w, ok := d.Core(id).(*original.Worker)
		if !ok {
			continue
		}
		st := w.Stats()
		c["original.noop-steps"] += int64(st.NoopSteps)
		c["original.put-backs"] += int64(st.PutBacks)
		c["original.discarded"] += int64(st.Discarded)
		c["original.conflicts"] += int64(st.Conflicts)
		c["original.abandoned"] += int64(st.Abandoned)
		c["original.leases-lost"] += int64(st.LeasesLost)
		c["original.dropped"] += int64(st.Dropped)
		c["original.client-wakes"] += int64(st.Wakes)
	}
}
