package netherite

import "github.com/dflab/dflab/engine/port"

// plumbing is the request and timer bookkeeping every core of this
// package shares: the Ready being filled, the callbacks of storage
// requests and timers by id, and the step's time.
type plumbing struct {
	now      port.Time
	rd       port.Ready
	nextReq  port.RequestID
	requests map[port.RequestID]func(port.Completion)
	nextTmr  port.TimerID
	timers   map[port.TimerID]func()
}

func newPlumbing() plumbing {
	return plumbing{requests: map[port.RequestID]func(port.Completion){}, timers: map[port.TimerID]func(){}}
}

// issue asks for a storage request; on runs with its completion.
func (p *plumbing) issue(op port.Op, on func(port.Completion)) {
	p.issueMarked(op, port.Mark{}, port.Mark{}, on)
}

// issueMarked is issue with the log positions the request needs durable
// and makes durable (the outbox rule, checked by the drivers).
func (p *plumbing) issueMarked(op port.Op, needs, makes port.Mark, on func(port.Completion)) {
	p.nextReq++
	p.requests[p.nextReq] = on
	p.rd.Requests = append(p.rd.Requests, port.Request{ID: p.nextReq, Op: op, Needs: needs, Makes: makes})
}

// after runs f once d has passed.
func (p *plumbing) after(d port.Time, f func()) {
	p.nextTmr++
	p.timers[p.nextTmr] = f
	p.rd.Timers = append(p.rd.Timers, port.Timer{ID: p.nextTmr, At: p.now + d})
}

// deliver runs the callback of a completion or a fired timer (none if it
// is not ours any more) and reports whether in was one of those.
func (p *plumbing) deliver(in port.Input) bool {
	switch v := in.(type) {
	case port.Completion:
		if f := p.requests[v.ID]; f != nil {
			delete(p.requests, v.ID)
			f(v)
		}
	case port.TimerFired:
		if f := p.timers[v.ID]; f != nil {
			delete(p.timers, v.ID)
			f()
		}
	default:
		return false
	}
	return true
}

// Ready implements port.Core.
func (p *plumbing) Ready() port.Ready { return p.rd }

// Advance implements port.Core.
func (p *plumbing) Advance(port.Ready) { p.rd = port.Ready{} }
