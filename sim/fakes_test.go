package sim

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// fakeStore is a tiny shared "cloud storage" for driver tests: named logs of
// records. Test ops carry a pointer to it and ignore port.Stores, so these
// tests do not depend on the real storage ports.
type fakeStore struct {
	logs map[string][]string
}

func newFakeStore() *fakeStore { return &fakeStore{logs: map[string][]string{}} }

// appendOp appends rec to log key; result: the new length.
type appendOp struct {
	st    *fakeStore
	kind  string
	key   string
	rec   string
	bytes int
}

func (o appendOp) Kind() port.OpKind { return port.OpKind(o.kind) }
func (o appendOp) Bytes() int        { return o.bytes }
func (o appendOp) Target() string    { return "log/" + o.key }
func (o appendOp) Apply(context.Context, *port.Stores) (any, error) {
	o.st.logs[o.key] = append(o.st.logs[o.key], o.rec)
	return len(o.st.logs[o.key]), nil
}

// lenOp reads the length of log key.
type lenOp struct {
	st  *fakeStore
	key string
}

func (o lenOp) Kind() port.OpKind { return port.KindBlobGet }
func (o lenOp) Bytes() int        { return 0 }
func (o lenOp) Target() string    { return "log/" + o.key }
func (o lenOp) Apply(context.Context, *port.Stores) (any, error) {
	return len(o.st.logs[o.key]), nil
}

// counterCore writes one record per timer tick to its log (making the log
// durable to the record's position), then publishes it to an outbox queue
// with a Needs mark on that position, runs an activity every third record,
// and answers client calls with its count. After a restart it recovers its
// count by reading the log length.
type counterCore struct {
	name     string
	st       *fakeStore
	max      int
	badNeeds bool // publish with a Needs mark one past what is durable

	count, acts int
	nextID      uint64
	pending     map[port.RequestID]string
	rd          port.Ready
}

func newCounter(name string, st *fakeStore, max int) *counterCore {
	return &counterCore{name: name, st: st, max: max, pending: map[port.RequestID]string{}}
}

func (c *counterCore) id() uint64 { c.nextID++; return c.nextID }

func (c *counterCore) request(what string, op port.Op, needs, makes port.Mark) {
	id := port.RequestID(c.id())
	c.pending[id] = what
	c.rd.Requests = append(c.rd.Requests, port.Request{ID: id, Op: op, Needs: needs, Makes: makes})
}

func (c *counterCore) timer(at port.Time) {
	c.rd.Timers = append(c.rd.Timers, port.Timer{ID: port.TimerID(c.id()), At: at})
}

func (c *counterCore) Step(now port.Time, in port.Input) {
	c.rd.Work = append(c.rd.Work, port.Work{Kind: "count-step", N: 1})
	switch v := in.(type) {
	case port.Started:
		c.request("recover", lenOp{st: c.st, key: c.name}, port.Mark{}, port.Mark{})
	case port.TimerFired:
		if c.count < c.max {
			rec := fmt.Sprintf("%s#%d", c.name, c.count+1)
			c.request("write", appendOp{st: c.st, kind: "page-write", key: c.name, rec: rec, bytes: 512},
				port.Mark{}, port.Mark{Log: c.name, Pos: int64(c.count + 1)})
		}
	case port.Completion:
		c.complete(now, v)
	case port.ActivityDone:
		c.acts++
	case port.ClientCall:
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: v.ID, Resp: c.count})
	}
}

func (c *counterCore) complete(now port.Time, v port.Completion) {
	what := c.pending[v.ID]
	delete(c.pending, v.ID)
	switch what {
	case "recover":
		c.count = v.Result.(int)
		c.timer(now + port.Millisecond)
	case "write":
		c.count = v.Result.(int)
		needs := int64(c.count)
		if c.badNeeds {
			needs++
		}
		c.request("publish", appendOp{st: c.st, kind: "queue-enqueue", key: "outbox", rec: fmt.Sprintf("%s@%d", c.name, c.count), bytes: 64},
			port.Mark{Log: c.name, Pos: needs}, port.Mark{})
		if c.count%3 == 0 {
			n := c.count
			c.rd.Activities = append(c.rd.Activities, port.ActivityTask{
				ID: port.ActivityID(c.id()), Name: "Square",
				Run: func() ([]byte, error) { return []byte(fmt.Sprint(n * n)), nil },
			})
		}
		c.timer(now + port.Millisecond)
	}
}

func (c *counterCore) Ready() port.Ready { return c.rd }

func (c *counterCore) Advance(rd port.Ready) {
	c.rd.Requests = c.rd.Requests[:0]
	c.rd.Timers = c.rd.Timers[:0]
	c.rd.Activities = c.rd.Activities[:0]
	c.rd.Responses = c.rd.Responses[:0]
	c.rd.Work = c.rd.Work[:0]
}
