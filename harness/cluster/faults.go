package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim/rng"
)

// A cluster's fault plan reaches its workers through one blob of the task
// hub (FaultsBlob): the load process writes the plan's text, its time
// origin (the load's start, Unix ns) and the run's seed when its run
// starts; every worker polls the blob and runs its engine's storage
// requests through an injector of that plan, on the wall clock from that
// origin, with random decisions from the seed forked by the worker's name.
// A worker that starts later (a restart) reads the same blob and applies
// the same plan from the same origin. Timed lines (crash, restart) are the
// supervisor's, not the workers'. On one machine all processes share a
// clock; across machines the origin is as good as their clocks' sync.

// FaultsBlob is the blob holding hub's fault plan.
func FaultsBlob(hub string) string { return hub + "/faults.json" }

// Faults is what FaultsBlob holds.
type Faults struct {
	Plan   string `json:"plan"`
	Origin int64  `json:"originUnixNs"`
	Seed   uint64 `json:"seed"`
}

// WriteFaults stores a run's fault plan for the workers of hub.
func WriteFaults(ctx context.Context, b port.Blob, hub string, f Faults) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if _, err := b.PutBlob(ctx, FaultsBlob(hub), data, port.Cond{}); err != nil {
		return fmt.Errorf("fault plan blob %s: %w", FaultsBlob(hub), err)
	}
	return nil
}

// faultsPoll is how often a worker reads FaultsBlob.
const faultsPoll = 200 * time.Millisecond

// planInjector is a worker's middleware: the injector of the latest plan
// read from FaultsBlob (none yet: requests pass through).
type planInjector struct {
	name string
	cur  atomic.Pointer[inject.Injector]
	etag string
	logf func(format string, args ...any)
}

// Middleware implements port.Middleware.
func (pi *planInjector) Middleware(next port.Exec) port.Exec {
	return func(ctx context.Context, op port.Op) (any, error) {
		if in := pi.cur.Load(); in != nil {
			return in.Middleware(next)(ctx, op)
		}
		return next(ctx, op)
	}
}

// poll reads FaultsBlob every faultsPoll until ctx ends.
func (pi *planInjector) poll(ctx context.Context, b port.Blob, hub string) {
	t := time.NewTicker(faultsPoll)
	defer t.Stop()
	for {
		if err := pi.read(ctx, b, hub); err != nil && ctx.Err() == nil {
			pi.logf("worker %s: fault plan: %v", pi.name, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (pi *planInjector) read(ctx context.Context, b port.Blob, hub string) error {
	d, err := b.GetBlob(ctx, FaultsBlob(hub), port.Range{})
	if errors.Is(err, port.ErrNotFound) {
		return nil
	}
	if err != nil || d.Props.ETag == pi.etag {
		return err
	}
	pi.etag = d.Props.ETag
	var f Faults
	if err := json.Unmarshal(d.Data, &f); err != nil {
		return fmt.Errorf("%s: %w", FaultsBlob(hub), err)
	}
	p, err := plan.Parse(f.Plan)
	if err != nil {
		return fmt.Errorf("%s: %w", FaultsBlob(hub), err)
	}
	in, err := inject.New(inject.Config{Plan: p, Rand: rng.New(f.Seed).Fork("faults/" + pi.name),
		Clock: func() port.Time { return port.Time(time.Now().UnixNano()) }, Start: port.Time(f.Origin),
		Sleep: func(ctx context.Context, d port.Time) error {
			t := time.NewTimer(time.Duration(d))
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}})
	if err != nil {
		return err
	}
	pi.report()
	pi.cur.Store(in)
	pi.logf("worker %s: fault plan from %s, origin %s: %q", pi.name, FaultsBlob(hub),
		time.Unix(0, f.Origin).UTC().Format(time.RFC3339Nano), strings.ReplaceAll(p.String(), "\n", "; "))
	return nil
}

// report logs what the current plan injected.
func (pi *planInjector) report() {
	in := pi.cur.Load()
	if in == nil {
		return
	}
	var parts []string
	for _, c := range in.Counts() {
		parts = append(parts, fmt.Sprintf("%s %s %d", c.Fault, c.What, c.N))
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	pi.logf("worker %s: faults injected: %s", pi.name, strings.Join(parts, ", "))
}
