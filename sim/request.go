package sim

import (
	"context"
	"errors"

	"github.com/dflab/dflab/engine/port"
)

// ErrNilOp is the completion error of a request that carried no Op.
var ErrNilOp = errors.New("sim: request has a nil Op")

// nilOp stands in for a missing Op so that an engine bug shows up as a
// failed request (kind "nil-op") instead of a driver panic.
type nilOp struct{}

func (nilOp) Kind() port.OpKind { return "nil-op" }
func (nilOp) Target() string    { return "" }
func (nilOp) Bytes() int        { return 0 }
func (nilOp) Apply(context.Context, *port.Stores) (any, error) {
	return nil, ErrNilOp
}

// request is a storage request in flight; it is its own completion event.
type request struct {
	cr         *coreRun
	req        port.Request
	kind       string
	target     string // req.Op.Target(), its object's name when the op appends it
	bytes      int    // req.Op.Bytes(), summed once (a table write's is its entity size)
	ki         *kindInfo
	ord        *object // its order key's (obj, or its kind's if it has no target)
	ev         EventID
	prev, next *request
	heldEmpty  any      // the empty result of a held stream read
	svc        *Service // the service serving it now, if any
	finish     float64  // its finish tag in svc (psQueue)
	queue      int      // which of svc's queues
}

// reqList is an intrusive list of a core's requests in flight, in issue
// order, so a crash resolves them in a deterministic order.
type reqList struct{ head, tail *request }

func (l *reqList) push(r *request) {
	r.prev = l.tail
	if l.tail != nil {
		l.tail.next = r
	} else {
		l.head = r
	}
	l.tail = r
}

func (l *reqList) remove(r *request) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		l.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		l.tail = r.prev
	}
	r.prev, r.next = nil, nil
}

// issue sends a request to storage: caps, then latency, then per-object
// FIFO completion order.
func (cr *coreRun) issue(now port.Time, req port.Request) {
	d := cr.d
	d.stats.Requests++
	if req.Op == nil {
		req.Op = nilOp{}
	}
	kind := string(req.Op.Kind())
	bytes := req.Op.Bytes()
	target, obj := d.throttle.objectOf(req.Op)
	d.checkNeeds(now, cr, &req, kind)
	start := d.throttle.admitTo(now, kind, obj, port.ScaleUnits(req.Op), bytes)
	ki := d.kindOf(kind)
	ord := obj
	if target == "" {
		ord = ki.order
	}
	r := d.newRequest()
	*r = request{cr: cr, req: req, kind: kind, target: target, bytes: bytes, ki: ki, ord: ord}
	cr.inflight.push(r)
	if s := ki.svc; s != nil {
		// Served by processor sharing: its departure depends on what
		// arrives meanwhile, so latency and completion come after it.
		d.tr.Begin(now, cr.name, "issue").Uint("id", uint64(req.ID)).Str("kind", kind).
			Str("target", target).Int("bytes", int64(bytes)).Time("start", start).Str("service", s.Name).End()
		if start > now {
			r.ev = d.k.Schedule(start, admitted{r}, 0)
			return
		}
		s.enter(d, now, r)
		return
	}
	done := cr.schedule(start, r)
	d.tr.Begin(now, cr.name, "issue").Uint("id", uint64(req.ID)).Str("kind", kind).
		Str("target", target).Int("bytes", int64(bytes)).Time("start", start).Time("done", done).End()
}

// schedule samples r's latency from start and schedules its completion
// (never before an earlier request of its order key); it returns when.
func (cr *coreRun) schedule(start port.Time, r *request) port.Time {
	d := cr.d
	lat := r.ki.op.Latency(r.ki.src, r.bytes)
	if d.cfg.LatencyHook != nil {
		lat = d.cfg.LatencyHook(r.kind, lat)
	}
	done := start + lat
	done = r.ord.after(cr, done)
	r.ev = d.k.Schedule(done, r, 0)
	return done
}

// afterService continues a request its service has served.
func (cr *coreRun) afterService(now port.Time, r *request) {
	done := cr.schedule(now, r)
	cr.d.tr.Begin(now, cr.name, "served").Uint("id", uint64(r.req.ID)).Str("kind", r.kind).Time("done", done).End()
}

// admitted is a throttled request reaching its service.
type admitted struct{ r *request }

func (a admitted) Handle(now port.Time, _ uint64) {
	a.r.ev = 0
	a.r.cr.d.serviceOf(a.r.kind).enter(a.r.cr.d, now, a.r)
}

// Handle completes the request: the op is applied to the shared stores now,
// its Makes mark becomes durable, and the core gets the Completion.
func (r *request) Handle(now port.Time, _ uint64) {
	cr := r.cr
	d := cr.d
	cr.inflight.remove(r)
	res, err := d.apply(r.req.Op)
	if err == nil {
		d.makeDurable(r.req.Makes)
		switch op := r.req.Op.(type) {
		case port.StreamAppend:
			d.wake(now, op.Partition)
		case port.StreamRead:
			if recs, ok := res.(port.Records); ok && len(recs.Records) == 0 && d.hold(now, r, op, res) {
				return
			}
		}
	}
	d.stats.Completions++
	d.tr.Begin(now, cr.name, "complete").Uint("id", uint64(r.req.ID)).Str("kind", r.kind).Bool("err", err != nil).End()
	d.completed(now, cr, r.req.Op, err) // may crash the node: deliver then drops the completion
	id := r.req.ID
	d.freeRequest(r) // out of every list, its event fired: nothing holds it
	cr.deliver(now, port.Completion{ID: id, Result: res, Err: err})
}

// newRequest returns a request from the free list (or a new one).
func (d *Driver) newRequest() *request {
	if n := len(d.freeReqs); n > 0 {
		r := d.freeReqs[n-1]
		d.freeReqs = d.freeReqs[:n-1]
		return r
	}
	return new(request)
}

// freeRequest puts a completed request on the free list. Only requests
// that completed normally are freed: one cut by a crash may still be named
// by a stale held read.
func (d *Driver) freeRequest(r *request) {
	*r = request{}
	d.freeReqs = append(d.freeReqs, r)
}

// apply runs op through the middleware chain to the stores. A missing op
// fails without reaching storage, so no decorator sees it.
func (d *Driver) apply(op port.Op) (any, error) {
	if _, ok := op.(nilOp); ok {
		return op.Apply(d.ctx, d.cfg.Stores)
	}
	return d.exec(d.ctx, op)
}
