package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// Knob names.
const (
	KnobPartitions       = "partitions"
	KnobSpeculation      = "speculation"
	KnobMaxActivities    = "maxActivities"
	KnobCheckpointBytes  = "checkpoint.logBytes"
	KnobCheckpointEvents = "checkpoint.events"
	KnobCheckpointIdle   = "checkpoint.idle"
	KnobLogBytes         = "commitLogBytes"
	KnobPollInterval     = "pollInterval"
	KnobAcquireRetry     = "acquireRetry"
	KnobLeaseDuration    = "leaseDuration"
	KnobLoadReport       = "loadReport"
	KnobTakeoverPoll     = "takeoverPoll"
	KnobReplayCheck      = "replayCheck"
	KnobSyncLog          = "syncLog"
	KnobMaxFailedLives   = "maxFailedLives"
	KnobThroughputUnits  = "eventHubs.throughputUnits"
	KnobStandbys         = "standbys"
)

// Event Hubs throughput units (Standard tier, Azure Event Hubs
// "Scalability" documentation): one TU admits 1 MB/s or 1,000 events/s of
// ingress, whichever comes first, and twice that of egress. Netherite's
// partitions and clients read every event once, so egress (2x ingress)
// never binds before ingress and is not modelled.
const (
	EventsPerSecPerTU = 1000
	IngressMBPerTU    = 1.0
	// DefaultThroughputUnits is the most a Standard namespace takes without
	// a support request (1..20); the paper provisioned 4 to 20 by workload
	// (spec.PaperThroughputUnits).
	DefaultThroughputUnits = 20
	// EventHubsBurstSec is the depth of the namespace's ingress token
	// bucket, in seconds of its rate: a throughput unit is a budget per
	// second (1,000 events or 1 MB each second), so a second's budget may
	// arrive at once after an idle spell instead of one event per
	// millisecond per TU. An assumption from how the quota is stated, not
	// fitted.
	EventHubsBurstSec = 1
)

// MaxPartitionsReal is Netherite's partition range on real backends; the
// simulator allows up to 1024.
const MaxPartitionsReal = 32

// System is the Netherite engine's descriptor.
var System = &systems.System{
	Name:    "netherite",
	Summary: "Netherite: partitions, commit log + checkpoints, speculative pipelining",
	Knobs:   knobs(),
	Faults: systems.Faults{
		Ops:   []string{"page-*", "page-write", "blob-*", "lease-*", "stream-*", "stream-append", "stream-read", "*"},
		Kinds: []plan.Kind{plan.CrashForever, plan.DuplicateStream, plan.DelayStream, plan.TornTail, plan.Move, plan.LeaseLoss, plan.LoseUnsynced},
		// On a disk-like store the commit log must be synced before a
		// flush counts as durable (checkpoints are block blobs, durable
		// when acknowledged).
		DiskLike: systems.Values{KnobSyncLog: "true"},
	},
	Draw:    draw,
	Planted: netherite.PlantedBugs,
}

// The functions that parse knobs refer to System.
func init() {
	System.Sim, System.Real = newSim, newReal
	System.Validate = func(v systems.Set, runner string) error {
		if p := v.Int(KnobPartitions); runner == systems.RunnerReal && p > MaxPartitionsReal {
			return &systems.KnobError{Knob: KnobPartitions, System: System.Name, Runner: runner,
				Err: fmt.Errorf("%d is out of range; allowed 1..%d (more partitions only with backend sim)", p, MaxPartitionsReal)}
		}
		return nil
	}
	System.Faults.Partitions = func(v systems.Values) (int, error) {
		set, err := System.Parse(v, "")
		return int(set.Int(KnobPartitions)), err
	}
}

// draw draws a small configuration for the fault campaign.
func draw(r *rng.Source) systems.Values {
	events := []string{"-1", "3", "10", "50", ""}[r.Intn(5)]
	v := systems.Values{KnobPartitions: fmt.Sprint(1 + r.Intn(6)), KnobSpeculation: []string{"none", "local", "global"}[r.Intn(3)],
		KnobReplayCheck: "true"} // always on in the campaign (no draw: the draws stay as they were)
	if b := []string{"", "4096", "65536"}[r.Intn(3)]; b != "" {
		v[KnobCheckpointBytes] = b
	}
	if events != "" {
		v[KnobCheckpointEvents] = events
	}
	return v
}

