package sql

import (
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/port"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// Knob names.
const (
	KnobVCores            = "vCores"
	KnobMaxOrchestrations = "maxConcurrentOrchestrations"
	KnobMaxActivities     = "maxConcurrentActivities"
	KnobLockTimeout       = "lockTimeout"
	KnobBatch             = "batch"
	KnobMaxPoll           = "maxPoll"
	KnobDBCostMs          = "dbCostUs"
)

// System is the SQL engine's descriptor.
var System = &systems.System{
	Name:    "sql",
	Summary: "the MS SQL design (DurableTask.SqlServer) ported to a relational port: PostgreSQL for real, an in-memory model in simulation",
	Knobs: []systems.Knob{
		{Name: KnobVCores, Kind: systems.Int, Default: "4", Min: 1, Max: 128, Only: systems.RunnerSim,
			Doc: "database server vCores (the simulated database CPU; each procedure call occupies one)"},
		{Name: KnobDBCostMs, Kind: systems.Int, Default: "0", Min: 0, Max: 1_000_000, Only: systems.RunnerSim,
			Doc: "database CPU per procedure call in µs (0: the built-in per-procedure costs)"},
		{Name: KnobMaxOrchestrations, Kind: systems.Int, Default: "0", Min: 0, Max: 10000,
			Doc: "orchestration steps a worker runs at once (0: the Functions host's maxConcurrentOrchestratorFunctions, 10 per core in the simulator's calibrated sets; 10 otherwise)"},
		{Name: KnobMaxActivities, Kind: systems.Int, Default: "0", Min: 0, Max: 10000,
			Doc: "activities a worker runs at once (0: the Functions host's maxConcurrentActivityFunctions, 10 per core in the simulator's calibrated sets; 10 otherwise)"},
		{Name: KnobLockTimeout, Kind: systems.Duration, Default: "2m0s",
			Doc: "WorkItemLockTimeout: how long a locked instance or task stays locked (10s..1h, as the provider; the simulator allows from 50ms, so that the fault campaign sees locks expire under running steps)"},
		{Name: KnobBatch, Kind: systems.Int, Default: "10", Min: 10, Max: 1000,
			Doc: "WorkItemBatchSize: the most events one orchestration work item takes"},
		{Name: KnobMaxPoll, Kind: systems.Duration, Default: "3s",
			Doc: "cap of the randomized exponential back-off of empty polls"},
	},
	Faults: systems.Faults{
		Ops: []string{"sql-*", "sql-lock-next-orchestration", "sql-checkpoint-orchestration", "sql-lock-next-task",
			"sql-complete-tasks", "sql-query-instance", "*"},
	},
	Draw: draw,
	// Joined the campaign's default draw in its second round: seeds drawn
	// before keep their cases unless this system takes them (Join).
	Join: 1,
	// Past the 2-minute lock timeout of a step whose worker crashed.
	Settle:  3 * 60 * 1_000_000_000,
	Planted: sqlengine.PlantedBugs,
}

// draw draws a small configuration for the fault campaign: few vCores
// (queueing at the database), lock timeouts from the provider's default
// down to ones that running steps outlast (a stolen lock is a duplicate
// execution), small worker limits and short polling caps.
func draw(r *rng.Source) systems.Values {
	return systems.Values{
		KnobVCores:            fmt.Sprint(1 + r.Intn(4)),
		KnobLockTimeout:       []string{"100ms", "300ms", "10s", "2m0s"}[r.Intn(4)],
		KnobMaxOrchestrations: []string{"0", "1", "3"}[r.Intn(3)],
		KnobMaxActivities:     []string{"0", "1", "4"}[r.Intn(3)],
		KnobBatch:             []string{"10", "50"}[r.Intn(2)],
		KnobMaxPoll:           []string{"3s", "300ms"}[r.Intn(2)],
	}
}

// minRealLock is the provider's smallest WorkItemLockTimeout.
const minRealLock = 10 * port.Second

func init() {
	System.Sim, System.Real = newSim, newReal
	System.Validate = func(v systems.Set, runner string) error {
		if d := v.Duration(KnobLockTimeout); runner != systems.RunnerSim && d < minRealLock {
			return &systems.KnobError{Knob: KnobLockTimeout, System: System.Name, Runner: runner,
				Err: fmt.Errorf("%v is out of range; allowed 10s..1h (from 50ms only with backend sim)", time.Duration(d))}
		}
		return nil
	}
	System.Faults.Partitions = func(systems.Values) (int, error) { return 0, nil }
}

// simOf maps knob values to a deployment.
func simOf(v systems.Values, runner string) (*Sim, error) {
	set, err := System.Parse(v, runner)
	if err != nil {
		return nil, err
	}
	e := &Sim{VCores: int(set.Int(KnobVCores)), DBCostUs: int(set.Int(KnobDBCostMs)),
		MaxOrchestrations: int(set.Int(KnobMaxOrchestrations)), MaxActivities: int(set.Int(KnobMaxActivities)),
		LockTimeout: set.Duration(KnobLockTimeout), Batch: int(set.Int(KnobBatch)), MaxPoll: set.Duration(KnobMaxPoll)}
	if err := e.Config(0).Validate(); err != nil {
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
	return e, e.Config(0).Validate()
}

// Counters implements systems.Counters: the live workers' stats.
func (e *Sim) Counters(d *sim.Driver, c map[string]int64) {
	for _, id := range e.Workers {
		w, ok := d.Core(id).(*sqlengine.Worker)
		if !ok {
			continue
		}
		st := w.Stats()
		c["sql.duplicates"] += int64(st.Duplicates)
		c["sql.abandoned"] += int64(st.Abandoned)
		c["sql.discards"] += int64(st.Discards)
		c["sql.empty-polls"] += int64(st.EmptyOrchestrationPolls + st.EmptyActs)
	}
	if busy, cores := d.ServiceBusy(DBService); cores > 0 {
		c["sql.db-busy-ms"] += int64(busy / 1_000_000)
	}
}
