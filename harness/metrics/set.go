package metrics

import "fmt"

// Clock says which clock a metric set was measured on.
type Clock string

// Clocks.
const (
	Virtual Clock = "virtual" // the simulator's virtual time
	Wall    Clock = "wall"    // real time on real backends
)

// ParseClock accepts "virtual" or "wall".
func ParseClock(s string) (Clock, error) {
	switch c := Clock(s); c {
	case Virtual, Wall:
		return c, nil
	}
	return "", fmt.Errorf("clock %q is not one of virtual, wall", s)
}

// Set is everything measured in one run. Times are milliseconds since the
// start of the run on Clock.
type Set struct {
	Clock Clock `json:"clock"`
	// Unit names the work unit ("orchestrations", "words"...).
	Unit      string  `json:"unit"`
	Completed int64   `json:"completed"` // instances completed
	Failed    int64   `json:"failed"`    // instances that failed
	WorkUnits float64 `json:"workUnits"` // of the completed instances
	// FirstStartMs and LastCompletionMs bound the throughput interval.
	FirstStartMs     float64 `json:"firstStartMs"`
	LastCompletionMs float64 `json:"lastCompletionMs"`
	// ThroughputPerSec = WorkUnits / (LastCompletion − FirstStart), as the paper.
	ThroughputPerSec float64        `json:"throughputPerSec"`
	Latency          LatencySummary `json:"latency"`
	Storage          Traffic        `json:"storage"`
	Cost             *Cost          `json:"cost,omitempty"`
	CPU              []NodeCPU      `json:"cpu,omitempty"`
	// Resources are the busiest simulated resource of each kind (node CPU,
	// an engine core's own thread, activity slots, a throughput cap), and
	// Bound the busiest of all: the resource that bound the run (sim only).
	Resources []Resource `json:"resources,omitempty"`
	Bound     *Resource  `json:"bound,omitempty"`
	Recovery  []Recovery `json:"recovery,omitempty"`
	Timeline  []Window   `json:"timeline,omitempty"`
	// Cluster is the measured shape of a run on worker processes (dflab
	// load): nil for runs in one process and on the simulator.
	Cluster *Cluster `json:"cluster,omitempty"`
	// Events is the number of simulator events processed (0 on real backends).
	Events int64 `json:"events,omitempty"`
	// Models names the simulator's model set that ran (sim only).
	Models string `json:"models,omitempty"`
	// Notes say what a runner did not measure or check, and how figures
	// were derived (e.g. an oracle skipped, prices being list prices).
	Notes []string `json:"notes,omitempty"`
}

// Validate checks the invariants every set must hold before it is saved.
func (s Set) Validate() error {
	if _, err := ParseClock(string(s.Clock)); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if s.Completed < 0 || s.Failed < 0 || s.WorkUnits < 0 {
		return fmt.Errorf("metrics: negative count (completed %d, failed %d, workUnits %v)", s.Completed, s.Failed, s.WorkUnits)
	}
	if s.Completed > 0 && s.LastCompletionMs < s.FirstStartMs {
		return fmt.Errorf("metrics: last completion %vms before first start %vms", s.LastCompletionMs, s.FirstStartMs)
	}
	return nil
}

// Throughput is units / (lastCompletion − firstStart) per second; 0 when
// the interval is empty.
func Throughput(units, firstStartMs, lastCompletionMs float64) float64 {
	span := (lastCompletionMs - firstStartMs) / 1000
	if span <= 0 {
		return 0
	}
	return units / span
}

// Resource is one simulated resource's utilisation over a run: the
// fraction of its capacity in use, 0..1.
type Resource struct {
	Kind        string  `json:"kind"` // cpu, core, activity-slots, cap
	Name        string  `json:"name"` // node0, node0/p03, <cap> <target>...
	Utilisation float64 `json:"utilisation"`
}

// String is "kind name".
func (r Resource) String() string { return r.Kind + " " + r.Name }

// NodeCPU is one node's CPU use over the run.
type NodeCPU struct {
	Node         string  `json:"node"`
	Cores        int     `json:"cores"`
	BusyMs       float64 `json:"busyMs"`       // summed over cores
	BusyFraction float64 `json:"busyFraction"` // busy / (cores × elapsed)
}

// CPUBusy builds a node's CPU figure from core-busy time over elapsed time.
func CPUBusy(node string, cores int, busyMs, elapsedMs float64) NodeCPU {
	c := NodeCPU{Node: node, Cores: cores, BusyMs: busyMs}
	if cores > 0 && elapsedMs > 0 {
		c.BusyFraction = busyMs / (float64(cores) * elapsedMs)
	}
	return c
}

// Recovery is how long the system took to recover from one fault, from
// the fault on, by Measure: "" (throughput) until throughput is back near
// its level before the fault (RecoveryFromTimeline); MeasureTakeover until
// every partition the crashed node ran runs on another node (Detail says
// which went where).
type Recovery struct {
	Fault      string  `json:"fault"` // the fault plan line
	AtMs       float64 `json:"atMs"`
	RecoveryMs float64 `json:"recoveryMs"`
	Measure    string  `json:"measure,omitempty"`
	Detail     string  `json:"detail,omitempty"`
}

// Cluster is what a load process measured of the worker processes it ran
// against: how many there were, their cores, and which hosted which
// partitions (or control queues) each time that changed.
type Cluster struct {
	Workers   int            `json:"workers"` // distinct workers seen during the run
	Cores     map[string]int `json:"cores"`   // each worker's cores, as it reported them
	Placement []Placement    `json:"placement"`
}

// Placement is the cluster's shape from AtMs (since the run started) on:
// worker name to the partitions it hosts.
type Placement struct {
	AtMs  int64            `json:"atMs"`
	Hosts map[string][]int `json:"hosts"`
	// Waiting are those of Hosts not running yet: waiting for their
	// lease (held by the worker they move from, or a dead one's until it
	// expires) or recovering their state.
	Waiting map[string][]int `json:"waiting,omitempty"`
}

// MeasurePlacement is Recovery.Measure of a worker a cluster lost: from
// its kill -9 (or, when it left otherwise, the first shape without it) to
// the first shape in which every partition it hosted runs again
// elsewhere (harness/cluster.Measured).
const MeasurePlacement = "placement"

// MeasureTakeover is Recovery.Measure of a takeover: the partitions of a
// node that crashed (and did not come back) recovered on other nodes.
const MeasureTakeover = "takeover"
