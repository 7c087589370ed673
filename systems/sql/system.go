package sql

import (
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/sim"
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
		{Name: KnobMaxOrchestrations, Kind: systems.Int, Default: "10", Min: 1, Max: 10000,
			Doc: "orchestration steps a worker runs at once"},
		{Name: KnobMaxActivities, Kind: systems.Int, Default: "10", Min: 1, Max: 10000,
			Doc: "activities a worker runs at once"},
		{Name: KnobLockTimeout, Kind: systems.Duration, Default: "2m0s",
			Doc: "WorkItemLockTimeout: how long a locked instance or task stays locked (10s..1h)"},
		{Name: KnobBatch, Kind: systems.Int, Default: "10", Min: 10, Max: 1000,
			Doc: "WorkItemBatchSize: the most events one orchestration work item takes"},
		{Name: KnobMaxPoll, Kind: systems.Duration, Default: "3s",
			Doc: "cap of the randomized exponential back-off of empty polls"},
	},
	Faults: systems.Faults{
		Ops: []string{"sql-*", "sql-lock-next-orchestration", "sql-checkpoint-orchestration", "sql-lock-next-task",
			"sql-complete-tasks", "sql-query-instance", "*"},
	},
	// No Draw yet: the campaign draws every workload, and the engine has
	// no entities; it joins the campaign once it does.
	// Past the 2-minute lock timeout of a step whose worker crashed.
	Settle:  3 * 60 * 1_000_000_000,
	Planted: sqlengine.PlantedBugs,
}

func init() {
	System.Sim, System.Real = newSim, newReal
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
