package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// Options configure Execute.
type Options struct {
	// Revision is the git revision written into rows (see
	// results.BuildRevision); empty means results.UnknownRevision.
	Revision string
	// Out receives each row as soon as its run ends (nil: none).
	Out *results.Writer
	// Progress, if set, is told about events and finished runs.
	Progress *Progress
	// Now is the wall clock for StartedAt and WallTimeSec (nil: time.Now).
	Now func() time.Time

	// Warn, if set, receives the engines' notable events of real runs,
	// one line each, from any goroutine (the CLI prints them to stderr).
	Warn func(line string)

	// Shard, in ExecuteAll, runs only the shard's runs of the sweep
	// (the zero Shard: all of them); MergeRows reassembles the shards.
	Shard Shard

	deferWrite bool // ExecuteAll writes rows itself, in order
}

// Execute resolves s and runs every repetition with the registry's runner
// for its engine, in order. A failed repetition is recorded with its error
// and the next one runs; a cancelled context stops everything. It returns
// the rows written.
func Execute(ctx context.Context, reg *Registry, s spec.Spec, opt Options) ([]results.Row, error) {
	rs, err := Check(reg, s)
	if err != nil {
		return nil, err
	}
	run, err := reg.Lookup(rs.Engine.Name)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Revision == "" {
		opt.Revision = results.UnknownRevision
	}
	var rows []results.Row
	for rep := range rs.Repetitions {
		row, err := executeOne(ctx, run, rs, rep, opt)
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// SpecChecker is a Runner that can validate a resolved spec without
// running it, exactly as its Run would before the first event.
type SpecChecker interface {
	Check(s spec.Spec) error
}

// Check is the one validation of a spec, used by dflab spec and by
// Execute (dflab run, sweep, bench, repro) alike: it resolves s, finds its
// engine's runner and, if the runner is a SpecChecker, checks the resolved
// spec with it (workload parameters, model set, fault plan, whether the
// engine runs on the backend). It returns the resolved spec.
func Check(reg *Registry, s spec.Spec) (spec.Spec, error) {
	rs, err := s.ResolveIn(reg.Catalog())
	if err != nil {
		return spec.Spec{}, err
	}
	run, err := reg.Lookup(rs.Engine.Name)
	if err != nil {
		return spec.Spec{}, err
	}
	if c, ok := run.(SpecChecker); ok {
		if err := c.Check(rs); err != nil {
			return spec.Spec{}, err
		}
	}
	return rs, nil
}

func executeOne(ctx context.Context, run Runner, s spec.Spec, rep int, opt Options) (results.Row, error) {
	if err := ctx.Err(); err != nil {
		return results.Row{}, fmt.Errorf("harness: before repetition %d: %w", rep, err)
	}
	seed := s.Seed + uint64(rep)
	row, err := results.NewRow(s, rep, seed, opt.Revision)
	if err != nil {
		return results.Row{}, err
	}
	if s.Backend.Kind == spec.BackendSim {
		if row.ModelsHash, err = simrun.ModelSetHash(s.Backend.Models); err != nil {
			return results.Row{}, err
		}
	}
	req := Request{Spec: s, Repetition: rep, Seed: seed, Warn: opt.Warn}
	if opt.Progress != nil {
		req.Progress = opt.Progress.Tracker()
	}
	start := opt.Now()
	set, err := run.Run(ctx, req)
	row.StartedAt = start.UTC().Format(time.RFC3339)
	row.WallTimeSec = opt.Now().Sub(start).Seconds()
	switch {
	case ctx.Err() != nil:
		return results.Row{}, fmt.Errorf("harness: repetition %d: %w", rep, ctx.Err())
	case err != nil:
		row.Error = err.Error()
	default:
		if verr := set.Validate(); verr != nil {
			row.Error = fmt.Sprintf("runner returned invalid metrics: %v", verr)
		} else {
			row.Metrics = set
		}
	}
	if opt.Out != nil && !opt.deferWrite {
		if err := opt.Out.Write(row); err != nil {
			return results.Row{}, err
		}
	}
	if opt.Progress != nil {
		opt.Progress.RunDone()
	}
	return row, nil
}
