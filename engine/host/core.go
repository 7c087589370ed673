package host

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dflab/dflab/engine/port"
)

// coreRun is one core's goroutine, inbox and request lanes.
type coreRun struct {
	d    *Driver
	id   CoreID
	name string
	core port.Core
	// factory made core; Restart makes the next life from it.
	factory func() port.Core
	// ctx ends with the driver or at a crash; down is set by Crash (under
	// Driver.coresMu). A crashed coreRun is abandoned: what still posts to
	// it (lanes, timers, activities) is never stepped.
	ctx    context.Context
	cancel context.CancelFunc
	down   bool

	mu    sync.Mutex
	inbox []port.Input
	wake  chan struct{}
	lanes map[string]*lane // by per-object order key; touched only by loop

	client  *Client                            // the Client whose calls this core answers, if any
	waiters map[port.CallID]chan port.Response // Driver.Control calls waiting (under mu)
}

// waiter takes the Control call waiting for the response to id, if any.
func (cr *coreRun) waiter(id port.CallID) chan port.Response {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	ch := cr.waiters[id]
	delete(cr.waiters, id)
	return ch
}

// post appends an input to the inbox (any goroutine).
func (cr *coreRun) post(in port.Input) {
	cr.mu.Lock()
	cr.inbox = append(cr.inbox, in)
	cr.mu.Unlock()
	select {
	case cr.wake <- struct{}{}:
	default:
	}
}

func (cr *coreRun) loop() {
	defer cr.d.wg.Done()
	defer func() {
		if c, ok := cr.core.(port.Closer); ok {
			c.Close()
		}
	}()
	var batch []port.Input
	for {
		select {
		case <-cr.ctx.Done():
			return
		case <-cr.wake:
		}
		cr.mu.Lock()
		batch, cr.inbox = cr.inbox, batch[:0]
		cr.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		now := cr.d.now()
		for _, in := range batch {
			cr.core.Step(now, in)
		}
		rd := cr.core.Ready()
		cr.core.Advance(rd)
		cr.dispatch(rd)
		clear(batch)
	}
}

func (cr *coreRun) dispatch(rd port.Ready) {
	for i := range rd.Requests {
		req := rd.Requests[i]
		if req.Op == nil {
			cr.post(port.Completion{ID: req.ID, Err: ErrNilOp})
			continue
		}
		cr.d.checkNeeds(cr, &req)
		key := req.Op.Target()
		if key == "" {
			key = "kind:" + string(req.Op.Kind())
		}
		l := cr.lanes[key]
		if l == nil {
			l = &lane{cr: cr}
			cr.lanes[key] = l
		}
		l.push(req)
	}
	if len(rd.Health) > 0 {
		cr.d.reportHealth(cr, rd.Health)
	}
	for _, t := range rd.Timers {
		cr.setTimer(t)
	}
	for _, a := range rd.Activities {
		cr.d.activities.push(cr, a)
	}
	for _, r := range rd.Responses {
		if ch := cr.waiter(r.ID); ch != nil {
			ch <- r
			continue
		}
		if cr.client != nil {
			cr.client.deliver(r)
		}
		if cr.d.cfg.OnResponse != nil {
			cr.d.cfg.OnResponse(cr.id, r)
		}
	}
}

func (cr *coreRun) setTimer(t port.Timer) {
	delay := time.Duration(t.At - cr.d.now())
	if delay <= 0 {
		cr.post(port.TimerFired{ID: t.ID})
		return
	}
	time.AfterFunc(delay, func() { cr.post(port.TimerFired{ID: t.ID}) })
}

// safeRun runs an activity; Run already turns user panics into errors, but
// a core's own bug must not take the process down either.
func safeRun(run func() ([]byte, error)) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("activity panic: %v", r)
		}
	}()
	return run()
}

// lane executes the requests on one object in issue order.
type lane struct {
	cr      *coreRun
	mu      sync.Mutex
	queue   []port.Request
	running bool
}

func (l *lane) push(req port.Request) {
	l.mu.Lock()
	l.queue = append(l.queue, req)
	start := !l.running
	l.running = true
	l.mu.Unlock()
	if start {
		l.cr.d.work.Add(1)
		go l.drain()
	}
}

func (l *lane) drain() {
	defer l.cr.d.work.Done()
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		req := l.queue[0]
		l.queue = l.queue[1:]
		l.mu.Unlock()
		d := l.cr.d
		if l.cr.ctx.Err() != nil {
			continue // stopped or crashed: drop what is left
		}
		res, err := d.exec(l.cr.ctx, req.Op)
		if err == nil {
			d.made(req.Makes)
		}
		if d.afterApply(l.cr, req, res, err) {
			continue
		}
		l.cr.post(port.Completion{ID: req.ID, Result: res, Err: err})
	}
}
