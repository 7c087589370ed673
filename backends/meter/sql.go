package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

// sqlM counts procedure calls by op kind ("sql-<proc>"): parameters as
// bytes written, returned events, history and payloads as bytes read.
type sqlM struct {
	in port.Relational
	m  *Meter
}

func (s sqlM) Exec(ctx context.Context, hub string, p port.Proc) (any, error) {
	return do(s.m, "sql-"+p.ProcName(), p.ProcBytes(), func() (any, error) { return s.in.Exec(ctx, hub, p) }, sqlRead)
}

func sqlRead(r any) int {
	n := 0
	switch v := r.(type) {
	case port.SQLWorkItem:
		for _, e := range v.Events {
			n += len(e.Event)
		}
		for _, h := range v.History {
			n += len(h.Event)
		}
	case port.SQLTask:
		n = len(v.Event)
	case port.SQLInstance:
		n = len(v.Input) + len(v.Output) + len(v.Custom) + len(v.Failure)
	}
	return n
}
