package figures

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// Merge puts the results directories of a sharded `dflab figures --shard
// i/N` back together into out: every figure's rows in the order one
// unsharded run writes them (harness.MergeRows refuses a missing, doubled
// or foreign run), and one RunInfo summing the shards'. Figures with a
// Source run nothing and are skipped. Charts are drawn from out
// afterwards, as after an unsharded run.
func Merge(cat spec.Catalog, figs []Figure, shards []string, out string) (RunInfo, error) {
	var info RunInfo
	if len(shards) == 0 {
		return info, fmt.Errorf("merge: no shard directories given")
	}
	for i, dir := range shards {
		si, err := ReadRunInfo(dir)
		if err != nil {
			return info, err
		}
		if i == 0 {
			info = si
			info.Shard, info.Runs, info.Failed, info.Events, info.RunWallTimeSec, info.CPUTimeSec, info.WallTimeSec = "", 0, 0, 0, 0, 0, 0
		} else if si.Models != info.Models || si.Scale != info.Scale || si.Repetitions != info.Repetitions || si.Seed != info.Seed {
			return info, fmt.Errorf("merge: shard %s ran models %s scale %g reps %d seed %d, shard %s models %s scale %g reps %d seed %d",
				dir, si.Models, si.Scale, si.Repetitions, si.Seed, shards[0], info.Models, info.Scale, info.Repetitions, info.Seed)
		}
		info.Shards++
		info.Runs += si.Runs
		info.Failed += si.Failed
		info.Events += si.Events
		info.RunWallTimeSec += si.RunWallTimeSec
		info.CPUTimeSec += si.CPUTimeSec
		info.WallTimeSec = max(info.WallTimeSec, si.WallTimeSec) // the shards ran side by side
	}
	info.Figures = nil
	for _, f := range figs {
		specs, err := f.Expand()
		if err != nil {
			return info, err
		}
		if len(specs) == 0 {
			continue
		}
		info.Figures = append(info.Figures, f.ID)
		var rows []results.Row
		for _, dir := range shards {
			r, err := ReadRows(dir, f.ID)
			if err != nil {
				return info, fmt.Errorf("merge: shard %s: %w", dir, err)
			}
			rows = append(rows, r...)
		}
		merged, err := harness.MergeRows(cat, specs, rows)
		if err != nil {
			return info, fmt.Errorf("figure %s: %w", f.ID, err)
		}
		if err := writeRows(ResultsFile(out, f.ID), merged); err != nil {
			return info, err
		}
	}
	if info.RunWallTimeSec > 0 {
		info.EventsPerSec = float64(info.Events) / info.RunWallTimeSec
	}
	if info.CPUTimeSec > 0 {
		info.EventsPerCPUSec = float64(info.Events) / info.CPUTimeSec
	}
	return info, writeJSON(filepath.Join(out, RunInfoFile), info)
}

// writeRows replaces path with rows, one JSON line each.
func writeRows(path string, rows []results.Row) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer f.Close()
	w := results.NewWriter(f)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return fmt.Errorf("figures: %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

// ReadRunInfo reads the RunInfo a figures run left in its results
// directory.
func ReadRunInfo(dir string) (RunInfo, error) {
	var info RunInfo
	b, err := os.ReadFile(filepath.Join(dir, RunInfoFile))
	if err != nil {
		return info, fmt.Errorf("merge: shard %s: %w (not the results directory of a `dflab figures --shard` run?)", dir, err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("merge: shard %s: %s: %w", dir, RunInfoFile, err)
	}
	return info, nil
}
