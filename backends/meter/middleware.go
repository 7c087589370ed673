package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

// Middleware counts every op that passes through it as one request of its
// kind: the payload it carries as bytes written (whether or not it
// succeeded), the payload it returned as bytes read, an error, and for a
// stream append the Event Hubs ingress events. Put it in a driver's chain
// (sim.Config.Middleware, host.Config.Middleware).
func (m *Meter) Middleware(next port.Exec) port.Exec {
	return func(ctx context.Context, op port.Op) (any, error) {
		res, err := next(ctx, op)
		kind := op.Kind()
		c := Counts{Requests: 1}
		if !kind.ReadsLength() {
			c.BytesWritten = int64(op.Bytes())
		}
		if err != nil {
			c.Errors = 1
		} else {
			c.BytesRead = int64(readBytes(res))
			if a, ok := op.(port.StreamAppend); ok {
				c.Events = Events(a.Records)
			}
		}
		m.record(string(kind), c)
		return res, err
	}
}

// readBytes is the payload an op's result carries back: blob and page
// data, message contents, stream records, entities, and a SQL call's
// events, history and payloads. Other results (ETags, positions, counts)
// are metadata and count zero.
func readBytes(res any) int {
	n := 0
	switch v := res.(type) {
	case port.BlobData:
		n = len(v.Data)
	case []byte:
		n = len(v)
	case []port.Message:
		for _, m := range v {
			n += len(m.Data)
		}
	case port.Records:
		n = port.RecordsBytes(v.Records)
	case port.Entity:
		if v.Size > 0 {
			return v.Size
		}
		n = port.EntitySize(v)
	case port.EntityPage:
		if v.Bytes > 0 {
			return v.Bytes
		}
		for _, e := range v.Entities {
			n += port.EntitySize(e)
		}
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
