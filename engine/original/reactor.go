package original

import (
	"github.com/dflab/dflab/engine/port"
)

// reactor is the callback plumbing shared by the worker and client cores:
// every request, timer and activity carries a continuation, run when its
// completion, firing or result is stepped in. Lookups are by id, never by
// iterating a map, so the order of effects is the order of inputs.
type reactor struct {
	now    port.Time
	rd     port.Ready
	reqID  port.RequestID
	timeID port.TimerID
	actID  port.ActivityID
	reqs   map[port.RequestID]func(port.Completion)
	timers map[port.TimerID]func()
	acts   map[port.ActivityID]func(port.ActivityDone)
}

func newReactor() reactor {
	return reactor{reqs: map[port.RequestID]func(port.Completion){},
		timers: map[port.TimerID]func(){}, acts: map[port.ActivityID]func(port.ActivityDone){}}
}

// issue asks for op and runs cb with its completion.
func (r *reactor) issue(op port.Op, cb func(port.Completion)) {
	r.reqID++
	r.rd.Requests = append(r.rd.Requests, port.Request{ID: r.reqID, Op: op})
	r.reqs[r.reqID] = cb
}

// all issues ops at once and runs cb with their completions, in op order,
// when the last one is in. With no ops cb runs at once.
func (r *reactor) all(ops []port.Op, cb func([]port.Completion)) {
	if len(ops) == 0 {
		cb(nil)
		return
	}
	done := make([]port.Completion, len(ops))
	left := len(ops)
	for i, op := range ops {
		r.issue(op, func(c port.Completion) {
			done[i] = c
			if left--; left == 0 {
				cb(done)
			}
		})
	}
}

// after runs cb once d has passed and returns the timer's id.
func (r *reactor) after(d port.Time, cb func()) port.TimerID {
	r.timeID++
	r.rd.Timers = append(r.rd.Timers, port.Timer{ID: r.timeID, At: r.now + d})
	r.timers[r.timeID] = cb
	return r.timeID
}

// cancel drops a timer set by after: its firing is ignored.
func (r *reactor) cancel(id port.TimerID) { delete(r.timers, id) }

// run asks for an activity execution and runs cb with its result.
func (r *reactor) run(name string, input []byte, fn func() ([]byte, error), cb func(port.ActivityDone)) {
	r.actID++
	r.rd.Activities = append(r.rd.Activities, port.ActivityTask{ID: r.actID, Name: name, Input: input, Run: fn})
	r.acts[r.actID] = cb
}

// work records CPU work of a kind for the simulator's cost model.
func (r *reactor) work(kind string, n int) {
	if n <= 0 {
		return
	}
	for i := range r.rd.Work {
		if r.rd.Work[i].Kind == kind {
			r.rd.Work[i].N += n
			return
		}
	}
	r.rd.Work = append(r.rd.Work, port.Work{Kind: kind, N: n})
}

// respond answers a client call.
func (r *reactor) respond(id port.CallID, resp any, err error) {
	r.rd.Responses = append(r.rd.Responses, port.Response{ID: id, Resp: resp, Err: err})
}

// dispatch runs the continuation of a completion, timer or activity result
// and reports whether in was one of those.
func (r *reactor) dispatch(now port.Time, in port.Input) bool {
	r.now = now
	switch v := in.(type) {
	case port.Completion:
		if cb, ok := r.reqs[v.ID]; ok {
			delete(r.reqs, v.ID)
			cb(v)
		}
	case port.TimerFired:
		if cb, ok := r.timers[v.ID]; ok {
			delete(r.timers, v.ID)
			cb()
		}
	case port.ActivityDone:
		if cb, ok := r.acts[v.ID]; ok {
			delete(r.acts, v.ID)
			cb(v)
		}
	default:
		return false
	}
	return true
}

// Ready implements port.Core.
func (r *reactor) Ready() port.Ready { return r.rd }

// Advance implements port.Core.
func (r *reactor) Advance(port.Ready) { r.rd = port.Ready{} }
