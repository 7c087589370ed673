package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

// sqlI runs each procedure call through the plan as one request of kind
// "sql-<proc>" (a failed call changed nothing; an error-after fault
// reports a committed transaction as failed, the ambiguous case).
type sqlI struct {
	in port.Relational
	j  *Injector
}

func (s sqlI) Exec(ctx context.Context, hub string, p port.Proc) (any, error) {
	return call(ctx, s.j, "sql-"+p.ProcName(), func() (any, error) { return s.in.Exec(ctx, hub, p) })
}
