package sql

import (
	"fmt"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// Hub is the task hub's name.
const Hub = "hub"

// DBService names the simulated database server (sim.Service).
const DBService = "sql-db"

// Sim deploys the SQL engine on the simulator: worker i on node i, the
// client core on a node of its own, the database's CPU as a service.
type Sim struct {
	VCores            int // database server cores (0: 4)
	DBCostUs          int // CPU per call in µs (0: procCostUs)
	MaxOrchestrations int
	MaxActivities     int
	LockTimeout       port.Time
	Batch             int
	MaxPoll           port.Time
	// Seed seeds the workers' polling jitter: worker i gets
	// Seed*1_000_003 + i.
	Seed    uint64
	Planted string
	Logf    func(format string, args ...any)

	// Workers are the worker cores of the last Deploy, by node.
	Workers []sim.CoreID
	nodes   []sim.NodeID
}

// Name implements systems.Deployment.
func (e *Sim) Name() string { return fmt.Sprintf("sql-vcores%d", e.vCores()) }

// StreamPartitions implements systems.Deployment: no stream.
func (e *Sim) StreamPartitions() int { return 0 }

func (e *Sim) vCores() int {
	if e.VCores == 0 {
		return 4
	}
	return e.VCores
}

// Config is worker i's configuration.
func (e *Sim) Config(i int) sqlengine.Config {
	cfg := sqlengine.Defaults(Hub, fmt.Sprintf("worker%d", i))
	cfg.Seed, cfg.Planted = e.Seed*1_000_003+uint64(i), e.Planted
	if e.MaxOrchestrations != 0 {
		cfg.MaxOrchestrations = e.MaxOrchestrations
	}
	if e.MaxActivities != 0 {
		cfg.MaxActivities = e.MaxActivities
	}
	if e.LockTimeout != 0 {
		cfg.LockTimeout = e.LockTimeout
	}
	if e.Batch != 0 {
		cfg.Batch = e.Batch
	}
	if e.MaxPoll != 0 {
		cfg.PollMax = e.MaxPoll
		cfg.PollMin = min(cfg.PollMin, cfg.PollMax)
		cfg.PollDelta = min(cfg.PollDelta, cfg.PollMax)
	}
	return cfg
}

// procCostUs is the database CPU of one call by procedure, in µs, for model
// sets without a fitted "sql-db" service (the scenario suite's default set)
// (uncalibrated: a first guess in the provider's proportions — the
// orchestration lock reads events, payloads and the full history; the
// checkpoint writes five tables; empty polls are index seeks).
var procCostUs = map[string]float64{
	"sql-lock-next-orchestration":  1500,
	"sql-checkpoint-orchestration": 2500,
	"sql-lock-next-task":           800,
	"sql-complete-tasks":           1200,
	"sql-create-instance":          1000,
	"sql-raise-event":              600,
	"sql-query-instance":           300,
	"sql-discard-events":           500,
	"sql-purge-instance":           1000,
	"sql-create-schema":            100,
}

func (e *Sim) cost(op port.Op) port.Time {
	if e.DBCostUs > 0 {
		return port.Time(e.DBCostUs) * port.Microsecond
	}
	return port.Time(procCostUs[string(op.Kind())] * float64(port.Microsecond))
}

// Deploy implements systems.Deployment.
func (e *Sim) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	// Each call runs on one vCore (SQLOS binds a task to one scheduler).
	db := sim.Service{Name: DBService, Ops: []string{"sql-*"}, Cores: e.vCores(), Cost: e.cost, Bound: true}
	if e.DBCostUs == 0 && d.HasServiceModel(DBService) {
		db.Cost = nil // the model set's fitted costs
	}
	if err := d.AddService(db); err != nil {
		return 0, err
	}
	e.Workers, e.nodes = e.Workers[:0], append([]sim.NodeID(nil), nodes...)
	for i, n := range nodes {
		cfg := e.Config(i)
		// Unset limits are the Functions host's (maxConcurrent*Functions).
		if slots := d.OrchestratorSlots(n); slots > 0 && e.MaxOrchestrations == 0 {
			cfg.MaxOrchestrations = slots
		}
		if slots := d.ActivitySlots(n); slots > 0 && e.MaxActivities == 0 {
			cfg.MaxActivities = slots
		}
		if _, err := sqlengine.NewWorker(cfg, reg); err != nil {
			return 0, err
		}
		e.Workers = append(e.Workers, d.AddCore(n, "worker", func() port.Core {
			w, _ := sqlengine.NewWorker(cfg, reg)
			return w
		}))
	}
	ccfg := sqlengine.ClientDefaults(Hub)
	ccfg.Seed = e.Seed
	if _, err := sqlengine.NewClient(ccfg); err != nil {
		return 0, err
	}
	cn := d.AddNode("client", 1)
	return d.AddCore(cn, "client", func() port.Core {
		c, _ := sqlengine.NewClient(ccfg)
		return c
	}), nil
}

// SimTarget returns the plan target of this deployment (call it after
// Deploy): crash and restart by node name. The engine has no partitions,
// leases or unsynced state, so move, lease-loss, torn-tail and
// lose-unsynced are refused. It implements systems.FaultGlue.
func (e *Sim) SimTarget(d *sim.Driver, _ *mem.Store, _ *rng.Source) *inject.SimTarget {
	return &inject.SimTarget{Driver: d, Nodes: systems.NodeNames(d, e.nodes)}
}
