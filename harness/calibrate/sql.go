package calibrate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/workloads/workload"
)

// The SQL engine's database model (the sql fit, `dflab calibrate --sql`).
//
// Its calibration set is the provider's published scaling table
// (alternatives-notes.md: 5,000 Hello5-like orchestrations on four 2-core
// workers), fitted on its 2- and 16-vCore points only; the 4- and 8-vCore
// points are the validation set. The structure, not the fit, is meant to
// explain why 8 times the vCores gives only about 3 times the
// throughput:
//
//   - the database's vCores serve procedure calls by processor sharing
//     (sim.Service), each call costing a number of statements (its
//     reads and writes of the provider's tables, SQLStatements) times
//     dbStatementMs of one vCore; a status query is one point read;
//   - a call's latency is a network round trip plus, for a call that
//     commits writes, the transaction log flush (logFlushMs), which holds
//     the caller but no vCore;
//   - each worker fetches work one call at a time per dispatcher (DTFx's
//     dispatchers: one lock-next in flight for orchestrations, one for
//     activities), so with the database idle a worker still takes one
//     orchestration step per round trip + statements + log flush; with 4
//     workers that, not the database, bounds the 16-vCore point;
//   - the workers' own CPU (4 × 2 cores: replaying the full history every
//     step, activities, the Functions host) is the sql cores' measured
//     step costs scaled as the other engines' (cpuFactor, hostMs of the
//     fit of the set the part is fitted against, SQLCoreScales).

// SQLParams are the fitted parameters of the database model.
type SQLParams struct {
	// StatementMs is the vCore CPU time of one statement of a procedure.
	StatementMs float64
	// LogFlushMs is the median commit latency of a write transaction.
	LogFlushMs float64
}

// SQLParamNames are SQLParams' names in vector order.
var SQLParamNames = []string{"dbStatementMs", "logFlushMs"}

// SQLParamInfos are their units and allowed ranges.
var SQLParamInfos = []ParamInfo{
	{"dbStatementMs", "ms of one vCore per statement", 0.05, 5, "CPU of one statement of a provider procedure (seeks and scans over the task hub's clustered indexes, row locks, table-valued-parameter inserts) on an Azure SQL vCore"},
	{"logFlushMs", "ms (median)", 0.5, 10, "hardening the transaction log at commit (Azure SQL General Purpose writes its log to remote storage: milliseconds; Business Critical to local SSD: about one)"},
}

// Vector returns p in SQLParamNames order.
func (p SQLParams) Vector() []float64 { return []float64{p.StatementMs, p.LogFlushMs} }

// SQLParamsOf is the inverse of Vector, clamped into the allowed ranges.
func SQLParamsOf(v []float64) (SQLParams, error) {
	if len(v) != len(SQLParamNames) {
		return SQLParams{}, fmt.Errorf("sql params: %d values, want %d (%s)", len(v), len(SQLParamNames), strings.Join(SQLParamNames, ", "))
	}
	c := make([]float64, len(v))
	for i, x := range v {
		if !(x > 0) || math.IsInf(x, 0) {
			return SQLParams{}, fmt.Errorf("sql params: %s = %g, must be a finite number > 0", SQLParamNames[i], x)
		}
		c[i] = min(max(x, SQLParamInfos[i].Lo), SQLParamInfos[i].Hi)
	}
	return SQLParams{StatementMs: c[0], LogFlushMs: c[1]}, nil
}

// SQLStartParams is where the sql fit starts.
var SQLStartParams = SQLParams{StatementMs: 1, LogFlushMs: 3}

// SQLStatements is each procedure's statements (documented structure, not
// fitted): the reads and writes of the provider's tables one call makes
// (microsoft/durabletask-mssql Scripts/logic.sql, as alternatives-notes.md
// summarises it). Writes are the procedures that commit a log record.
var SQLStatements = []struct {
	Kind       string
	Statements float64
	Writes     bool
}{
	// Lock the instance (UPDATE TOP(1) joined to NewEvents, READPAST),
	// read its events and its full history with their payloads.
	{"sql-lock-next-orchestration", 3, true},
	// Payloads, Instances (and the lock), NewEvents in, NewEvents out,
	// History, NewTasks.
	{"sql-checkpoint-orchestration", 6, true},
	// Lock the task (UPDATE TOP(1) READPAST), read its payload.
	{"sql-lock-next-task", 2, true},
	// Check the instance (HOLDLOCK), insert the payload and the result
	// event, delete the task.
	{"sql-complete-tasks", 4, true},
	// Payloads, Instances, NewEvents.
	{"sql-create-instance", 3, true},
	{"sql-raise-event", 2, true},
	{"sql-discard-events", 1, true},
	{"sql-purge-instance", 4, true},
	{"sql-create-schema", 1, true},
}

