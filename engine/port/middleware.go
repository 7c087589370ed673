package port

import "context"

// Exec executes one op and returns its result, as Op.Apply does.
type Exec func(ctx context.Context, op Op) (any, error)

// Middleware decorates an Exec: a meter counts each op, a fault injector
// fails, delays or duplicates it. Both drivers run every storage request
// through their chain at the moment they apply it, so a decorator is
// written once, against Op (its Kind, Target and Bytes), not once per
// store method.
type Middleware func(next Exec) Exec

// Chain returns the Exec that runs an op through mws, the first outermost,
// and then applies it to s.
func Chain(s *Stores, mws ...Middleware) Exec {
	exec := Exec(func(ctx context.Context, op Op) (any, error) { return op.Apply(ctx, s) })
	for i := len(mws) - 1; i >= 0; i-- {
		exec = mws[i](exec)
	}
	return exec
}
