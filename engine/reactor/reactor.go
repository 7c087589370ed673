package reactor

import (
	"sort"

	"github.com/dflab/dflab/engine/port"
)

// IDs says how a Reactor numbers the requests, timers and activities it
// issues.
type IDs int

const (
	// PerKind numbers requests, timers and activities each from 1.
	PerKind IDs = iota
	// Shared numbers all three from one counter.
	Shared
)

// Then is the continuation of one piece of in-flight work as data: Step
// names what the core does with the outcome, About what it concerns (an
// instance, a queue; "" if nothing in particular).
type Then struct {
	Step  string
	About string
}

// String prints the continuation: its step and what it concerns.
func (t Then) String() string {
	if t.About == "" {
		return t.Step
	}
	return t.Step + " " + t.About
}

// pending is a continuation with the step itself, do (a func taking the
// outcome).
type pending[F any] struct {
	then Then
	do   F
}

// Reactor is the in-flight bookkeeping of one core. Embed it: its Ready
// and Advance implement those of port.Core.
type Reactor struct {
	now    port.Time
	rd     port.Ready
	ids    IDs
	shared uint64 // the one counter, under Shared
	reqID  port.RequestID
	timeID port.TimerID
	actID  port.ActivityID
	reqs   map[port.RequestID]pending[func(port.Completion)]
	timers map[port.TimerID]pending[func()]
	acts   map[port.ActivityID]pending[func(port.ActivityDone)]
}

// New returns an empty Reactor numbering its work as ids says.
func New(ids IDs) Reactor {
	return Reactor{ids: ids, reqs: map[port.RequestID]pending[func(port.Completion)]{},
		timers: map[port.TimerID]pending[func()]{}, acts: map[port.ActivityID]pending[func(port.ActivityDone)]{}}
}

// next returns the id the next item of a kind gets, given that kind's own
// counter (used under PerKind).
func (r *Reactor) next(own *uint64) uint64 {
	c := own
	if r.ids == Shared {
		c = &r.shared
	}
	*c++
	return *c
}

// Now is the time of the input being stepped.
func (r *Reactor) Now() port.Time { return r.now }

// SetNow sets the time of the input being stepped, for a core that steps
// inputs other than completions, firings and results before Dispatch (or
// without it).
func (r *Reactor) SetNow(now port.Time) { r.now = now }

// Issue asks for op; then runs with its completion.
func (r *Reactor) Issue(op port.Op, step, about string, do func(port.Completion)) port.RequestID {
	return r.IssueMarked(op, port.Mark{}, port.Mark{}, step, about, do)
}

// IssueMarked is Issue with the log positions the request needs durable
// and makes durable (the outbox rule, checked by the drivers).
func (r *Reactor) IssueMarked(op port.Op, needs, makes port.Mark, step, about string, do func(port.Completion)) port.RequestID {
	id := port.RequestID(r.next((*uint64)(&r.reqID)))
	r.rd.Requests = append(r.rd.Requests, port.Request{ID: id, Op: op, Needs: needs, Makes: makes})
	r.reqs[id] = pending[func(port.Completion)]{Then{step, about}, do}
	return id
}

// All issues ops at once and runs do with their completions, in op order,
// when the last one is in; each request's continuation prints as step
// about. With no ops do runs at once.
func (r *Reactor) All(ops []port.Op, step, about string, do func([]port.Completion)) {
	if len(ops) == 0 {
		do(nil)
		return
	}
	done := make([]port.Completion, len(ops))
	left := len(ops)
	for i, op := range ops {
		r.Issue(op, step, about, func(c port.Completion) {
			done[i] = c
			if left--; left == 0 {
				do(done)
			}
		})
	}
}

// At runs do at time t and returns the timer's id.
func (r *Reactor) At(t port.Time, step, about string, do func()) port.TimerID {
	id := port.TimerID(r.next((*uint64)(&r.timeID)))
	r.rd.Timers = append(r.rd.Timers, port.Timer{ID: id, At: t})
	r.timers[id] = pending[func()]{Then{step, about}, do}
	return id
}

// After runs do once d has passed and returns the timer's id.
func (r *Reactor) After(d port.Time, step, about string, do func()) port.TimerID {
	return r.At(r.now+d, step, about, do)
}

// Cancel drops a timer: its firing is ignored.
func (r *Reactor) Cancel(id port.TimerID) { delete(r.timers, id) }

