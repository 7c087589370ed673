package figures

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/results"
)

// Options of a figures run.
type Options struct {
	Config    Config
	Results   string // results directory: one subdirectory per figure
	Notebooks string // notebooks directory
	Workers   int    // runs at once (each run is single-threaded)
	Revision  string // git revision written into rows
	// Status receives the progress line (nil: none); ForceProgress
	// prints it even when Status is not a terminal.
	Status        io.Writer
	ForceProgress bool
	// Shard runs only that shard of every figure's runs (the zero Shard:
	// all); `dflab merge` reassembles the shards' results directories.
	Shard harness.Shard
}

// RunInfo is what one `dflab figures` run measured about itself, saved as
// results/figures-run.json and quoted in the notebooks' index.
type RunInfo struct {
	Models      string   `json:"models"`
	Scale       float64  `json:"scale"`
	Repetitions int      `json:"repetitions"`
	Seed        uint64   `json:"seed"`
	Figures     []string `json:"figures"`
	Runs        int      `json:"runs"`
	Failed      int      `json:"failed"`
	Events      int64    `json:"events"`
	Workers     int      `json:"workers"`
	WallTimeSec float64  `json:"wallTimeSec"`
	// RunWallTimeSec is the runs' wall time summed (over the workers).
	RunWallTimeSec float64 `json:"runWallTimeSec"`
	EventsPerSec   float64 `json:"eventsPerSec"` // Events / RunWallTimeSec: one worker's simulation speed
	// CPUTimeSec is the process's user + system CPU time over the runs;
	// EventsPerCPUSec = Events / CPUTimeSec does not depend on how busy
	// the machine was.
	CPUTimeSec      float64 `json:"cpuTimeSec"`
	EventsPerCPUSec float64 `json:"eventsPerCpuSec"`
	Revision        string  `json:"revision"`
	// Shard is the shard this run ran ("i/N"; empty: the whole sweep).
	Shard string `json:"shard,omitempty"`
	// Shards is how many shards `dflab merge` put together (0: none).
	Shards int `json:"shards,omitempty"`
}

// RunInfoFile is RunInfo's file name in the results directory.
const RunInfoFile = "figures-run.json"

// ResultsFile is where figure id's rows are.
func ResultsFile(dir, id string) string { return filepath.Join(dir, id, id+".jsonl") }

// Run runs the specs of figs (figures with a Source run nothing) into
// their results files, replacing earlier ones, and returns what it did.
func Run(ctx context.Context, reg *harness.Registry, figs []Figure, opt Options) (RunInfo, error) {
	info := RunInfo{Models: opt.Config.Models, Scale: opt.Config.Scale, Repetitions: opt.Config.Repetitions, Seed: Seed,
		Workers: max(opt.Workers, 1), Revision: opt.Revision, Shard: opt.Shard.String()}
	type planned struct {
		fig   Figure
		specs int
	}
	var plan []planned
	total := 0
	for _, f := range figs {
		info.Figures = append(info.Figures, f.ID)
		specs, err := f.Expand()
		if err != nil {
			return info, err
		}
		runs := 0
		for _, s := range specs {
			if _, err := reg.Lookup(s.Engine.Name); err != nil {
				return info, err // before any file is touched
			}
			runs += s.Repetitions
		}
		total += opt.Shard.Runs(runs)
		plan = append(plan, planned{f, len(specs)})
	}
	var status io.Writer = io.Discard
	if opt.Status != nil {
		status = opt.Status
	}
	prog := harness.NewProgress(status, total, opt.ForceProgress, nil)
	defer prog.Finish()
	start, cpuStart := time.Now(), cpuTimeSec()
	for _, p := range plan {
		if p.specs == 0 {
			continue
		}
		rows, err := runFigure(ctx, reg, p.fig, opt, prog)
		for _, r := range rows {
			info.Runs++
			info.Events += r.Metrics.Events
			info.RunWallTimeSec += r.WallTimeSec
			if r.Error != "" {
				info.Failed++
			}
		}
		if err != nil {
			return info, err
		}
	}
	info.WallTimeSec, info.CPUTimeSec = time.Since(start).Seconds(), cpuTimeSec()-cpuStart
	if info.RunWallTimeSec > 0 {
		info.EventsPerSec = float64(info.Events) / info.RunWallTimeSec
	}
	if info.CPUTimeSec > 0 {
		info.EventsPerCPUSec = float64(info.Events) / info.CPUTimeSec
	}
	return info, writeJSON(filepath.Join(opt.Results, RunInfoFile), info)
}

// runFigure runs one figure's specs into its results file.
func runFigure(ctx context.Context, reg *harness.Registry, f Figure, opt Options, prog *harness.Progress) ([]results.Row, error) {
	specs, err := f.Expand()
	if err != nil {
		return nil, err
	}
	path := ResultsFile(opt.Results, f.ID)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	file, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer file.Close()
	rows, err := harness.ExecuteAll(ctx, reg, specs, harness.Options{Revision: opt.Revision, Out: results.NewWriter(file), Progress: prog, Shard: opt.Shard}, opt.Workers)
	if err != nil {
		return rows, fmt.Errorf("figure %s: %w", f.ID, err)
	}
	if err := file.Close(); err != nil {
		return rows, fmt.Errorf("figures: %w", err)
	}
	return rows, nil
}

// cpuTimeSec is this process's user + system CPU time so far (0 where
// the platform does not say).
func cpuTimeSec() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

// ReadRows reads figure id's rows from dir.
func ReadRows(dir, id string) ([]results.Row, error) {
	path := ResultsFile(dir, id)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("figure %s: results: %w (run `dflab figures --only %s` first)", id, err, id)
	}
	defer f.Close()
	rows, err := results.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}
