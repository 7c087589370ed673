package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
)

func cmdCalibrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "calibrate", "[--quick] [--out DIR] [--name NAME] [--force] [--evals N | --eval-only] [--jobs N]", `
Fits the simulator's model set to the paper's calibration set ONLY
(paper-notes.md: single-node throughput of Hello5, Bank, WordCount and
Collision on 1×1, 1×2, 1×4, and Hello3 latency p25/p50/p90/p99 on 4×2 for
Netherite local, Netherite none and original; 36 targets).

1. Measures the real Netherite and original cores' CPU cost per step kind
   (the keys the simulator charges: input:<kind>, work:<kind>) on this
   machine: turn wall times regressed on step-kind counts, median of runs.
2. Fits 9 parameters (cpuFactor scaling the measured costs to the paper's
   cores, hostMs of Azure Functions per invocation, storage latency
   medians of page/stream/queue/table ops, their lognormal sigma,
   backgroundMs per invocation and requestMs of client CPU per storage
   request) with Nelder-Mead, minimising the sum of
   ln(dflab/paper)² over the targets, running the simulator in the loop
   on scaled-down runs, or with --paper-size at the paper's own
   single-node loads (what make calibrate runs).
3. Writes NAME.json (the model set, loadable by sim.LoadModelSet),
   NAME-fit.csv and NAME-fit.md (target, paper, dflab, ratio) into --out.

4. Fits the workflow service's one parameter (its time per state
   transition) alone to its Hello3 latency, the others held; --workflow
   does only this on the existing set NAME (with --force) and rewrites
   NAME.json and NAME-fit.md's section on it.

A set that exists in --out is never overwritten without --force: write a
new --name, or pass --force to replace it. The default name is paper2022
(the committed set, harness/simrun/models/paper2022.json; make calibrate
passes --force; rebuild the binary after writing it there), or "quick"
with --quick, which uses tiny runs and few evaluations (seconds; for
tests, not for committing). Every result row records the sha256 of the
set it ran on beside its name (modelsHash, models_sha256).`)
	var f calibrateFlags
	f.register(fs)
	var pf profileFlags
	pf.register(fs, "--out")
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.evalOnly && (f.sql || f.workflow) {
		return errors.New("--eval-only: not with --sql or --workflow")
	}
	if f.sql {
		if f.workflow {
			return errors.New("--sql and --workflow: pass one of them")
		}
		return calibrateSQL(ctx, e, &f, args)
	}
	c, err := f.config()
	if err != nil {
		return err
	}
	if err := f.mayWrite(); err != nil {
		return err
	}
	show, finish := harness.StatusLine(e.stderr, f.progress, nil)
	c.Progress = show
	stop, err := pf.start(e, f.out)
	if err != nil {
		return err
	}
	defer stop()
	if f.workflow {
		return calibrateWorkflow(ctx, e, f, c, strings.TrimSpace("dflab calibrate "+strings.Join(args, " ")))
	}
	o, err := calibrate.Run(ctx, c)
	finish()
	if err != nil {
		return err
	}
	command := "dflab calibrate " + strings.Join(args, " ")
	if err := o.Write(f.out, strings.TrimSpace(command)); err != nil {
		return err
	}
	setF, csvF, mdF := calibrate.Files(f.name)
	fmt.Fprint(e.stdout, o.Markdown(strings.TrimSpace(command)))
	fmt.Fprintf(e.stdout, "\nwrote %s, %s, %s in %s\n", setF, csvF, mdF, f.out)
	return nil
}

// calibrateFlags are calibrate's flags.
type calibrateFlags struct {
	quick, progress   bool
	force, workflow   bool
	evalOnly          bool
	paperSize         bool
	sql               bool
	orch              int
	out, name, start  string
	costs             string
	evals, jobs, runs int
	seed              uint64
}