func knobs() []systems.Knob {
	d := netherite.DefaultKnobs()
	return []systems.Knob{
		{Name: KnobPartitions, Kind: systems.Int, Default: "12", Min: 1, Max: 1024, Unit: "partitions",
			Doc: "P, the partitions of the task hub (1..32 on real backends, as Netherite)"},
		{Name: KnobSpeculation, Kind: systems.Enum, Default: d.Speculation.String(), Allowed: []string{"none", "local", "global"},
			Doc: "when a partition applies an update relative to its commit"},
		{Name: KnobMaxActivities, Kind: systems.Int, Default: fmt.Sprint(d.MaxActivities), Min: 1, Max: 100_000, Unit: "activities per partition",
			Doc: "activities a partition runs at once"},
		{Name: KnobCheckpointBytes, Kind: systems.Bytes, Default: "20MiB", Min: 1, Max: 1 << 40,
			Doc: "log bytes since the last checkpoint that trigger one"},
		{Name: KnobCheckpointEvents, Kind: systems.Int, Default: fmt.Sprint(d.CheckpointEvents), Min: 1, Max: 1<<31 - 1, Special: []int64{-1}, Unit: "update events", // -1: off
			Doc: "update events since the last checkpoint that trigger one (-1: no checkpoints)"},
		{Name: KnobCheckpointIdle, Kind: systems.Duration, Default: "1m0s",
			Doc: "idle time since the last checkpoint that triggers one"},
		{Name: KnobLogBytes, Kind: systems.Bytes, Default: "64MiB", Min: 1, Max: 1 << 40,
			Doc: "size of a partition's circular commit-log page blob"},
		{Name: KnobPollInterval, Kind: systems.Duration, Default: "5ms",
			Doc: "how long a core waits to re-read an empty stream"},
		{Name: KnobAcquireRetry, Kind: systems.Duration, Default: "1s",
			Doc: "how long a core waits to try again for a lease another core holds"},
		{Name: KnobLeaseDuration, Kind: systems.Duration, Default: "1m0s",
			Doc: "the partition lease's duration (15s..60s)"},
		{Name: KnobLoadReport, Kind: systems.Duration, Default: "1s",
			Doc: "how often a partition reports its load to the load monitor"},
		{Name: KnobMaxFailedLives, Kind: systems.Int, Default: fmt.Sprint(d.MaxFailedLives), Min: 1, Max: 1 << 20, Special: []int64{-1}, Unit: "lives", // -1: never
			Doc: "lives in a row ending in a storage error after which a partition is failed and its calls fail (-1: restart forever)"},
		{Name: KnobTakeoverPoll, Kind: systems.Duration, Default: "10s", Only: systems.RunnerSim,
			Doc: "how often a rank-1 standby tries for the lease of a partition another node holds (rank r: every r times this)"},
		{Name: KnobReplayCheck, Kind: systems.Bool, Default: "false",
			Doc: "re-run every orchestration step from its history instead of resuming the cached executor, so IsReplaying and nondeterminism detection are as without a cache (on in tests and the fault campaign)"},
		{Name: KnobSyncLog, Kind: systems.Bool, Default: "false",
			Doc: "sync the commit log after each page write and count it durable only then (storage that acknowledges writes before they are durable: backend sim with diskLike, the disk backend in SyncOnFlush mode)"},
		{Name: KnobThroughputUnits, Kind: systems.Int, Default: fmt.Sprint(DefaultThroughputUnits), Min: 1, Max: 40, Special: []int64{-1}, Only: systems.RunnerSim,
			Unit: "TUs (1,000 events/s or 1 MB/s of ingress each)",
			Doc:  "throughput units of the Event Hubs namespace, the transport (1 TU: 1,000 events/s or 1 MB/s of ingress, whichever first; -1: unlimited)"},
		{Name: KnobStandbys, Kind: systems.Int, Default: "-1", Min: 1, Max: 1023, Special: []int64{-1}, Only: systems.RunnerSim,
			Unit: "standby cores per partition",
			Doc:  "standby cores per partition, ranks 1..n on other nodes, that take it over when its node is lost (-1: one on every other node)"},
	}
}