// Assumptions of the database model (not fitted: the table cannot tell
// them apart from the fitted ones).
const (
	// SQLPointReadMs is the vCore CPU of a status query: one row of
	// Instances by its clustered key (tens of µs in SQL Server).
	SQLPointReadMs = 0.05
	// SQLSigma is the lognormal shape of a call's latency.
	SQLSigma = 0.3
)

// SQLCoreScale is how a calibrated set scales the cores' step costs
// measured on this machine to the paper's cores: its fitted cpuFactor
// (simulated ms per measured ms), hostMs (added to every function
// invocation, HostKeys) and requestMs (added to every completion of a
// storage request, RequestKeys; 0 in sets fitted before it). The sql part
// scales the sql cores' costs as the set it is fitted against scales the
// other engines'.
type SQLCoreScale struct {
	CPUFactor, HostMs, RequestMs float64
}

// SQLCoreScales are the calibrated sets' scales by set name, from each
// set's fit report (NAME-fit.md); a test checks them against the sets'
// engine CPU models and measured costs.
var SQLCoreScales = map[string]SQLCoreScale{
	"paper2022b": {CPUFactor: 158.1, HostMs: 0.4691},
	"paper2022c": {CPUFactor: 129.6, HostMs: 0.7483},
	"paper2022d": {CPUFactor: 100.5, HostMs: 0.8578, RequestMs: 0.8921},
}

// SQLCoreScaleOf is the scale of the calibrated set base.
func SQLCoreScaleOf(base string) (SQLCoreScale, error) {
	sc, ok := SQLCoreScales[base]
	if !ok {
		return SQLCoreScale{}, fmt.Errorf("calibrate --sql: model set %q has no cpuFactor and hostMs to scale the sql cores by; allowed: %s",
			base, strings.Join(workload.Keys(SQLCoreScales), ", "))
	}
	return sc, nil
}

// SQLDBService is the sql engine's database service name (systems/sql).
const SQLDBService = "sql-db"

// SQLModelSet returns the sql engine's part of a model set: the latency of
// every sql-* op, the database's CPU costs and the sql cores' CPU costs
// (measured µs per step kind, scaled by sc).
func (p SQLParams) SQLModelSet(name string, measuredUs map[string]float64, sc SQLCoreScale) (*sim.ModelSet, error) {
	m := &sim.ModelSet{Name: name, Ops: map[string]sim.OpModel{}, EngineCPU: map[string]sim.CPUModel{},
		Services: map[string]sim.ServiceModel{SQLDBService: {CostsMs: map[string]rng.Dist{}, Bound: true}}}
	costs := m.Services[SQLDBService].CostsMs
	lat := func(kind string, ms float64) error {
		d, err := rng.LogNormal(math.Log(ms), SQLSigma)
		if err != nil {
			return fmt.Errorf("op %s: %w", kind, err)
		}
		m.Ops[kind] = sim.OpModel{BaseMs: d, NsPerByte: 1}
		return nil
	}
	for _, s := range SQLStatements {
		costs[s.Kind] = rng.Const(round6(s.Statements * p.StatementMs))
		ms := SQLRoundTripMs
		if s.Writes {
			ms += p.LogFlushMs
		}
		if err := lat(s.Kind, round6(ms)); err != nil {
			return nil, err
		}
	}
	costs["sql-query-instance"] = rng.Const(SQLPointReadMs)
	if err := lat("sql-query-instance", SQLRoundTripMs); err != nil {
		return nil, err
	}
	ms := map[string]float64{}
	for key, us := range measuredUs {
		ms[key] = us / 1e3 * sc.CPUFactor
	}
	for _, key := range HostKeys {
		ms[key] += sc.HostMs
	}
	for _, key := range RequestKeys {
		if _, ok := ms[key]; ok {
			ms[key] += sc.RequestMs
		}
	}
	cpu := map[string]rng.Dist{}
	for _, key := range workload.Keys(ms) {
		cpu[key] = rng.Const(round6(ms[key]))
	}
	m.EngineCPU[spec.EngineSQL] = sim.CPUModel{CostsMs: cpu}
	return m, m.Validate()
}

