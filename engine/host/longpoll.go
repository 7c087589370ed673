package host

import (
	"sync"
	"time"

	"github.com/dflab/dflab/engine/port"
)

// Stream reads that find nothing are held instead of answered empty at
// once: an append this driver executes on the same stream partition wakes
// them (they are read again and answered with what is there then), and
// otherwise they are answered empty after Config.StreamHold. A core still
// sees what the port promises — a read returns what exists when it
// completes — but learns of new records as soon as they are appended
// instead of on its next poll. Appends by other processes (a shared NATS
// stream) are seen when the hold ends. A held read leaves its lane, so
// requests issued after it on the same partition may complete first.
type holds struct {
	mu     sync.Mutex
	parked map[int][]*heldRead // by stream partition
}

type heldRead struct {
	cr    *coreRun
	req   port.Request
	empty any // the empty result, answered when the hold ends
	timer *time.Timer
	done  bool
}

// park holds an empty read; it reports false when holding is off.
func (h *holds) park(cr *coreRun, req port.Request, op port.StreamRead, empty any) bool {
	hold := cr.d.cfg.StreamHold
	if hold <= 0 {
		return false
	}
	r := &heldRead{cr: cr, req: req, empty: empty}
	h.mu.Lock()
	if h.parked == nil {
		h.parked = map[int][]*heldRead{}
	}
	h.parked[op.Partition] = append(h.parked[op.Partition], r)
	r.timer = time.AfterFunc(hold, func() { h.expire(op.Partition, r) })
	h.mu.Unlock()
	return true
}

func (h *holds) expire(p int, r *heldRead) {
	h.mu.Lock()
	if r.done {
		h.mu.Unlock()
		return
	}
	r.done = true
	list := h.parked[p]
	for i, x := range list {
		if x == r {
			h.parked[p] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	h.mu.Unlock()
	r.cr.post(port.Completion{ID: r.req.ID, Result: r.empty})
}

// wake re-reads every read held on partition p after an append to it.
func (h *holds) wake(p int) {
	h.mu.Lock()
	list := h.parked[p]
	delete(h.parked, p)
	for _, r := range list {
		r.done = true
		r.timer.Stop()
	}
	h.mu.Unlock()
	for _, r := range list {
		r.cr.d.work.Add(1)
		go r.reread()
	}
}

func (r *heldRead) reread() {
	d := r.cr.d
	defer d.work.Done()
	if r.cr.ctx.Err() != nil {
		return
	}
	res, err := d.exec(r.cr.ctx, r.req.Op)
	r.cr.post(port.Completion{ID: r.req.ID, Result: res, Err: err})
}

// afterApply holds empty stream reads and wakes held ones after appends; it
// reports whether the completion is deferred.
func (d *Driver) afterApply(cr *coreRun, req port.Request, res any, err error) bool {
	if err != nil {
		return false
	}
	switch op := req.Op.(type) {
	case port.StreamAppend:
		d.holds.wake(op.Partition)
	case port.StreamRead:
		if recs, ok := res.(port.Records); ok && len(recs.Records) == 0 {
			return d.holds.park(cr, req, op, res)
		}
	}
	return false
}
