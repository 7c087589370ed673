package sim

import "github.com/dflab/dflab/engine/port"

// Stream reads that find nothing are held, as Event Hubs receivers wait for
// events instead of polling: a held read is re-issued (with a fresh
// stream-read latency) as soon as an append to its partition completes, or
// answered empty after Config.StreamHold. Cores see what the port promises
// — a read returns what exists when it completes — and the simulation does
// not spend events on empty polls. A crash drops its cores' held reads.
type heldRead struct {
	r    *request
	life uint64
	part int
	ev   EventID
	done bool
}

// hold parks an empty read; it reports false when holding is off.
func (d *Driver) hold(now port.Time, r *request, op port.StreamRead, res any) bool {
	if d.cfg.StreamHold <= 0 {
		return false
	}
	h := &heldRead{r: r, life: r.cr.life, part: op.Partition}
	h.ev = d.k.Schedule(now+d.cfg.StreamHold, h, 0)
	d.held[op.Partition] = append(d.held[op.Partition], h)
	r.heldEmpty = res
	d.tr.Begin(now, r.cr.name, "hold").Uint("id", uint64(r.req.ID)).Int("partition", int64(op.Partition)).End()
	return true
}

// Handle ends a hold with an empty answer.
func (h *heldRead) Handle(now port.Time, _ uint64) {
	if h.done {
		return
	}
	h.done = true
	d := h.r.cr.d
	list := d.held[h.part]
	for i, x := range list {
		if x == h {
			d.held[h.part] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if h.r.cr.life != h.life || h.r.cr.core == nil {
		return
	}
	d.stats.Completions++
	d.tr.Begin(now, h.r.cr.name, "complete").Uint("id", uint64(h.r.req.ID)).Str("kind", h.r.kind).Bool("held", true).End()
	d.completed(now, h.r.cr, h.r.req.Op, nil)
	r := h.r
	h.r = nil
	cr, c := r.cr, port.Completion{ID: r.req.ID, Result: r.heldEmpty}
	d.freeRequest(r)
	cr.deliver(now, c)
}

// wake re-issues the reads held on a partition after an append to it.
func (d *Driver) wake(now port.Time, part int) {
	list := d.held[part]
	if len(list) == 0 {
		return
	}
	delete(d.held, part)
	for _, h := range list {
		h.done = true
		d.k.Cancel(h.ev)
		cr := h.r.cr
		if cr.life != h.life || cr.core == nil {
			continue
		}
		r := h.r
		r.heldEmpty = nil
		lat := r.ki.op.Latency(r.ki.src, 0)
		cr.inflight.push(r)
		r.ev = d.k.Schedule(now+lat, r, 0)
		d.tr.Begin(now, cr.name, "wake").Uint("id", uint64(r.req.ID)).Int("partition", int64(part)).End()
	}
}
