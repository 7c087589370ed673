package host

import (
	"sync"

	"github.com/dflab/dflab/engine/port"
)

// activityPool runs activities on a fixed set of worker goroutines fed
// from one FIFO queue: Config.ActivityWorkers of them at most run at once,
// as before, but a burst of activities costs queue entries, not a
// goroutine each parked until a worker is free (under a closed load of
// thousands of instances those parked goroutines were a large part of
// the garbage collector's stack scanning).
type activityPool struct {
	mu      sync.Mutex
	cond    sync.Cond
	queue   []queuedActivity
	head    int  // queue[head:] waits
	stopped bool // Stop: workers exit, what waits is dropped
}

type queuedActivity struct {
	cr *coreRun
	a  port.ActivityTask
}

// start runs n workers until stop.
func (p *activityPool) start(n int) {
	p.cond.L = &p.mu
	for i := 0; i < n; i++ {
		go p.work()
	}
}

// push queues an activity of cr (any goroutine).
func (p *activityPool) push(cr *coreRun, a port.ActivityTask) {
	p.mu.Lock()
	p.queue = append(p.queue, queuedActivity{cr: cr, a: a})
	p.mu.Unlock()
	p.cond.Signal()
}

// stop ends the workers once their running activities return; queued
// activities are dropped (their cores are stopped too).
func (p *activityPool) stop() {
	p.mu.Lock()
	p.stopped = true
	p.queue, p.head = nil, 0
	p.mu.Unlock()
	p.cond.Broadcast()
}

// next waits for the next queued activity; ok is false once stopped.
func (p *activityPool) next() (queuedActivity, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped && p.head == len(p.queue) {
		p.cond.Wait()
	}
	if p.stopped {
		return queuedActivity{}, false
	}
	q := p.queue[p.head]
	p.queue[p.head] = queuedActivity{}
	p.head++
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	} else if p.head >= 1024 && 2*p.head >= len(p.queue) {
		n := copy(p.queue, p.queue[p.head:])
		clear(p.queue[n:])
		p.queue, p.head = p.queue[:n], 0
	}
	return q, true
}

func (p *activityPool) work() {
	for {
		q, ok := p.next()
		if !ok {
			return
		}
		if q.cr.ctx.Err() != nil {
			continue // its core stopped or crashed: the result would be dropped
		}
		out, err := safeRun(q.a.Run)
		q.cr.post(port.ActivityDone{ID: q.a.ID, Output: out, Err: err})
	}
}
