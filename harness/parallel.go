package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// job is one repetition of one resolved spec.
type job struct {
	spec spec.Spec
	run  Runner
	rep  int
}

// ExecuteAll runs every repetition of every spec on workers goroutines
// (at least 1). Each run is independent and seeded as in Execute, so its
// metrics do not depend on the number of workers; rows are returned and
// written to opt.Out in spec order, then repetition order, whatever order
// the runs finish in. With opt.Shard only that shard's runs run. Every spec is resolved and its engine looked up
// before anything runs. A cancelled context stops everything.
func ExecuteAll(ctx context.Context, reg *Registry, specs []spec.Spec, opt Options, workers int) ([]results.Row, error) {
	var jobs []job
	n := 0 // the run's number in the whole sweep, for opt.Shard
	for i, s := range specs {
		rs, err := s.ResolveIn(reg.Catalog())
		if err != nil {
			return nil, fmt.Errorf("spec %d (%s): %w", i, s.Name, err)
		}
		run, err := reg.Lookup(rs.Engine.Name)
		if err != nil {
			return nil, err
		}
		for rep := range rs.Repetitions {
			if opt.Shard.has(n) {
				jobs = append(jobs, job{spec: rs, run: run, rep: rep})
			}
			n++
		}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Revision == "" {
		opt.Revision = results.UnknownRevision
	}
	w := &orderedWriter{out: opt.Out, rows: make([]results.Row, len(jobs)), errs: make([]error, len(jobs)), done: make([]bool, len(jobs))}
	opt.deferWrite = true
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row, err := executeOne(ctx, jobs[i].run, jobs[i].spec, jobs[i].rep, opt)
				if !w.finish(i, row, err) {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return w.result()
}

// orderedWriter collects rows as runs finish and writes the longest
// finished prefix, so the file grows in spec order during a long sweep.
type orderedWriter struct {
	mu      sync.Mutex
	out     *results.Writer
	rows    []results.Row
	errs    []error
	done    []bool
	written int
}

// finish records run i and writes what is now in order; false means the
// sweep must stop (the run or the write failed).
func (w *orderedWriter) finish(i int, row results.Row, err error) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rows[i], w.errs[i], w.done[i] = row, err, true
	for w.written < len(w.rows) && w.done[w.written] && w.errs[w.written] == nil {
		if w.out != nil {
			if err := w.out.Write(w.rows[w.written]); err != nil {
				w.errs[w.written] = err
				return false
			}
		}
		w.written++
	}
	return err == nil
}

// result is the rows written and the first error in run order.
func (w *orderedWriter) result() ([]results.Row, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.written == len(w.rows) {
		return w.rows, nil
	}
	if err := w.errs[w.written]; err != nil {
		return w.rows[:w.written], err
	}
	return w.rows[:w.written], fmt.Errorf("harness: run %d of %d not finished: %w", w.written+1, len(w.rows), context.Canceled)
}