// Run asks for an activity execution and runs do with its result.
func (r *Reactor) Run(name string, input []byte, fn func() ([]byte, error), step, about string, do func(port.ActivityDone)) port.ActivityID {
	id := port.ActivityID(r.next((*uint64)(&r.actID)))
	r.rd.Activities = append(r.rd.Activities, port.ActivityTask{ID: id, Name: name, Input: input, Run: fn})
	r.acts[id] = pending[func(port.ActivityDone)]{Then{step, about}, do}
	return id
}

// Work records CPU work of a kind for the simulator's cost model, adding
// to the Ready's entry of that kind; n <= 0 records nothing.
func (r *Reactor) Work(kind string, n int) {
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

// Respond answers a client call.
func (r *Reactor) Respond(id port.CallID, resp any, err error) {
	r.rd.Responses = append(r.rd.Responses, port.Response{ID: id, Resp: resp, Err: err})
}

// Report adds a health report to the Ready.
func (r *Reactor) Report(h port.Health) { r.rd.Health = append(r.rd.Health, h) }

// Out is the Ready being filled, for what a core adds without a
// continuation (activities it tracks in its own state, work it counts).
func (r *Reactor) Out() *port.Ready { return &r.rd }

// Dispatch runs the continuation of a completion, timer firing or
// activity result (none if it is not pending any more) and reports
// whether in was one of those kinds. It sets Now to now whatever in is.
func (r *Reactor) Dispatch(now port.Time, in port.Input) bool {
	r.now = now
	switch v := in.(type) {
	case port.Completion:
		if p, ok := r.reqs[v.ID]; ok {
			delete(r.reqs, v.ID)
			p.do(v)
		}
	case port.TimerFired:
		if p, ok := r.timers[v.ID]; ok {
			delete(r.timers, v.ID)
			p.do()
		}
	case port.ActivityDone:
		if p, ok := r.acts[v.ID]; ok {
			delete(r.acts, v.ID)
			p.do(v)
		}
	default:
		return false
	}
	return true
}

// Forget drops request id's continuation (its completion will be
// ignored) and reports whether it was pending.
func (r *Reactor) Forget(id port.RequestID) bool {
	_, ok := r.reqs[id]
	delete(r.reqs, id)
	return ok
}

// Requests is the number of requests in flight.
func (r *Reactor) Requests() int { return len(r.reqs) }

// Drain starts a new life on the same ids and Ready: every request in
// flight stays pending but is no longer acted on (its continuation
// becomes "drained", naming the step it replaces), and the timers and
// activities of the old life are forgotten.
func (r *Reactor) Drain() {
	//archtest:orderfree each entry is rewritten on its own
	for id, p := range r.reqs {
		r.reqs[id] = pending[func(port.Completion)]{Then{"drained", p.then.String()}, func(port.Completion) {}}
	}
	clear(r.timers)
	clear(r.acts)
}

// Ready implements port.Core.
func (r *Reactor) Ready() port.Ready { return r.rd }

// Advance implements port.Core.
func (r *Reactor) Advance(port.Ready) { r.rd = port.Ready{} }

// Kind is the kind of a piece of in-flight work.
type Kind string

// The kinds of in-flight work.
const (
	Request  Kind = "req"
	Timer    Kind = "timer"
	Activity Kind = "activity"
)

// Pending is one piece of in-flight work as data: its kind, its id and
// its continuation.
type Pending struct {
	Kind Kind
	ID   uint64
	Then Then
}

// Pending lists the work in flight, requests first, then timers, then
// activities, each by id.
func (r *Reactor) Pending() []Pending {
	ps := make([]Pending, 0, len(r.reqs)+len(r.timers)+len(r.acts))
	n := 0
	//archtest:orderfree sorted below
	for id, p := range r.reqs {
		ps = append(ps, Pending{Kind: Request, ID: uint64(id), Then: p.then})
	}
	sortFrom(ps, n)
	n = len(ps)
	//archtest:orderfree sorted below
	for id, p := range r.timers {
		ps = append(ps, Pending{Kind: Timer, ID: uint64(id), Then: p.then})
	}
	sortFrom(ps, n)
	n = len(ps)
	//archtest:orderfree sorted below
	for id, p := range r.acts {
		ps = append(ps, Pending{Kind: Activity, ID: uint64(id), Then: p.then})
	}
	sortFrom(ps, n)
	return ps
}

func sortFrom(ps []Pending, from int) {
	tail := ps[from:]
	sort.Slice(tail, func(i, j int) bool { return tail[i].ID < tail[j].ID })
}
