// Package replaytest is a tiny single-threaded reference loop around the
// executors, for tests of orchestrations, entities and workloads before
// (and independently of) the engines: FIFO delivery, activities run inline,
// virtual time that jumps to the next timer. It is not an engine: no
// storage, no partitions, no failures.
package replaytest

import (
	"context"
	"sort"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
	"github.com/stretchr/testify/require"
)

// World runs instances to quiescence.
type World struct {
	T       testing.TB
	reg     *durable.Registry
	Now     int64
	Cursor  bool // keep executors as cached cursors (else replay every step)
	Hist    map[string][]durable.Event
	execs   map[string]*replay.Executor
	Ents    map[string]*replay.EntityState
	queue   []durable.Message
	timers  []durable.Message
	Last    map[string]replay.Result
	Steps   int
	Actions []string // every message sent, in order, for comparisons
}

// T0 is the virtual time a World starts at (Unix ns).
const T0 = int64(1_700_000_000_000_000_000)

// New returns an empty world; with cursor set, executors are kept between
// steps (cached cursors), else every step replays the history.
func New(t testing.TB, reg *durable.Registry, cursor bool) *World {
	return &World{T: t, reg: reg, Now: T0, Cursor: cursor, Hist: map[string][]durable.Event{},
		execs: map[string]*replay.Executor{}, Ents: map[string]*replay.EntityState{}, Last: map[string]replay.Result{}}
}

// Start queues the start of an orchestration.
func (w *World) Start(instance, name string, input any) {
	payload, err := durable.Marshal(input)
	require.NoError(w.T, err)
	w.queue = append(w.queue, durable.Message{To: instance, Event: durable.Event{Kind: durable.ExecutionStarted, Name: name, Payload: payload}})
}

// Raise queues an external event.
func (w *World) Raise(instance, name string, data any) {
	payload, err := durable.Marshal(data)
	require.NoError(w.T, err)
	w.queue = append(w.queue, durable.Message{To: instance, Event: durable.Event{Kind: durable.EventRaised, Name: name, Payload: payload}})
}

// Run delivers messages until nothing is left, advancing time to timers.
func (w *World) Run() {
	for guard := 0; guard < 100000; guard++ {
		if len(w.queue) == 0 {
			if len(w.timers) == 0 {
				return
			}
			sort.SliceStable(w.timers, func(i, j int) bool { return w.timers[i].Event.At < w.timers[j].Event.At })
			m := w.timers[0]
			w.timers = w.timers[1:]
			if m.Event.At > w.Now {
				w.Now = m.Event.At
			}
			w.queue = append(w.queue, m)
		}
		m := w.queue[0]
		w.queue = w.queue[1:]
		w.Deliver(m.To, []durable.Event{m.Event})
	}
	w.T.Fatal("world did not quiesce")
}

// Deliver applies a batch of events to one instance at once.
func (w *World) Deliver(to string, events []durable.Event) {
	w.Now += 1000
	w.Steps++
	if durable.IsEntity(to) {
		id, err := durable.ParseEntityID(to)
		require.NoError(w.T, err)
		st := w.Ents[to]
		if st == nil {
			st = &replay.EntityState{}
			w.Ents[to] = st
		}
		w.send(replay.ExecuteEntity(w.reg, id, st, events).Messages)
		return
	}
	x := w.execs[to]
	if x == nil || !w.Cursor {
		if x != nil {
			x.Close()
		}
		x = replay.New(w.reg, to)
		x.Replay(w.Hist[to])
	}
	r := x.Step(w.Now, events)
	if r.NewExecution {
		w.Hist[to] = nil
	}
	w.Hist[to] = append(w.Hist[to], r.History...)
	w.Last[to] = r
	if w.Cursor {
		w.execs[to] = x
	} else {
		x.Close()
	}
	w.send(r.Messages)
	if r.Status == durable.StatusContinuedAsNew {
		x.Close()
		delete(w.execs, to)
		w.Hist[to] = nil
		w.Deliver(to, r.Restart)
	}
}

func (w *World) send(ms []durable.Message) {
	for _, m := range ms {
		b, _ := m.Event.MarshalJSON()
		w.Actions = append(w.Actions, m.To+" "+string(b))
		switch m.Event.Kind {
		case durable.TaskScheduled:
			w.queue = append(w.queue, replay.RunActivity(context.Background(), w.reg, m))
		case durable.TimerFired:
			w.timers = append(w.timers, m)
		default:
			w.queue = append(w.queue, m)
		}
	}
}

// Output decodes an instance's last output and returns its status.
func (w *World) Output(instance string, out any) durable.Status {
	r := w.Last[instance]
	require.NoError(w.T, durable.Unmarshal(r.Output, out))
	return r.Status
}
