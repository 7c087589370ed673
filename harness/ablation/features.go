package ablation

import (
	"maps"

	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
)

// Feature is one structural feature of the model, and how to turn it off:
// an edit of the model set, of every spec, or both.
type Feature struct {
	Name string
	// Hypothesis is issue 15's hypothesis the feature answers (1..5).
	Hypothesis int
	// Off says what the run does without the feature.
	Off    string
	models func(*sim.ModelSet)
	spec   func(*spec.Spec)
}

// Baseline is the row with every feature on.
const Baseline = "none (all features on)"

// Features are the features an ablation turns off, one at a time.
var Features = []Feature{
	{Name: "host-workers", Hypothesis: 1,
		Off:    "orchestration episodes, entity batches and replay run on the engine core's own thread (a partition, a dispatcher), not on the node's worker threads",
		models: func(m *sim.ModelSet) { m.Host.WorkerKinds, m.Host.ItemKinds = nil, nil }},
	{Name: "background-cpu", Hypothesis: 1,
		Off:    "no off-critical-path CPU per invocation (host.backgroundMsPerInvocation = 0)",
		models: func(m *sim.ModelSet) { m.Host.BackgroundMsPerInvocation = 0 }},
	{Name: "background-deferral", Hypothesis: 1,
		Off:    "background CPU takes a core in FIFO order the moment its invocation ends, ahead of later critical-path work (host.backgroundDeferMs = 0), instead of running in idle core time for up to 20 ms",
		models: func(m *sim.ModelSet) { m.Host.BackgroundDeferMs = 0 }},
	{Name: "entity-batch-episode", Hypothesis: 1,
		Off: "a Netherite entity batch costs only its operations (work:entity-batch 0), not an orchestration work item of the entity's scheduler orchestration",
		models: func(m *sim.ModelSet) {
			if c, ok := m.EngineCPU[calibrate.EntityBatchEngine]; ok {
				costs := maps.Clone(c.CostsMs)
				delete(costs, calibrate.EntityBatchKey)
				c.CostsMs = costs
				m.EngineCPU = maps.Clone(m.EngineCPU)
				m.EngineCPU[calibrate.EntityBatchEngine] = c
			}
		}},
	{Name: "host-slots", Hypothesis: 2,
		Off: "no Functions host concurrency limits (activity and orchestrator slots per core 0): each engine's own fixed defaults (original: 10 sessions, 10 activities per worker; Netherite: 100 activities per partition)",
		models: func(m *sim.ModelSet) {
			m.Host.ActivitySlotsPerCore, m.Host.OrchestratorSlotsPerCore = 0, 0
		}},
	{Name: "original-activities-per-core", Hypothesis: 2,
		Off:  "the original engine's workers run at most 10 activities whatever the cores (maxConcurrentActivities = 10, the engine's fixed default)",
		spec: knob(spec.EngineOriginal, "maxConcurrentActivities", "10")},
	{Name: "event-hubs-tus", Hypothesis: 3,
		Off:  "Netherite's Event Hubs namespace is unlimited (eventHubs.throughputUnits = -1) instead of the paper's TUs per workload",
		spec: knob(spec.EngineNetherite, spec.KnobThroughputUnits, "-1")},
	{Name: "launchers", Hypothesis: 4,
		Off:  "the client starts every Hello5 orchestration itself, instead of launcher entities of 200 on multi-node 2- and 4-core runs",
		spec: func(s *spec.Spec) { s.Load.Launchers = 0 }},
	{Name: "storage-caps", Hypothesis: 3,
		Off:    "no Azure Storage scalability targets (per queue, table partition, page blob, account)",
		models: func(m *sim.ModelSet) { m.Caps = nil }},
	{Name: "storage-cap-bursts", Hypothesis: 3,
		Off: "the Azure Storage targets pace every request strictly (burstSec = 0) instead of metering a second's budget (a token bucket 1 s deep); Event Hubs keeps its bucket",
		models: func(m *sim.ModelSet) {
			for i := range m.Caps {
				m.Caps[i].BurstSec = 0
			}
		}},
	{Name: "original-thread-pool", Hypothesis: 1,
		Off:  "the original engine's worker steps every storage completion, timer and call on one thread of its own (threadPool = false), not on the node's thread pool",
		spec: knob(spec.EngineOriginal, "threadPool", "false")},
	{Name: "original-client-on-nodes", Hypothesis: 5,
		Off:  "the original engine's client is a process of its own (clientOnNodes = false): a message it enqueues waits for the owning poller's back-off instead of waking the poller of the app node the request ran on",
		spec: knob(spec.EngineOriginal, "clientOnNodes", "false")},
	{Name: "latency-at-engine-record", Hypothesis: 4,
		Off:  "Hello3 latency ends when the client's wait is answered (load.latencyEnd = response), not at the engine's record of the instance's last update",
		spec: func(s *spec.Spec) { s.Load.LatencyEnd = "" }},
}

// knob sets an engine's knob on the specs of that engine.
func knob(engine, name, value string) func(*spec.Spec) {
	return func(s *spec.Spec) {
		if s.Engine.Name == engine {
			s.Engine = s.Engine.With(systems.Values{name: value})
		}
	}
}

// Names are the features' names.
func Names() []string {
	out := make([]string, len(Features))
	for i, f := range Features {
		out[i] = f.Name
	}
	return out
}
