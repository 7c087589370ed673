package reactor

import "github.com/dflab/dflab/engine/port"

// fn is a continuation that is a func beside its Then: the form of the
// engines not yet converted to continuations as data (see Funcs).
type fn struct {
	then  Then
	req   func(port.Completion)
	all   func([]port.Completion)
	timer func()
	act   func(port.ActivityDone)
}

func (f fn) Then() Then { return f.then }

func (f fn) run(o Outcome) {
	switch {
	case f.req != nil:
		f.req(o.Completion)
	case f.all != nil:
		f.all(o.Completions)
	case f.timer != nil:
		f.timer()
	case f.act != nil:
		f.act(o.Done)
	}
}

// Funcs is a Reactor whose continuations are funcs kept beside their Then,
// for the engines whose steps are not data yet. New code uses Reactor
// with a continuation type of its own.
type Funcs struct{ Reactor[fn] }

// NewFuncs returns an empty Funcs numbering its work as ids says.
func NewFuncs(ids IDs) Funcs { return Funcs{New[fn](ids)} }

// Issue asks for op; do runs with its completion.
func (r *Funcs) Issue(op port.Op, step, about string, do func(port.Completion)) port.RequestID {
	return r.Reactor.Issue(op, fn{then: Then{step, about}, req: do})
}

// IssueMarked is Issue with the log positions the request needs durable
// and makes durable.
func (r *Funcs) IssueMarked(op port.Op, needs, makes port.Mark, step, about string, do func(port.Completion)) port.RequestID {
	return r.Reactor.IssueMarked(op, needs, makes, fn{then: Then{step, about}, req: do})
}

// All issues ops at once and runs do with their completions, in op order,
// when the last one is in. With no ops do runs at once.
func (r *Funcs) All(ops []port.Op, step, about string, do func([]port.Completion)) {
	if !r.Reactor.All(ops, fn{then: Then{step, about}, all: do}) {
		do(nil)
	}
}

// At runs do at time t and returns the timer's id.
func (r *Funcs) At(t port.Time, step, about string, do func()) port.TimerID {
	return r.Reactor.At(t, fn{then: Then{step, about}, timer: do})
}

// After runs do once d has passed and returns the timer's id.
func (r *Funcs) After(d port.Time, step, about string, do func()) port.TimerID {
	return r.At(r.Now()+d, step, about, do)
}

// Run asks for an activity execution and runs do with its result.
func (r *Funcs) Run(name string, input []byte, run func() ([]byte, error), step, about string, do func(port.ActivityDone)) port.ActivityID {
	return r.Reactor.Run(name, input, run, fn{then: Then{step, about}, act: do})
}

// Dispatch runs the continuation of a completion, timer firing or
// activity result and reports whether in was one of those kinds.
func (r *Funcs) Dispatch(now port.Time, in port.Input) bool {
	return r.Reactor.Dispatch(now, in, func(f fn, o Outcome) { f.run(o) })
}
