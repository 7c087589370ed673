package sql

import "github.com/dflab/dflab/engine/port"

// reactor runs continuations: each request, timer and activity carries the
// function its completion, firing or result is handed to. Lookups are by
// id, so effects follow the order of inputs.
type reactor struct {
	hub    string
	now    port.Time
	rd     port.Ready
	reqID  port.RequestID
	timeID port.TimerID
	actID  port.ActivityID
	reqs   map[port.RequestID]func(port.Completion)
	timers map[port.TimerID]func()
	acts   map[port.ActivityID]func(port.ActivityDone)
}

func newReactor(hub string) reactor {
	return reactor{hub: hub, reqs: map[port.RequestID]func(port.Completion){},
		timers: map[port.TimerID]func(){}, acts: map[port.ActivityID]func(port.ActivityDone){}}
}

// call issues one procedure call.
func (r *reactor) call(p port.Proc, cb func(port.Completion)) {
	r.reqID++
	r.rd.Requests = append(r.rd.Requests, port.Request{ID: r.reqID, Op: port.SQLCall{Hub: r.hub, Proc: p}})
	r.reqs[r.reqID] = cb
}

// after runs cb once d has passed and returns the timer's id.
func (r *reactor) after(d port.Time, cb func()) port.TimerID {
	r.timeID++
	r.rd.Timers = append(r.rd.Timers, port.Timer{ID: r.timeID, At: r.now + d})
	r.timers[r.timeID] = cb
	return r.timeID
}

// cancel forgets a timer (its firing is ignored).
func (r *reactor) cancel(id port.TimerID) { delete(r.timers, id) }

func (r *reactor) run(name string, input []byte, fn func() ([]byte, error), cb func(port.ActivityDone)) {
	r.actID++
	r.rd.Activities = append(r.rd.Activities, port.ActivityTask{ID: r.actID, Name: name, Input: input, Run: fn})
	r.acts[r.actID] = cb
}

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
