package host

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/port"
	"github.com/stretchr/testify/require"
)

// lifeCore reports every input of one life (its number) and sets a timer
// far enough out to fire only after a crash.
type lifeCore struct {
	life   int
	events chan string
	rd     port.Ready
}

func (c *lifeCore) Step(now port.Time, in port.Input) {
	switch x := in.(type) {
	case port.Started:
		c.rd.Timers = append(c.rd.Timers, port.Timer{ID: 1, At: now + 50*port.Millisecond})
		c.events <- fmt.Sprintf("life %d: started", c.life)
	case port.TimerFired:
		c.events <- fmt.Sprintf("life %d: timer", c.life)
	case port.ClientCall:
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: x.ID, Resp: c.life})
		c.events <- fmt.Sprintf("life %d: call %d", c.life, x.ID)
	}
}
func (c *lifeCore) Ready() port.Ready  { return c.rd }
func (c *lifeCore) Advance(port.Ready) { c.rd = port.Ready{} }
func (c *lifeCore) Close()             { c.events <- fmt.Sprintf("life %d: closed", c.life) }
func next(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return ""
	}
}

// A crashed core is discarded at once (its pending timer never reaches
// any life), inputs for it while down are dropped, and Restart starts a
// new life from the factory with port.Started; Control waits for the
// core's answer to a call.
func TestCrashAndRestartMakeANewLife(t *testing.T) {
	d, err := New(Config{Stores: &port.Stores{}})
	require.NoError(t, err)
	events := make(chan string, 16)
	lives := 0
	id := d.AddCore("p00", func() port.Core { lives++; return &lifeCore{life: lives, events: events} })
	got, ok := d.CoreByName("p00")
	require.True(t, ok)
	require.Equal(t, id, got)
	require.Error(t, d.Crash(id), "not started")
	d.Start(context.Background())
	defer d.Stop()
	require.Equal(t, "life 1: started", next(t, events))
	require.NoError(t, d.Crash(id))
	require.Equal(t, "life 1: closed", next(t, events))
	require.ErrorContains(t, d.Crash(id), "already down")
	d.Call(id, port.ClientCall{ID: 7}) // dropped: the core is down
	time.Sleep(100 * time.Millisecond) // past life 1's timer: only to let a stale delivery show
	require.NoError(t, d.Restart(id))
	require.Equal(t, "life 2: started", next(t, events))
	require.ErrorContains(t, d.Restart(id), "not crashed")
	d.Call(id, port.ClientCall{ID: 8})
	require.Equal(t, "life 2: call 8", next(t, events))
	require.Equal(t, "life 2: timer", next(t, events), "life 1's timer and call 7 never arrive")
	require.Equal(t, 2, lives)
	r, err := d.Control(context.Background(), id, port.ClientCall{ID: 9})
	require.NoError(t, err)
	require.Equal(t, port.Response{ID: 9, Resp: 2}, r, "Control gets the core's answer")
	require.Equal(t, "life 2: call 9", next(t, events))
}