// knobsOf maps parsed knob values to the engine's knobs.
func knobsOf(set systems.Set, planted string) (netherite.Knobs, error) {
	k := netherite.DefaultKnobs()
	sp, err := netherite.ParseSpeculation(set.Enum(KnobSpeculation))
	if err != nil {
		return k, fmt.Errorf("knob %s: %w", KnobSpeculation, err)
	}
	k.Speculation, k.MaxActivities = sp, int(set.Int(KnobMaxActivities))
	k.CheckpointBytes, k.CheckpointEvents = set.Int(KnobCheckpointBytes), int(set.Int(KnobCheckpointEvents))
	k.CheckpointIdle, k.LogBytes = set.Duration(KnobCheckpointIdle), set.Int(KnobLogBytes)
	k.PollInterval, k.AcquireRetry = set.Duration(KnobPollInterval), set.Duration(KnobAcquireRetry)
	k.LeaseDuration, k.LoadReport = set.Duration(KnobLeaseDuration), set.Duration(KnobLoadReport)
	k.TakeoverPoll, k.MaxFailedLives = set.Duration(KnobTakeoverPoll), int(set.Int(KnobMaxFailedLives))
	k.ReplayCheck, k.SyncLog, k.Planted = set.Bool(KnobReplayCheck), set.Bool(KnobSyncLog), planted
	if err := k.Validate(); err != nil {
		return k, err
	}
	return k, nil
}

func newSim(c systems.SimConfig) (systems.Deployment, error) {
	set, err := System.Parse(c.Knobs, systems.RunnerSim)
	if err != nil {
		return nil, err
	}
	k, err := knobsOf(set, c.Planted)
	if err != nil {
		return nil, err
	}
	return &Sim{Partitions: int(set.Int(KnobPartitions)), Knobs: k, Logf: c.Logf, ThroughputUnits: int(set.Int(KnobThroughputUnits)),
		StandbyRanks: int(set.Int(KnobStandbys))}, nil
}

// Counters implements systems.Counters: the live partition cores' stats
// (a crashed life's stats are gone with it).
func (n *Sim) Counters(d *sim.Driver, c map[string]int64) {
	for _, id := range n.AllCores() {
		x, ok := d.Core(id).(*netherite.Partition)
		if !ok {
			continue
		}
		st := x.Stats()
		c["netherite.duplicates-dropped"] += int64(st.Duplicates)
		c["netherite.recovered-updates"] += int64(st.RecoveredUpdates)
		c["netherite.restarts"] += int64(st.Restarts)
		if st.TornTail {
			c["netherite.torn-tails-cut"]++
		}
	}
	for p := range n.Partitions {
		if _, ok := n.Owner(d, p); ok {
			c["netherite.owners"]++ // the lease holder runs; a core that lost the lease may run until its next write
		}
	}
}

// DurableStates implements systems.DurableStates: the durable state of
// every running partition, of the core that holds its lease and runs (a
// core that lost the lease may still run until its next write fails, but
// it cannot make anything durable).
func (n *Sim) DurableStates(d *sim.Driver) (map[int][]byte, error) {
	out := map[int][]byte{}
	for p := range n.Partitions {
		id, ok := n.Owner(d, p)
		if !ok {
			continue
		}
		if s := d.Core(id).(*netherite.Partition).DurableState(); s != nil {
			out[p] = s
		}
	}
	return out, nil
}

// SendsBeforePersist implements systems.SendsBeforePersist: global
// speculation sends before it persists by design.
func (n *Sim) SendsBeforePersist() bool { return n.Knobs.Speculation == netherite.SpeculationGlobal }
