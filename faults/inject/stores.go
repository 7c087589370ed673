package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

// Wrap returns Stores whose every non-nil port injects in's storage and
// stream faults, the same decorator shape as backends/meter. Wrap the
// backend first and meter the result, so that injected errors are counted
// as requests too; or meter first to count only what reached the backend.
func (in *Injector) Wrap(s *port.Stores) *port.Stores {
	w := &port.Stores{}
	if s.Blob != nil {
		w.Blob = blobI{s.Blob, in}
	}
	if s.Page != nil {
		w.Page = pageI{s.Page, in}
	}
	if s.Append != nil {
		w.Append = appendI{s.Append, in}
	}
	if s.Leases != nil {
		w.Leases = leasesI{s.Leases, in}
	}
	if s.Sync != nil {
		w.Sync = syncI{s.Sync, in}
	}
	if s.Queue != nil {
		w.Queue = queueI{s.Queue, in}
	}
	if s.Queues != nil {
		w.Queues = queuesI{s.Queues, in}
	}
	if s.Table != nil {
		w.Table = tableI{s.Table, in}
	}
	if s.Stream != nil {
		w.Stream = streamI{s.Stream, in}
	}
	if s.SQL != nil {
		w.SQL = sqlI{s.SQL, in}
	}
	if s.Cursors != nil {
		w.Cursors = cursorsI{s.Cursors, in}
	}
	return w
}

// call runs one request of op kind through the plan: a throttle or error
// fails it before f runs; a stream delay sleeps before f; f runs; a latency
// multiplier sleeps (factor-1) times f's duration on Clock (zero under
// the simulator, whose clock stands still during a call); an error-after
// replaces f's success with an ambiguous error. A request that fails by
// itself keeps its own error.
func call[T any](ctx context.Context, in *Injector, kind string, f func() (T, error)) (T, error) {
	return callWith(ctx, in, kind, func(decision) (T, error) { return f() })
}

// callWith is call for requests whose f needs the decision (stream appends
// that may be duplicated).
func callWith[T any](ctx context.Context, in *Injector, kind string, f func(decision) (T, error)) (T, error) {
	var zero T
	d := in.decide(kind, false)
	sleep := in.cfg.Sleep
	var lat decision
	if sleep != nil {
		// Drawn even for a request about to fail, so that error lines never
		// shift the latency lines' decisions.
		lat = in.decide(kind, true)
	}
	if d.fail != nil {
		in.count(d.fail.Fault.Kind, kind)
		return zero, d.fail
	}
	if sleep != nil {
		if lat.delay > 0 {
			if err := sleep(ctx, lat.delay); err != nil {
				return zero, err
			}
		}
	}
	t0 := in.cfg.Clock()
	r, err := f(d)
	if sleep != nil && lat.factor > 1 {
		if extra := port.Time(float64(in.cfg.Clock()-t0) * (lat.factor - 1)); extra > 0 {
			_ = sleep(ctx, extra) // the op is done: a cancelled wait changes nothing
		}
	}
	for _, lf := range lat.latFault {
		in.count(lf.Kind, kind)
	}
	if err != nil {
		return r, err
	}
	if d.after != nil {
		in.count(d.after.Fault.Kind, kind)
		return zero, d.after
	}
	return r, nil
}

// call0 is call for requests without a result.
func call0(ctx context.Context, in *Injector, kind string, f func() error) error {
	_, err := call(ctx, in, kind, func() (struct{}, error) { return struct{}{}, f() })
	return err
}