func (f *calibrateFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.quick, "quick", false, "tiny runs and few evaluations (a smoke test)")
	fs.StringVar(&f.out, "out", filepath.Join("harness", "simrun", "models"), "output directory (created)")
	fs.StringVar(&f.name, "name", "", "name of the fitted model set (default paper2022, or quick with --quick)")
	fs.BoolVar(&f.force, "force", false, "overwrite the model set NAME if --out already has it")
	fs.IntVar(&f.evals, "evals", 0, "evaluations of the calibration set, at most (0: 120, or parameters + 2 with --quick; --eval-only: one at --start)")
	fs.IntVar(&f.jobs, "jobs", runtime.GOMAXPROCS(0), "simulator runs at once")
	fs.IntVar(&f.runs, "measure-runs", 0, "runs per engine of the CPU measurement (0: 5, or 1 with --quick)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every calibration run")
	fs.BoolVar(&f.paperSize, "paper-size", false, "run the calibration targets at the paper's single-node loads (calibrate.PaperSize: Hello5 1,000, Bank and WordCount shapes and Collision B growing with the cores, Hello3 300 s) instead of the scaled-down ones")
	fs.BoolVar(&f.evalOnly, "eval-only", false, "evaluate the calibration set once at --start (no fit, no baseline, no workflow stage) and write its report: scores a change of structure at a known point")
	fs.StringVar(&f.costs, "costs", "", "step costs measured before (a NAME-costs.json that calibrate wrote) instead of measuring again")
	fs.StringVar(&f.start, "start", "", "where the fit starts, e.g. cpuFactor=180,hostMs=0.8, or with --sql dbStatementMs=0.9,logFlushMs=2 (unnamed parameters keep their defaults; each is moved into its allowed range)")
	fs.BoolVar(&f.progress, "progress", false, "print the progress line even when stderr is not a terminal")
	fs.BoolVar(&f.workflow, "workflow", false, "fit only the workflow service's transition latency on the existing set NAME in --out (needs --force), every other parameter held")
	fs.BoolVar(&f.sql, "sql", false, "fit the sql engine's database model instead (dbStatementMs, logFlushMs) to the provider's scaling table's 2- and 16-vCore rows, against the default set; writes sqldb.json and its report into --out (--force to replace)")
	fs.IntVar(&f.orch, "sql-orchestrations", 5000, "with --sql: Hello5 orchestrations per run (the provider's 5,000)")
}

// calibrateSQL is calibrate --sql.
func calibrateSQL(ctx context.Context, e *env, f *calibrateFlags, args []string) error {
	if f.orch < 10 || f.orch > 100000 {
		return fmt.Errorf("--sql-orchestrations = %d: allowed 10..100000", f.orch)
	}
	if _, err := os.Stat(filepath.Join(f.out, calibrate.SQLFileName+".json")); err == nil && !f.force {
		return fmt.Errorf("--out %s already has %s.json: pass --force to replace it", f.out, calibrate.SQLFileName)
	}
	// The part is fitted against the default set without its current sql
	// part (EmbeddedModelSet, not ModelSet, which merges it in).
	base, err := simrun.EmbeddedModelSet(spec.DefaultModels)
	if err != nil {
		return err
	}
	c := calibrate.SQLConfig{Base: spec.DefaultModels, Orch: f.orch, MeasureRuns: 3, MaxEvals: 20, Jobs: f.jobs, Seed: f.seed, Start: calibrate.SQLStartParams}
	if f.start != "" {
		if c.Start, err = sqlStartParams(f.start); err != nil {
			return err
		}
	}
	if f.evals != 0 {
		c.MaxEvals = f.evals
	}
	if f.runs != 0 {
		c.MeasureRuns = f.runs
	}
	if c.MaxEvals < len(calibrate.SQLParamNames)+2 {
		return fmt.Errorf("--evals = %d: want at least %d", c.MaxEvals, len(calibrate.SQLParamNames)+2)
	}
	if f.costs != "" {
		data, err := os.ReadFile(f.costs)
		if err != nil {
			return fmt.Errorf("--costs: %w", err)
		}
		m, err := calibrate.LoadCosts(data)
		if err != nil {
			return fmt.Errorf("--costs %s: %w", f.costs, err)
		}
		sqlm, ok := m["sql"]
		if !ok {
			return fmt.Errorf("--costs %s: no sql step costs", f.costs)
		}
		c.Measured = &sqlm
	}
	if f.progress || harness.IsTerminal(e.stderr) {
		c.Progress = func(line string) { fmt.Fprintf(e.stderr, "\r\033[K%s", line) }
	}
	o, err := calibrate.RunSQL(ctx, c, base)
	if c.Progress != nil {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	command := strings.TrimSpace("dflab calibrate " + strings.Join(args, " "))
	if err := o.Write(f.out, command); err != nil {
		return err
	}
	fmt.Fprint(e.stdout, o.Markdown(command))
	fmt.Fprintf(e.stdout, "\nwrote %s.json, %s-fit.csv, %s-fit.md in %s\n", calibrate.SQLFileName, calibrate.SQLFileName, calibrate.SQLFileName, f.out)
	return nil
}

// config checks the flags and returns the calibration they ask for.
func (f *calibrateFlags) config() (calibrate.Config, error) {
	if f.name == "" {
		f.name = simrun.ModelsPaper2022
		if f.quick {
			f.name = quickSetName
		}
	}
	c := calibrate.Config{Name: f.name, Size: calibrate.FullSize, MeasureRuns: 5, MaxEvals: 120, Jobs: f.jobs,
		Seed: f.seed, Start: calibrate.StartParams}
	if f.quick {
		c.Size, c.MeasureRuns, c.MaxEvals = calibrate.QuickSize, 1, len(calibrate.ParamNames)+2
	}
	if f.paperSize {
		if f.quick {
			return c, errors.New("--paper-size and --quick: pass one of them")
		}
		c.Size = calibrate.PaperSize
	}
	if f.evals != 0 {
		c.MaxEvals = f.evals
	}
	if f.runs != 0 {
		c.MeasureRuns = f.runs
	}
	if f.costs != "" {
		data, err := os.ReadFile(f.costs)
		if err != nil {
			return c, fmt.Errorf("--costs: %w", err)
		}
		if c.Measured, err = calibrate.LoadCosts(data); err != nil {
			return c, fmt.Errorf("--costs %s: %w", f.costs, err)
		}
	}
	if f.start != "" {
		p, err := startParams(f.start)
		if err != nil {
			return c, err
		}
		c.Start = p
	}
	c.EvalOnly = f.evalOnly
	switch {
	case !validSetName(f.name):
		return c, fmt.Errorf("--name = %q: want letters, digits, '-' or '_'", f.name)
	case !f.evalOnly && c.MaxEvals < len(calibrate.ParamNames)+2:
		return c, fmt.Errorf("--evals = %d: want at least %d", c.MaxEvals, len(calibrate.ParamNames)+2)
	case f.jobs < 1:
		return c, fmt.Errorf("--jobs = %d: want at least 1", f.jobs)
	case c.MeasureRuns < 1:
		return c, fmt.Errorf("--measure-runs = %d: want at least 1", c.MeasureRuns)
	}
	return c, nil
}

// quickSetName is the default name of a --quick calibration's set.
const quickSetName = "quick"

// mayWrite refuses, before any work, to overwrite a model set that --out
// already has unless --force is given.
func (f *calibrateFlags) mayWrite() error {
	setF, _, _ := calibrate.Files(f.name)
	path := filepath.Join(f.out, setF)
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out: %w", err)
	case f.force:
		return nil
	}
	return fmt.Errorf("model set %s exists: choose a new --name, or pass --force to overwrite it", path)
}

