package host

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/stretchr/testify/require"
)

// recordOp appends its number to a shared per-object log when applied.
type recordOp struct {
	obj string
	n   int
	log *objLog
}

type objLog struct {
	mu      sync.Mutex
	applied map[string][]int
}

func (o recordOp) Kind() port.OpKind { return "test-op" }
func (o recordOp) Bytes() int        { return 0 }
func (o recordOp) Target() string    { return "test/" + o.obj }
func (o recordOp) Apply(context.Context, *port.Stores) (any, error) {
	o.log.mu.Lock()
	defer o.log.mu.Unlock()
	o.log.applied[o.obj] = append(o.log.applied[o.obj], o.n)
	return o.n, nil
}

// testCore issues requests, timers and activities at start, and answers
// client calls; what it sees is reported on a channel.
type testCore struct {
	log    *objLog
	events chan string
	rd     port.Ready
	nextID port.RequestID
	order  map[string][]int
	marked bool
}

func (c *testCore) req(op port.Op, needs, makes port.Mark) {
	c.nextID++
	c.rd.Requests = append(c.rd.Requests, port.Request{ID: c.nextID, Op: op, Needs: needs, Makes: makes})
}

func (c *testCore) Step(now port.Time, in port.Input) {
	switch x := in.(type) {
	case port.Started:
		for i := 0; i < 40; i++ {
			c.req(recordOp{obj: []string{"a", "b"}[i%2], n: i, log: c.log}, port.Mark{}, port.Mark{})
		}
		c.req(recordOp{obj: "log", n: 100, log: c.log}, port.Mark{}, port.Mark{Log: "L", Pos: 10})
		c.rd.Timers = append(c.rd.Timers, port.Timer{ID: 1, At: now}, port.Timer{ID: 2, At: now + port.Millisecond})
		c.rd.Activities = append(c.rd.Activities,
			port.ActivityTask{ID: 1, Name: "ok", Run: func() ([]byte, error) { return []byte("fine"), nil }},
			port.ActivityTask{ID: 2, Name: "bad", Run: func() ([]byte, error) { return nil, errors.New("nope") }},
			port.ActivityTask{ID: 3, Name: "bug", Run: func() ([]byte, error) { panic("core bug") }})
		c.rd.Requests = append(c.rd.Requests, port.Request{ID: 999})
	case port.Completion:
		if x.ID == 999 {
			c.events <- "nil-op:" + x.Err.Error()
			return
		}
		n := x.Result.(int)
		if n == 100 && !c.marked {
			c.marked = true
			c.req(recordOp{obj: "send", n: 101, log: c.log}, port.Mark{Log: "L", Pos: 10}, port.Mark{}) // fine
			c.req(recordOp{obj: "send", n: 102, log: c.log}, port.Mark{Log: "L", Pos: 11}, port.Mark{}) // too early
		}
		c.events <- "done"
	case port.TimerFired:
		c.events <- "timer"
	case port.ActivityDone:
		msg := "activity:" + string(x.Output)
		if x.Err != nil {
			msg = "activity-error:" + x.Err.Error()
		}
		c.events <- msg
	case port.ClientCall:
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: x.ID, Resp: x.Req})
	}
}

func (c *testCore) Ready() port.Ready { return c.rd }
func (c *testCore) Advance(port.Ready) {
	c.rd = port.Ready{}
}

func TestDriverRunsACore(t *testing.T) {
	log := &objLog{applied: map[string][]int{}}
	core := &testCore{log: log, events: make(chan string, 256), order: map[string][]int{}}
	responses := make(chan port.Response, 1)
	// A middleware sees every request where it is applied, in each
	// object's issue order (a request without an op never reaches it).
	var seenMu sync.Mutex
	seen := map[string][]int{}
	watch := func(next port.Exec) port.Exec {
		return func(ctx context.Context, op port.Op) (any, error) {
			seenMu.Lock()
			seen[op.Target()] = append(seen[op.Target()], op.(recordOp).n)
			seenMu.Unlock()
			return next(ctx, op)
		}
	}
	d, err := New(Config{Stores: &port.Stores{}, ActivityWorkers: 2, Middleware: []port.Middleware{watch},
		OnResponse: func(_ CoreID, r port.Response) { responses <- r }})
	require.NoError(t, err)
	id := d.AddCore("test", func() port.Core { return core })
	d.Start(context.Background())
	d.Call(id, port.ClientCall{ID: 7, Req: "ping"})

	counts := map[string]int{}
	var messages []string
	deadline := time.After(20 * time.Second) // a bound on waiting, not a timing assertion
	for counts["done"] < 43 || counts["timer"] < 2 || len(messages) < 3 || counts["nil"] < 1 {
		select {
		case ev := <-core.events:
			switch {
			case ev == "done" || ev == "timer":
				counts[ev]++
			case len(ev) > 7 && ev[:7] == "nil-op:":
				counts["nil"]++
			default:
				messages = append(messages, ev)
			}
		case <-deadline:
			t.Fatalf("core did not finish: %v %v", counts, messages)
		}
	}
	r := <-responses
	d.Stop()

	require.Equal(t, port.CallID(7), r.ID)
	require.Equal(t, "ping", r.Resp)
	require.ElementsMatch(t, []string{"activity:fine", "activity-error:nope", "activity-error:activity panic: core bug"}, messages)
	// Requests on one object were applied in issue order.
	for obj, want := range map[string][]int{"a": evens(0, 40), "b": evens(1, 40), "send": {101, 102}} {
		require.Equal(t, want, log.applied[obj], obj)
		require.Equal(t, want, seen["test/"+obj], "the middleware saw %s's requests", obj)
	}
	require.Len(t, seen, 4, "a, b, log and send; not the request without an op")
	// The outbox rule was checked: the second send needed more than was durable.
	v := d.Violations()
	require.Len(t, v, 1)
	require.Equal(t, port.Mark{Log: "L", Pos: 11}, v[0].Needs)
	require.EqualValues(t, 10, v[0].Durable)
	pos, ok := d.Durable("L")
	require.True(t, ok)
	require.EqualValues(t, 10, pos)
}

func evens(from, to int) []int {
	var out []int
	for i := from; i < to; i += 2 {
		out = append(out, i)
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{})
	require.ErrorContains(t, err, "Stores")
	_, err = New(Config{Stores: &port.Stores{}, ActivityWorkers: -1})
	require.ErrorContains(t, err, "ActivityWorkers = -1")
}

type closingCore struct {
	testCore
	closed chan struct{}
}

func (c *closingCore) Close() { close(c.closed) }

func TestStopClosesCores(t *testing.T) {
	c := &closingCore{testCore: testCore{log: &objLog{applied: map[string][]int{}}, events: make(chan string, 256)}, closed: make(chan struct{})}
	d, err := New(Config{Stores: &port.Stores{}})
	require.NoError(t, err)
	d.AddCore("c", func() port.Core { return c })
	d.Start(context.Background())
	d.Stop()
	select {
	case <-c.closed:
	default:
		t.Fatal("Stop returned without closing the core")
	}
}
