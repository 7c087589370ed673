package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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

// String is the shape in one line: "w1:0,3 w2:1,4".
func (s Shape) String() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(s)) {
		ps := make([]string, len(s[name].Partitions))
		for i, p := range s[name].Partitions {
			ps[i] = fmt.Sprint(p)
		}
		parts = append(parts, name+":"+strings.Join(ps, ","))
	}
	return strings.Join(parts, " ")
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
	s := &Sampler{stop: cancel, done: make(chan struct{})}
	t0 := time.Now()
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

// Stop ends the sampling and returns the shapes seen, in time order.
func (s *Sampler) Stop() []Sample {
	s.stop()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.samples)
}

// Measured turns the shapes a sampler saw into a run's metrics: the
// workers and their cores, the placement over time, and one recovery per
// worker that left while the run went on (from the first shape without it
// until every partition it hosted is hosted elsewhere; a worker whose
// partitions were never re-placed before the run ended gets no entry).
func Measured(samples []Sample) (*metrics.Cluster, []metrics.Recovery) {
	c := &metrics.Cluster{Cores: map[string]int{}}
	for _, smp := range samples {
		pl := metrics.Placement{AtMs: smp.AtMs, Hosts: map[string][]int{}}
		for name, r := range smp.Shape {
			pl.Hosts[name] = slices.Clone(r.Partitions)
			if _, ok := c.Cores[name]; !ok {
				c.Workers++
			}
			c.Cores[name] = r.Cores
		}
		c.Placement = append(c.Placement, pl)
	}
	var recs []metrics.Recovery
	for i := 1; i < len(samples); i++ {
		for _, name := range slices.Sorted(maps.Keys(samples[i-1].Shape)) {
			if _, still := samples[i].Shape[name]; still {
				continue
			}
			lost := samples[i-1].Shape[name].Partitions
			for j := i; j < len(samples); j++ {
				if hostedBy(samples[j].Shape, lost, name) {
					recs = append(recs, metrics.Recovery{Fault: "worker " + name + " left", AtMs: float64(samples[i].AtMs),
						RecoveryMs: float64(samples[j].AtMs - samples[i].AtMs), Measure: metrics.MeasurePlacement,
						Detail: fmt.Sprintf("partitions %v re-placed: %s", lost, samples[j].Shape)})
					break
				}
			}
		}
	}
	return c, recs
}

// hostedBy says whether every partition of ps is hosted in s by a worker
// other than gone.
func hostedBy(s Shape, ps []int, gone string) bool {
	for _, p := range ps {
		found := false
		for name, r := range s {
			if name != gone && slices.Contains(r.Partitions, p) {
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