// setStart sets the entries of v that --start's name=value pairs name
// (names: the fit's parameters, in v's order); flag names the flag in
// errors.
func setStart(v []float64, s string, names []string, flag string) error {
	for _, kv := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		i := slices.Index(names, name)
		if !ok || i < 0 {
			return fmt.Errorf("%s: %q: want name=value with name one of %s", flag, kv, strings.Join(names, ", "))
		}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("--start: %s: %w", name, err)
		}
		v[i] = x
	}
	return nil
}

// startParams parses --start: name=value pairs over calibrate.StartParams.
func startParams(s string) (calibrate.Params, error) {
	v := calibrate.StartParams.Vector()
	if err := setStart(v, s, calibrate.ParamNames, "--start"); err != nil {
		return calibrate.Params{}, err
	}
	p, err := calibrate.ParamsOf(calibrate.Clamp(v))
	if err != nil {
		return calibrate.Params{}, fmt.Errorf("--start: %w", err)
	}
	return p, nil
}

// sqlStartParams parses --start for --sql: name=value pairs of the sql
// fit's parameters, moved into their allowed ranges.
func sqlStartParams(s string) (calibrate.SQLParams, error) {
	v := calibrate.SQLStartParams.Vector()
	if err := setStart(v, s, calibrate.SQLParamNames, "--start with --sql"); err != nil {
		return calibrate.SQLParams{}, err
	}
	p, err := calibrate.SQLParamsOf(v)
	if err != nil {
		return calibrate.SQLParams{}, fmt.Errorf("--start: %w", err)
	}
	return p, nil
}

// validSetName reports whether a model set name is safe as a file name.
func validSetName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// calibrateWorkflow fits the workflow service's transition latency on the
// set f.name in f.out and rewrites the set and its report's section.
func calibrateWorkflow(ctx context.Context, e *env, f calibrateFlags, c calibrate.Config, command string) error {
	setF, _, mdF := calibrate.Files(f.name)
	data, err := os.ReadFile(filepath.Join(f.out, setF))
	if err != nil {
		return fmt.Errorf("--workflow: %w", err)
	}
	m, err := sim.LoadModelSet(data)
	if err != nil {
		return fmt.Errorf("--workflow: %s: %w", setF, err)
	}
	fit, m, err := calibrate.FitWorkflow(ctx, m, c.Size, c.Seed, c.Jobs, calibrate.WorkflowEvals, c.Progress)
	if c.Progress != nil {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	report, err := os.ReadFile(filepath.Join(f.out, mdF))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--workflow: %w", err)
	}
	section := fit.Markdown(command)
	if err := os.WriteFile(filepath.Join(f.out, setF), append(out, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(f.out, mdF), []byte(calibrate.ReplaceWorkflowSection(string(report), section)), 0o644); err != nil {
		return err
	}
	fmt.Fprint(e.stdout, section)
	fmt.Fprintf(e.stdout, "\nwrote %s, %s in %s\n", setF, mdF, f.out)
	return nil
}
