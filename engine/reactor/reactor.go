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

// Then is how a continuation prints: Step names what the core does with
// the outcome, About what it concerns (an instance, a queue; "" if nothing
// in particular).
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

// Cont is a continuation: a value of the core's own type that says, as
// data, which step the core takes with an outcome and with what (the
// instance, the batch, the queue it concerns). The core dispatches on it
// when the outcome arrives (Dispatch's run).
type Cont interface {
	Then() Then
}

// Outcome is what a continuation is handed: a request's Completion, the
// Completions of an All in op order, an activity's Done; nothing for a
// timer.
type Outcome struct {
	Completion  port.Completion
	Completions []port.Completion
	Done        port.ActivityDone
}

// fanIn gathers the completions of one All.
type fanIn struct {
	done []port.Completion
	left int
}

// slot is one piece of in-flight work: its continuation, the All it is
// part of (fan, at index i) and whether a Drain left it without effect.
type slot[K Cont] struct {
	k       K
	fan     *fanIn
	i       int
	drained bool
}

func (s slot[K]) then() Then {
	if s.drained {
		return Then{"drained", s.k.Then().String()}
	}
	return s.k.Then()
}

// Reactor is the in-flight bookkeeping of one core, whose continuations
// are values of type K. Embed it: its Ready and Advance implement those of
// port.Core.
type Reactor[K Cont] struct {
	now    port.Time
	rd     port.Ready
	ids    IDs
	shared uint64 // the one counter, under Shared
	reqID  port.RequestID
	timeID port.TimerID
	actID  port.ActivityID
	reqs   book[K]
	timers book[K]
	acts   book[K]
}

// New returns an empty Reactor numbering its work as ids says.
func New[K Cont](ids IDs) Reactor[K] {
	return Reactor[K]{ids: ids}
}

// next returns the id the next item of a kind gets, given that kind's own
// counter (used under PerKind).
func (r *Reactor[K]) next(own *uint64) uint64 {
	c := own
	if r.ids == Shared {
		c = &r.shared
	}
	*c++
	return *c
}

// Now is the time of the input being stepped.
func (r *Reactor[K]) Now() port.Time { return r.now }

// SetNow sets the time of the input being stepped, for a core that steps
// inputs other than completions, firings and results before Dispatch (or
// without it).
func (r *Reactor[K]) SetNow(now port.Time) { r.now = now }

// Issue asks for op; k is handed its completion.
func (r *Reactor[K]) Issue(op port.Op, k K) port.RequestID {
	return r.IssueMarked(op, port.Mark{}, port.Mark{}, k)
}

// IssueMarked is Issue with the log positions the request needs durable
// and makes durable (the outbox rule, checked by the drivers).
func (r *Reactor[K]) IssueMarked(op port.Op, needs, makes port.Mark, k K) port.RequestID {
	return r.issue(op, needs, makes, slot[K]{k: k})
}

func (r *Reactor[K]) issue(op port.Op, needs, makes port.Mark, s slot[K]) port.RequestID {
	id := port.RequestID(r.next((*uint64)(&r.reqID)))
	r.rd.Requests = append(r.rd.Requests, port.Request{ID: id, Op: op, Needs: needs, Makes: makes})
	r.reqs.put(uint64(id), s)
	return id
}

// All issues ops at once; k is handed their completions, in op order,
// when the last one is in (each request prints as k). With no ops it
// issues nothing and reports false: the caller takes k's step itself.
func (r *Reactor[K]) All(ops []port.Op, k K) bool {
	if len(ops) == 0 {
		return false
	}
	f := &fanIn{done: make([]port.Completion, len(ops)), left: len(ops)}
	for i, op := range ops {
		r.issue(op, port.Mark{}, port.Mark{}, slot[K]{k: k, fan: f, i: i})
	}
	return true
}

// At hands k the firing of a timer at time t and returns the timer's id.
func (r *Reactor[K]) At(t port.Time, k K) port.TimerID {
	id := port.TimerID(r.next((*uint64)(&r.timeID)))
	r.rd.Timers = append(r.rd.Timers, port.Timer{ID: id, At: t})
	r.timers.put(uint64(id), slot[K]{k: k})
	return id
}

// After is At once d has passed.
func (r *Reactor[K]) After(d port.Time, k K) port.TimerID { return r.At(r.now+d, k) }

// Cancel drops a timer: its firing is ignored.
func (r *Reactor[K]) Cancel(id port.TimerID) { r.timers.take(uint64(id)) }

// Run asks for an activity execution; k is handed its result.
func (r *Reactor[K]) Run(name string, input []byte, fn func() ([]byte, error), k K) port.ActivityID {
	id := port.ActivityID(r.next((*uint64)(&r.actID)))
	r.rd.Activities = append(r.rd.Activities, port.ActivityTask{ID: id, Name: name, Input: input, Run: fn})
	r.acts.put(uint64(id), slot[K]{k: k})
	return id
}