// SQLTarget is one row of the provider's scaling table.
type SQLTarget struct {
	VCores int
	// OrchPerSec is the provider's throughput; DBCPU its database CPU.
	OrchPerSec, DBCPU float64
	// Fit says whether the fit sees it (2 and 16 vCores) or it validates.
	Fit bool
}

// SQLTable is the provider's published table (docs/scaling.md, v1.0.0).
var SQLTable = []SQLTarget{
	{VCores: 2, OrchPerSec: 21, DBCPU: 0.99, Fit: true},
	{VCores: 4, OrchPerSec: 33, DBCPU: 0.88},
	{VCores: 8, OrchPerSec: 45, DBCPU: 0.64},
	{VCores: 16, OrchPerSec: 60, DBCPU: 0.40, Fit: true},
}

// SQLSpec is the provider's benchmark at vcores: Hello5 started n times at
// once on four 2-core workers.
func SQLSpec(vcores, n int, seed uint64) spec.Spec {
	s := base(spec.EngineSQL, 4, 2, seed)
	s.Name = fmt.Sprintf("sql-scaling/%dvcores", vcores)
	s.Engine = s.Engine.With(systems.Values{"vCores": fmt.Sprint(vcores)})
	s.Workload = spec.Workload{Name: "hello5"}
	s.Load = spec.Load{Kind: spec.LoadClosed, Instances: n}
	return s
}

// SQLPoint is one simulated row.
type SQLPoint struct {
	SQLTarget
	Sim, SimDBCPU float64
}

// SQLEvaluate runs the table's rows (all, or only the fitted ones) with
// models and n orchestrations each.
func SQLEvaluate(ctx context.Context, models *sim.ModelSet, n int, seed uint64, fitOnly bool, jobs int) ([]SQLPoint, error) {
	var targets []Target
	var rows []SQLTarget
	for _, r := range SQLTable {
		if fitOnly && !r.Fit {
			continue
		}
		rows = append(rows, r)
		targets = append(targets, Target{ID: fmt.Sprintf("hello5/sql/4x2/%dvcores", r.VCores), Paper: r.OrchPerSec,
			Unit: "orchestrations/s", Spec: SQLSpec(r.VCores, n, seed)})
	}
	ev, err := NewEvaluator(targets, jobs)
	if err != nil {
		return nil, err
	}
	sets, err := ev.Sets(ctx, models)
	if err != nil {
		return nil, err
	}
	out := make([]SQLPoint, len(rows))
	for i, r := range rows {
		out[i] = SQLPoint{SQLTarget: r, Sim: sets[i].ThroughputPerSec}
		for _, res := range sets[i].Resources {
			if res.Kind == sim.ResourceServe && res.Name == SQLDBService {
				out[i].SimDBCPU = res.Utilisation
			}
		}
	}
	return out, nil
}

// SQLConfig is a sql fit (`dflab calibrate --sql`).
type SQLConfig struct {
	// Base names the model set the sql part is fitted against (its
	// storage, network and host models are held fixed, and its
	// SQLCoreScales entry scales the sql cores' step costs).
	Base        string
	Orch        int // orchestrations per run (the provider's 5,000)
	MeasureRuns int
	MaxEvals    int
	Jobs        int
	Seed        uint64
	Start       SQLParams
	// Measured, if set, are the sql cores' step costs measured before.
	Measured *Measurement
	Progress func(line string)
}

// SQLOutput is what a sql fit produced.
type SQLOutput struct {
	Config   SQLConfig
	Measured Measurement
	// Scale is the base set's scale of the measured step costs.
	Scale  SQLCoreScale
	Fit    FitResult
	Params SQLParams
	// Part is the sql part of a model set (ModelSet.With adds it to a set).
	Part *sim.ModelSet
	// Points are every row of the table with the fitted part.
	Points []SQLPoint
	Wall   time.Duration
}

// SQLFileName is the committed sql part beside the model sets.
const SQLFileName = "sqldb"

