package host

import (
	"context"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/stretchr/testify/require"
)

// fakeEngine is a client core that keeps instance statuses in memory: an
// instance completes when the event "finish" is raised on it; waits are
// answered then.
type fakeEngine struct {
	status  map[string]*durable.InstanceStatus
	waiters map[string][]port.CallID
	rd      port.Ready
}

func (f *fakeEngine) Step(_ port.Time, in port.Input) {
	call, ok := in.(port.ClientCall)
	if !ok {
		return
	}
	req := call.Req.(durable.ClientRequest)
	st := f.status[req.Instance]
	answer := func(resp durable.ClientResponse) {
		f.rd.Responses = append(f.rd.Responses, port.Response{ID: call.ID, Resp: resp})
	}
	switch req.Kind {
	case durable.RequestStart:
		f.status[req.Instance] = &durable.InstanceStatus{InstanceID: req.Instance, Name: req.Name, Status: durable.StatusRunning, Input: req.Payload}
		answer(durable.ClientResponse{Found: true, Status: *f.status[req.Instance]})
	case durable.RequestRaise:
		if st != nil && req.Name == "finish" {
			st.Status, st.Output = durable.StatusCompleted, req.Payload
			for _, w := range f.waiters[req.Instance] {
				f.rd.Responses = append(f.rd.Responses, port.Response{ID: w, Resp: durable.ClientResponse{Found: true, Status: *st}})
			}
			delete(f.waiters, req.Instance)
		}
		answer(durable.ClientResponse{Found: st != nil})
	case durable.RequestWait:
		if st != nil && !st.Done() {
			f.waiters[req.Instance] = append(f.waiters[req.Instance], call.ID)
			return
		}
		fallthrough
	case durable.RequestStatus:
		if st == nil {
			answer(durable.ClientResponse{})
			return
		}
		answer(durable.ClientResponse{Found: true, Status: *st})
	default:
		f.rd.Responses = append(f.rd.Responses, port.Response{ID: call.ID, Resp: "not a ClientResponse"})
	}
}

func (f *fakeEngine) Ready() port.Ready  { return f.rd }
func (f *fakeEngine) Advance(port.Ready) { f.rd = port.Ready{} }

func TestClientTalksToAClientCore(t *testing.T) {
	d, err := New(Config{Stores: &port.Stores{}})
	require.NoError(t, err)
	core := d.AddCore("client", func() port.Core {
		return &fakeEngine{status: map[string]*durable.InstanceStatus{}, waiters: map[string][]port.CallID{}}
	})
	c := d.NewClient(core)
	d.Start(context.Background())
	defer d.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	id, err := c.Start(ctx, "Hello5", map[string]int{"n": 1}, durable.StartWithID("i1"))
	require.NoError(t, err)
	require.Equal(t, "i1", id)
	st, err := c.Status(ctx, "i1")
	require.NoError(t, err)
	require.Equal(t, durable.StatusRunning, st.Status)
	require.JSONEq(t, `{"n":1}`, string(st.Input))

	done := make(chan durable.InstanceStatus, 1)
	go func() {
		st, err := c.Wait(ctx, "i1")
		if err == nil {
			done <- st
		}
		close(done)
	}()
	require.NoError(t, c.RaiseEvent(ctx, "i1", "finish", "bye"))
	st, ok := <-done
	require.True(t, ok, "wait failed")
	require.Equal(t, durable.StatusCompleted, st.Status)
	require.Equal(t, `"bye"`, string(st.Output))

	_, err = c.Status(ctx, "nope")
	require.ErrorIs(t, err, ErrUnknownInstance)
	require.ErrorContains(t, c.Purge(ctx, "i1"), "answered with a string")

	// A []byte input is the JSON itself, not base64 of it; invalid JSON
	// is refused before anything is sent.
	_, err = c.Start(ctx, "Hello5", []byte(`{"n":2}`), durable.StartWithID("raw"))
	require.NoError(t, err)
	st, err = c.Status(ctx, "raw")
	require.NoError(t, err)
	require.Equal(t, `{"n":2}`, string(st.Input))
	_, err = c.Start(ctx, "Hello5", []byte("n=2"), durable.StartWithID("bad"))
	require.ErrorContains(t, err, "start Hello5: a []uint8 input is taken as a JSON payload")
	_, err = c.Status(ctx, "bad")
	require.ErrorIs(t, err, ErrUnknownInstance, "nothing was started")

	random, err := c.Start(ctx, "Hello5", nil)
	require.NoError(t, err)
	require.Len(t, random, 32)

	// A wait that the engine holds ends with its context.
	_, err = c.Start(ctx, "Hello5", nil, durable.StartWithID("i2"))
	require.NoError(t, err)
	short, stop := context.WithCancel(ctx)
	stop()
	_, err = c.Wait(short, "i2")
	require.ErrorIs(t, err, context.Canceled)
}

// After Stop no core answers: a call waiting then, and any call after,
// returns ErrStopped instead of hanging.
func TestClientCallsEndWithErrStopped(t *testing.T) {
	d, err := New(Config{Stores: &port.Stores{}})
	require.NoError(t, err)
	core := d.AddCore("client", func() port.Core {
		return &fakeEngine{status: map[string]*durable.InstanceStatus{}, waiters: map[string][]port.CallID{}}
	})
	c := d.NewClient(core)
	d.Start(context.Background())
	ctx := context.Background() // no deadline: only Stop can end the wait
	_, err = c.Start(ctx, "Hello5", nil, durable.StartWithID("i1"))
	require.NoError(t, err)
	waited := make(chan error, 1)
	go func() {
		_, err := c.Wait(ctx, "i1") // the engine holds it: i1 never finishes
		waited <- err
	}()
	d.Stop()
	require.ErrorIs(t, <-waited, ErrStopped)
	_, err = c.Start(ctx, "Hello5", nil, durable.StartWithID("i2"))
	require.ErrorIs(t, err, ErrStopped)
	require.ErrorContains(t, err, "start i2: engine stopped")
	_, err = c.Wait(ctx, "i1")
	require.ErrorIs(t, err, ErrStopped)
	d.Stop() // a second Stop is harmless
}
