package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
)

// Middleware runs every op through the plan's storage and stream faults,
// as a port.Middleware in a driver's chain (sim.Config.Middleware,
// host.Config.Middleware). Put it before the meter (outermost) so that
// only requests that reached the backend are metered, duplicated stream
// appends twice.
//
// For one request of op kind k: a throttle or error fails it before it is
// applied; a stream delay sleeps before it; it is applied; a latency
// multiplier sleeps (factor-1) times its duration on Clock (zero under
// the simulator, whose clock stands still while an op is applied); a
// duplicate-stream fault appends the batch a second time (the caller gets
// the first copy's position, receivers must drop the duplicate by
// (origin, position)); an error-after replaces its success with an
// ambiguous error. A request that fails by itself keeps its own error.
// SQL calls are one request each (an error-after reports a committed
// transaction as failed).
func (in *Injector) Middleware(next port.Exec) port.Exec {
	return func(ctx context.Context, op port.Op) (any, error) {
		kind := string(op.Kind())
		d := in.decide(kind, false)
		sleep := in.cfg.Sleep
		var lat decision
		if sleep != nil {
			// Drawn even for a request about to fail, so that error lines
			// never shift the latency lines' decisions.
			lat = in.decide(kind, true)
		}
		if d.fail != nil {
			in.count(d.fail.Fault.Kind, kind)
			return nil, d.fail
		}
		if sleep != nil && lat.delay > 0 {
			if err := sleep(ctx, lat.delay); err != nil {
				return nil, err
			}
		}
		t0 := in.cfg.Clock()
		r, err := next(ctx, op)
		if err == nil && d.dup {
			if _, derr := next(ctx, op); derr == nil {
				in.count(plan.DuplicateStream, kind)
			}
		}
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
			return nil, d.after
		}
		return r, nil
	}
}