// Work records CPU work of a kind for the simulator's cost model, adding
// to the Ready's entry of that kind; n <= 0 records nothing.
func (r *Reactor[K]) Work(kind string, n int) {
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
func (r *Reactor[K]) Respond(id port.CallID, resp any, err error) {
	r.rd.Responses = append(r.rd.Responses, port.Response{ID: id, Resp: resp, Err: err})
}

// Report adds a health report to the Ready.
func (r *Reactor[K]) Report(h port.Health) { r.rd.Health = append(r.rd.Health, h) }

// Out is the Ready being filled, for what a core adds without a
// continuation (activities it tracks in its own state, work it counts).
func (r *Reactor[K]) Out() *port.Ready { return &r.rd }

// Dispatch takes a completion, timer firing or activity result: if its
// continuation is pending (and not drained), run is handed it with the
// outcome. It reports whether in was one of those kinds and sets Now to
// now whatever in is.
func (r *Reactor[K]) Dispatch(now port.Time, in port.Input, run func(K, Outcome)) bool {
	r.now = now
	switch v := in.(type) {
	case port.Completion:
		s, ok := r.reqs.take(uint64(v.ID))
		if !ok {
			break
		}
		switch {
		case s.drained:
		case s.fan != nil:
			s.fan.done[s.i] = v
			if s.fan.left--; s.fan.left == 0 {
				run(s.k, Outcome{Completions: s.fan.done})
			}
		default:
			run(s.k, Outcome{Completion: v})
		}
	case port.TimerFired:
		if s, ok := r.timers.take(uint64(v.ID)); ok {
			run(s.k, Outcome{})
		}
	case port.ActivityDone:
		if s, ok := r.acts.take(uint64(v.ID)); ok {
			run(s.k, Outcome{Done: v})
		}
	default:
		return false
	}
	return true
}

// Forget drops request id's continuation (its completion will be
// ignored) and reports whether it was pending.
func (r *Reactor[K]) Forget(id port.RequestID) bool {
	_, ok := r.reqs.take(uint64(id))
	return ok
}

// Requests is the number of requests in flight.
func (r *Reactor[K]) Requests() int { return r.reqs.len() }

// Drain starts a new life on the same ids and Ready: every request in
// flight stays pending but is no longer acted on (its continuation prints
// as "drained", naming the step it replaces), and the timers and
// activities of the old life are forgotten.
func (r *Reactor[K]) Drain() {
	r.reqs.each(func(_ uint64, s *slot[K]) { s.drained = true })
	r.timers.reset()
	r.acts.reset()
}

// Ready implements port.Core.
func (r *Reactor[K]) Ready() port.Ready { return r.rd }

// Advance implements port.Core. The Ready's arrays are kept for the next
// steps' output, so that a turn appends without allocating: a driver is
// done with rd's slices (it copied what it keeps) before it steps the core
// again, as both drivers are. An array past keepMax entries is dropped, so
// that a burst does not stay pinned by a core.
func (r *Reactor[K]) Advance(port.Ready) {
	rd := &r.rd
	r.rd = port.Ready{Requests: keep(rd.Requests), Timers: keep(rd.Timers), Activities: keep(rd.Activities),
		Responses: keep(rd.Responses), Work: keep(rd.Work), Health: keep(rd.Health)}
}

// keepMax is the largest array of a Ready that Advance keeps for reuse.
const keepMax = 64

func keep[T any](s []T) []T {
	if cap(s) > keepMax {
		return nil
	}
	return s[:0]
}

// Kind is the kind of a piece of in-flight work.
type Kind string

// The kinds of in-flight work.
const (
	Request  Kind = "req"
	Timer    Kind = "timer"
	Activity Kind = "activity"
)

// Pending is one piece of in-flight work as data: its kind, its id, its
// continuation as it prints, and the continuation itself (the core's
// typed value; for a drained request, the one it replaces).
type Pending struct {
	Kind Kind
	ID   uint64
	Then Then
	Cont Cont
}

// Pending lists the work in flight, requests first, then timers, then
// activities, each by id.
func (r *Reactor[K]) Pending() []Pending {
	ps := make([]Pending, 0, r.reqs.len()+r.timers.len()+r.acts.len())
	for _, b := range []struct {
		kind Kind
		b    *book[K]
	}{{Request, &r.reqs}, {Timer, &r.timers}, {Activity, &r.acts}} {
		n := len(ps)
		b.b.each(func(id uint64, s *slot[K]) {
			ps = append(ps, Pending{Kind: b.kind, ID: id, Then: s.then(), Cont: s.k})
		})
		sortFrom(ps, n)
	}
	return ps
}

func sortFrom(ps []Pending, from int) {
	tail := ps[from:]
	sort.Slice(tail, func(i, j int) bool { return tail[i].ID < tail[j].ID })
}