// RunSQL measures the sql cores, fits SQLParams to the table's 2- and
// 16-vCore rows and evaluates every row with the result.
func RunSQL(ctx context.Context, c SQLConfig, base *sim.ModelSet) (SQLOutput, error) {
	began := time.Now()
	say := func(format string, args ...any) {
		if c.Progress != nil {
			c.Progress(fmt.Sprintf(format, args...))
		}
	}
	out := SQLOutput{Config: c}
	var err error
	if out.Scale, err = SQLCoreScaleOf(c.Base); err != nil {
		return out, err
	}
	if c.Measured != nil {
		out.Measured = *c.Measured
	} else {
		m, err := Measure(ctx, spec.EngineSQL, FullSize, c.MeasureRuns, sim.DefaultModels())
		if err != nil {
			return out, err
		}
		out.Measured = m
	}
	say("measured sql: %d step kinds", len(out.Measured.Us))
	var paper []float64
	for _, r := range SQLTable {
		if r.Fit {
			paper = append(paper, r.OrchPerSec)
		}
	}
	model := func(ctx context.Context, v []float64) ([]float64, error) {
		p, err := SQLParamsOf(v)
		if err != nil {
			return nil, err
		}
		part, err := p.SQLModelSet(SQLFileName, out.Measured.Us, out.Scale)
		if err != nil {
			return nil, err
		}
		pts, err := SQLEvaluate(ctx, base.With(part), c.Orch, c.Seed, true, c.Jobs)
		if err != nil {
			return nil, err
		}
		vals := make([]float64, len(pts))
		for i, x := range pts {
			vals[i] = x.Sim
		}
		return vals, nil
	}
	progress := func(p FitProgress) {
		say("sql fit: evaluation %d/%d, objective %.4f, best %.4f, %s elapsed", p.Evals, p.MaxEvals, p.Objective, p.Best, p.Elapsed.Round(time.Second))
	}
	fit, err := Fit(ctx, paper, model, c.Start.Vector(), c.MaxEvals, progress)
	if err != nil {
		return out, err
	}
	if out.Params, err = SQLParamsOf(fit.Params); err != nil {
		return out, err
	}
	fit.Params = out.Params.Vector()
	out.Fit = fit
	if out.Part, err = out.Params.SQLModelSet(SQLFileName, out.Measured.Us, out.Scale); err != nil {
		return out, err
	}
	if out.Points, err = SQLEvaluate(ctx, base.With(out.Part), c.Orch, c.Seed, false, c.Jobs); err != nil {
		return out, err
	}
	out.Wall = time.Since(began)
	return out, nil
}

// Write saves the sql part (SQLFileName.json), its fit report (-fit.md,
// -fit.csv) and the sql cores' measured step costs (-costs.json, which
// --costs reads back to fit again on the same measurement) into dir.
func (o SQLOutput) Write(dir, command string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	m := *o.Part
	m.Note = fmt.Sprintf("the sql engine's database, fitted by `%s` to the provider's scaling table (2 and 16 vCores only); merged into the calibrated sets; report in %s-fit.md", command, SQLFileName)
	data, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	var csvB bytes.Buffer
	w := csv.NewWriter(&csvB)
	_ = w.Write([]string{"vcores", "seen_by_fit", "provider_orch_per_sec", "dflab_orch_per_sec", "ratio", "provider_db_cpu", "dflab_db_cpu"})
	for _, p := range o.Points {
		_ = w.Write([]string{fmt.Sprint(p.VCores), fmt.Sprint(p.Fit), ff(p.OrchPerSec), ff(p.Sim), fmt.Sprintf("%.3f", p.Sim/p.OrchPerSec), ff(p.DBCPU), fmt.Sprintf("%.3f", p.SimDBCPU)})
	}
	w.Flush()
	costs, err := json.MarshalIndent(map[string]Measurement{spec.EngineSQL: o.Measured}, "", "  ")
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	files := map[string][]byte{SQLFileName + ".json": append(data, '\n'), SQLFileName + "-fit.csv": csvB.Bytes(),
		SQLFileName + "-fit.md": []byte(o.Markdown(command)), CostsFile(SQLFileName): append(costs, '\n')}
	for _, name := range workload.Keys(files) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return fmt.Errorf("calibrate: %w", err)
		}
	}
	return nil
}

func ff(x float64) string { return fmt.Sprintf("%.4g", x) }

