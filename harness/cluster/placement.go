package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/metrics"
)

// Shape is the cluster's shape at one moment: each live worker's report.
type Shape map[string]Report

// String is the shape in one line, a partition that is hosted but not
// running yet (waiting for its lease, recovering) marked ~, a report a
// worker's earlier life left behind marked with its life:
// "w1:0,3,~5 w2:1,4".
func (s Shape) String() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s)) {
		r := s[name]
		ps := make([]string, len(r.Partitions))
		for i, p := range r.Partitions {
			ps[i] = fmt.Sprint(p)
			if !slices.Contains(r.Running, p) {
				ps[i] = "~" + ps[i]
			}
		}
		parts = append(parts, name+":"+strings.Join(ps, ","))
	}
	return strings.Join(parts, " ")
}

// Settled says whether each of partitions 0..n-1 is hosted by exactly
// one worker and runs there: no move or recovery under way.
func (s Shape) Settled(n int) bool {
	hosts := make([]int, n)
	for _, r := range s {
		for _, p := range r.Partitions {
			if p < 0 || p >= n || !slices.Contains(r.Running, p) {
				return false
			}
			hosts[p]++
		}
	}
	for _, h := range hosts {
		if h != 1 {
			return false
		}
	}
	return true
}

// ReadShape reads the reports of the workers of hub.
func ReadShape(ctx context.Context, b port.Blob, hub string) (Shape, error) {
	names, err := listWorkers(ctx, b, hub)
	if err != nil {
		return nil, err
	}
	s := Shape{}
	for _, name := range names {
		d, err := b.GetBlob(ctx, netherite.WorkerBlob(hub, name), port.Range{})
		if errors.Is(err, port.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var r Report
		if len(d.Data) == 0 {
			continue // created, not yet reported
		}
		if err := json.Unmarshal(d.Data, &r); err != nil {
			return nil, fmt.Errorf("worker blob %s: %w", name, err)
		}
		s[name] = r
	}
	return s, nil
}

// Sample is the shape seen at At since the sampler started.
type Sample struct {
	AtMs  int64 `json:"atMs"`
	Shape Shape `json:"shape"`
}

// Sampler records the cluster's shape whenever it changes.
type Sampler struct {
	mu      sync.Mutex
	samples []Sample
	errs    int
	t0      time.Time
	stop    context.CancelFunc
	done    chan struct{}
}

// ShapeReader reads a cluster's shape from its storage.
type ShapeReader func(ctx context.Context, b port.Blob) (Shape, error)

// StartSampler reads the cluster's shape with read every period until
// Stop.
func StartSampler(ctx context.Context, sh Shared, read ShapeReader, period time.Duration) (*Sampler, error) {
	az, err := azure.Open(ctx, sh.ConnectionString, azure.Options{Namespace: sh.Namespace})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	t0 := time.Now()
	s := &Sampler{t0: t0, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(period)
		defer t.Stop()
		last := ""
		for {
			shape, err := read(ctx, az)
			s.mu.Lock()
			if err != nil {
				s.errs++
			} else if text := shape.String(); text != last {
				last = text
				s.samples = append(s.samples, Sample{AtMs: time.Since(t0).Milliseconds(), Shape: shape})
			}
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s, nil
}

// AtMs is t on the samples' clock: milliseconds since the sampler started.
func (s *Sampler) AtMs(t time.Time) int64 { return t.Sub(s.t0).Milliseconds() }

// WaitRecovered goes on sampling, at most for limit, until the partitions
// of every worker lost so far run again (Measured gives each loss a
// recovery): a run may end before its cluster has recovered.
func (s *Sampler) WaitRecovered(ctx context.Context, kills []Kill, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		s.mu.Lock()
		samples := slices.Clone(s.samples)
		s.mu.Unlock()
		if recovered(samples, kills) || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// recovered says whether every loss in samples — each kill of a worker
// that hosted partitions, each worker that left otherwise — has its
// partitions running again.
func recovered(samples []Sample, kills []Kill) bool {
	for _, k := range kills {
		if _, ok := killRecovery(samples, k); !ok {
			return false
		}
	}
	for _, l := range departures(samples, kills) {
		if _, ok := leftRecovery(samples, l); !ok {
			return false
		}
	}
	return true
}

// Stop ends the sampling and returns the shapes seen, in time order.
func (s *Sampler) Stop() []Sample {
	s.stop()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.samples)
}

// Kill is a worker process the load had its supervisor SIGKILL, AtMs
// after the sampler started.
type Kill struct {
	Worker string
	AtMs   int64
}

// Measured turns the shapes a sampler saw into a run's metrics: the
// workers and their cores, the placement over time, and the recoveries.
// For each kill, from the kill until every partition the worker hosted
// (in the last shape before it) runs again: hosted, its lease held and
// its state recovered, by another worker or by a new life of the same
// one. For each worker that left otherwise (a graceful stop), from the
// first shape without it until its partitions run elsewhere. A loss not
// recovered before the run ended gets no entry. The resolution is the
// sampler's period.
func Measured(samples []Sample, kills []Kill) (*metrics.Cluster, []metrics.Recovery) {
	c := &metrics.Cluster{Cores: map[string]int{}}
	for _, smp := range samples {
		pl := metrics.Placement{AtMs: smp.AtMs, Hosts: map[string][]int{}}
		for name, r := range smp.Shape {
			pl.Hosts[name] = slices.Clone(r.Partitions)
			for _, p := range r.Partitions {
				if !slices.Contains(r.Running, p) {
					if pl.Waiting == nil {
						pl.Waiting = map[string][]int{}
					}
					pl.Waiting[name] = append(pl.Waiting[name], p)
				}
			}
			if _, ok := c.Cores[name]; !ok {
				c.Workers++
			}
			c.Cores[name] = r.Cores
		}
		c.Placement = append(c.Placement, pl)
	}
	var recs []metrics.Recovery
	for _, k := range kills {
		if r, ok := killRecovery(samples, k); ok && r != nil {
			recs = append(recs, *r)
		}
	}
	for _, l := range departures(samples, kills) {
		if r, ok := leftRecovery(samples, l); ok {
			recs = append(recs, r)
		}
	}
	return c, recs
}

// departure is a worker that was not killed by the plan and whose report
// is gone from sample i on (a graceful stop, or a kill the load did not
// make, seen once a survivor deleted the dead worker's blob).
type departure struct {
	i   int
	was Report
}

// departures lists the workers that left during samples other than by
// kills.
func departures(samples []Sample, kills []Kill) []departure {
	var ds []departure
	for i := 1; i < len(samples); i++ {
		for _, name := range slices.Sorted(maps.Keys(samples[i-1].Shape)) {
			if _, still := samples[i].Shape[name]; still || slices.ContainsFunc(kills, func(k Kill) bool { return k.Worker == name }) {
				continue
			}
			ds = append(ds, departure{i, samples[i-1].Shape[name]})
		}
	}
	return ds
}

// leftRecovery is the recovery after departure d: from the first shape
// without the worker until its partitions run elsewhere; not ok while
// they do not.
func leftRecovery(samples []Sample, d departure) (metrics.Recovery, bool) {
	for j := d.i; j < len(samples); j++ {
		if runsAgain(samples[j].Shape, d.was) {
			return metrics.Recovery{Fault: "worker " + d.was.Worker + " left", AtMs: float64(samples[d.i].AtMs),
				RecoveryMs: float64(samples[j].AtMs - samples[d.i].AtMs), Measure: metrics.MeasurePlacement,
				Detail: fmt.Sprintf("partitions %v running again: %s", d.was.Partitions, samples[j].Shape)}, true
		}
	}
	return metrics.Recovery{}, false
}

// killRecovery is the recovery after kill k: ok with a nil recovery
// when the worker hosted nothing (or no shape came before the kill),
// not ok while its partitions do not all run again.
func killRecovery(samples []Sample, k Kill) (*metrics.Recovery, bool) {
	i := sort.Search(len(samples), func(i int) bool { return samples[i].AtMs > k.AtMs })
	if i == 0 {
		return nil, true // no shape before the kill
	}
	was := samples[i-1].Shape[k.Worker]
	if len(was.Partitions) == 0 {
		return nil, true
	}
	for j := i; j < len(samples); j++ {
		if runsAgain(samples[j].Shape, was) {
			return &metrics.Recovery{Fault: "kill -9 of worker " + k.Worker, AtMs: float64(k.AtMs),
				RecoveryMs: float64(samples[j].AtMs - k.AtMs), Measure: metrics.MeasurePlacement,
				Detail: fmt.Sprintf("partitions %v running again: %s", was.Partitions, samples[j].Shape)}, true
		}
	}
	return nil, false
}

// runsAgain says whether every partition of the report was (a worker's
// report from a life that has ended) runs in s: on another worker, or on
// a later life of the same one.
func runsAgain(s Shape, was Report) bool {
	for _, p := range was.Partitions {
		found := false
		for name, r := range s {
			if (name != was.Worker || r.Life != was.Life) && slices.Contains(r.Running, p) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
