package chain

import "github.com/dflab/dflab/engine/port"

// reactor keeps a continuation per request, timer and activity, matched by
// id (never by iterating a map).
type reactor struct {
	now    port.Time
	rd     port.Ready
	nextID uint64
	reqs   map[port.RequestID]func(port.Completion)
	timers map[port.TimerID]func()
	acts   map[port.ActivityID]func(port.ActivityDone)
}

func newReactor() reactor {
	return reactor{reqs: map[port.RequestID]func(port.Completion){}, timers: map[port.TimerID]func(){},
		acts: map[port.ActivityID]func(port.ActivityDone){}}
}

func (r *reactor) issue(op port.Op, cb func(port.Completion)) {
	r.nextID++
	id := port.RequestID(r.nextID)
	r.rd.Requests = append(r.rd.Requests, port.Request{ID: id, Op: op})
	r.reqs[id] = cb
}

func (r *reactor) at(t port.Time, cb func()) {
	r.nextID++
	id := port.TimerID(r.nextID)
	r.rd.Timers = append(r.rd.Timers, port.Timer{ID: id, At: t})
	r.timers[id] = cb
}

func (r *reactor) after(d port.Time, cb func()) { r.at(r.now+d, cb) }

func (r *reactor) run(name string, input []byte, fn func() ([]byte, error), cb func(port.ActivityDone)) {
	r.nextID++
	id := port.ActivityID(r.nextID)
	r.rd.Activities = append(r.rd.Activities, port.ActivityTask{ID: id, Name: name, Input: input, Run: fn})
	r.acts[id] = cb
}

func (r *reactor) respond(id port.CallID, resp any, err error) {
	r.rd.Responses = append(r.rd.Responses, port.Response{ID: id, Resp: resp, Err: err})
}

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