// Markdown is the sql fit's report.
func (o SQLOutput) Markdown(command string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# The sql engine's database model (%s): fit report\n\n", SQLFileName)
	fmt.Fprintf(&b, "Produced by `%s` in %.0f s wall, against model set %s (its storage, network and Functions host models held fixed). "+
		"The fit minimises the sum of ln(dflab/provider)² over the provider's scaling table's 2- and 16-vCore rows only "+
		"(alternatives-notes.md: 5,000 Hello5-like orchestrations on four 2-core workers, docs/scaling.md of the provider, v1.0.0); "+
		"the 4- and 8-vCore rows are the validation set. Nelder-Mead over the log of the parameters, the simulator in the loop, %d orchestrations per run, seed %d.\n\n",
		command, o.Wall.Seconds(), o.Config.Base, o.Config.Orch, o.Config.Seed)
	fmt.Fprintf(&b, "Objective %.4f after %d evaluations (%s).\n\n", o.Fit.Objective, o.Fit.Evals, o.Fit.Status)
	b.WriteString("## Parameters\n\n| parameter | value | unit | allowed range | origin |\n|---|---|---|---|---|\n")
	for i, info := range SQLParamInfos {
		fmt.Fprintf(&b, "| %s | %.4g | %s | %g..%g | fitted; range: %s |\n", info.Name, o.Params.Vector()[i], info.Unit, info.Lo, info.Hi, info.Why)
	}
	fmt.Fprintf(&b, "| sqlRoundTripMs | %g | ms (median) | — | assumption: a worker and an Azure SQL database in one region |\n", SQLRoundTripMs)
	fmt.Fprintf(&b, "| sqlSigma | %g | lognormal shape | — | assumption: the tail of a call's latency |\n", SQLSigma)
	fmt.Fprintf(&b, "| pointReadMs | %g | ms of one vCore | — | assumption: a status query reads one Instances row by its clustered key |\n", SQLPointReadMs)
	fmt.Fprintf(&b, "| cpuFactor, hostMs, requestMs | %g, %g, %g | — | — | the fit of %s: scale the sql cores' measured step costs as the other engines' |\n", o.Scale.CPUFactor, o.Scale.HostMs, o.Scale.RequestMs, o.Config.Base)
	b.WriteString("| db.bound | true | — | — | documented structure: SQL Server binds a task to one scheduler (one per vCore) for its life; a call runs on one vCore picked at random and shares it by processor sharing |\n")
	b.WriteString("| dispatchers | 1 lock-next in flight per worker and kind | — | — | documented structure: DTFx's work-item dispatchers fetch one work item at a time |\n")
	b.WriteString("| worker limits | 10 per core | — | — | documented default: maxConcurrentOrchestratorFunctions and maxConcurrentActivityFunctions on Premium plans |\n\n")
	b.WriteString("## Statements per procedure (structure, not fitted)\n\n| procedure | statements | vCore ms | commits (log flush) |\n|---|---|---|---|\n")
	for _, s := range SQLStatements {
		fmt.Fprintf(&b, "| %s | %g | %.4g | %v |\n", s.Kind, s.Statements, s.Statements*o.Params.StatementMs, s.Writes)
	}
	fmt.Fprintf(&b, "| sql-query-instance | point read | %g | false |\n\n", SQLPointReadMs)
	b.WriteString("## The sql cores' step costs measured on this machine (µs, median of runs)\n\n| step kind | µs | simulated ms |\n|---|---|---|\n")
	for _, k := range workload.Keys(o.Measured.Us) {
		fmt.Fprintf(&b, "| %s | %.3g | %.3g |\n", k, o.Measured.Us[k], o.Measured.Us[k]/1e3*o.Scale.CPUFactor)
	}
	b.WriteString("\n## The provider's table and dflab\n\n| vCores | seen by the fit | provider orch/s | dflab orch/s | ratio | provider DB CPU | dflab DB CPU |\n|---|---|---|---|---|---|---|\n")
	for _, p := range o.Points {
		fmt.Fprintf(&b, "| %d | %v | %g | %.1f | %.2f | %.0f %% | %.0f %% |\n", p.VCores, p.Fit, p.OrchPerSec, p.Sim, p.Sim/p.OrchPerSec, 100*p.DBCPU, 100*p.SimDBCPU)
	}
	return b.String()
}
