package sim

import (
	"github.com/dflab/dflab/engine/port"
)

// coreRun is one engine core placed on a node, across its lives. life
// increases at each crash; events carry the life they belong to and are
// ignored when it has passed.
type coreRun struct {
	d       *Driver
	id      CoreID
	name    string
	node    *node
	factory func() port.Core

	core  port.Core // nil while the node is down
	life  uint64
	inbox []port.Input
	spare []port.Input // the previous inbox, reused
	busy  bool         // a turn is queued on or running on the CPU
	out   port.Ready   // outputs of the current turn, released at its end

	ownBusy     port.Time // CPU time of the core's own turns (not its worker items)
	pending     int       // turns whose outputs wait for their worker items
	lastRelease port.Time // when the latest such turn's outputs are released
	workerCost  port.Time // worker work of the current turn, run at its end
	workerItems int       // its work items
	workerSplit int       // what its worker work is divided among: its items and, if pooled, its inputs
	pooled      bool      // input steps run on the node's thread pool (Driver.PoolInputs)

	inflight reqList
}

// inputEv delivers an input to a core (of any life if anyLife, else of life).
type inputEv struct {
	cr      *coreRun
	in      port.Input
	life    uint64
	anyLife bool
}

func (e *inputEv) Handle(now port.Time, _ uint64) {
	cr, in, live := e.cr, e.in, e.anyLife || e.life == e.cr.life
	cr.d.freeInputEv(e) // nothing else holds e (its event has fired)
	if live {
		cr.deliver(now, in)
	}
}

// newInputEv returns an inputEv from the free list (or a new one).
func (d *Driver) newInputEv(cr *coreRun, in port.Input, life uint64, anyLife bool) *inputEv {
	var e *inputEv
	if n := len(d.freeInputs); n > 0 {
		e = d.freeInputs[n-1]
		d.freeInputs = d.freeInputs[:n-1]
	} else {
		e = new(inputEv)
	}
	*e = inputEv{cr: cr, in: in, life: life, anyLife: anyLife}
	return e
}

func (d *Driver) freeInputEv(e *inputEv) {
	*e = inputEv{}
	d.freeInputs = append(d.freeInputs, e)
}

// boot makes a fresh core and feeds it Started at once, so it is the
// first input of the new life.
func (cr *coreRun) boot() {
	cr.core = cr.factory()
	if w := cr.d.cfg.WrapCore; w != nil {
		cr.core = w(cr.name, cr.core)
	}
	cr.deliver(cr.d.k.Now(), port.Started{})
}

func (cr *coreRun) deliver(now port.Time, in port.Input) {
	if cr.core == nil {
		cr.d.stats.Dropped++
		cr.d.tr.Begin(now, cr.name, "drop").Str("in", port.InputKind(in)).End()
		return
	}
	cr.inbox = append(cr.inbox, in)
	if !cr.busy {
		cr.startTurn(now)
	}
}

// startTurn steps every queued input on a CPU core of the node and
// schedules the end of the turn when its CPU time is spent. Work of the
// host's worker kinds runs on the node's other cores after the core's own
// part; the turn's outputs then wait for it (see host.go).
func (cr *coreRun) startTurn(now port.Time) {
	d := cr.d
	cpu := cr.node.cpu
	slot, start := cpu.Start(now)
	inputs := cr.inbox
	cr.inbox = cr.spare[:0]
	var cost port.Time
	for i, in := range inputs {
		kind := port.InputKind(in)
		d.traceStep(now, cr, kind, in)
		cr.core.Step(start, in)
		d.stats.Steps++
		cost += d.costs.cost(costInput, kind, cr.node.cost)
		inputs[i] = nil
	}
	cr.spare = inputs[:0]
	rd := cr.core.Ready()
	var worker port.Time
	items := 0
	for _, w := range rd.Work {
		if w.N <= 0 {
			continue
		}
		c := port.Time(w.N) * d.costs.cost(costWork, w.Kind, cr.node.cost)
		if !d.host.worker[w.Kind] {
			cost += c
			continue
		}
		worker += c
		if d.host.item[w.Kind] {
			items += w.N
		}
	}
	cr.out.Requests = append(cr.out.Requests, rd.Requests...)
	cr.out.Timers = append(cr.out.Timers, rd.Timers...)
	cr.out.Activities = append(cr.out.Activities, rd.Activities...)
	cr.out.Responses = append(cr.out.Responses, rd.Responses...)
	var health []port.Health
	if len(d.onHealth) > 0 {
		health = append(health, rd.Health...)
	}
	cr.core.Advance(rd)
	split := items
	if cr.pooled && cost > 0 {
		worker += cost
		split += len(inputs)
		cost = 0
	}
	if cr.node.load {
		cost, worker, items, split = 0, 0, 0, 0 // sampled above all the same, so the rng streams stay as they were
	}
	end := cpu.Finish(slot, start, cost)
	for _, h := range health {
		for _, hook := range d.onHealth {
			hook(end, cr.id, h)
		}
	}
	cr.ownBusy += cost
	cr.busy = true
	cr.workerCost, cr.workerItems, cr.workerSplit = worker, items, split
	d.stats.Turns++
	l := d.tr.Begin(now, cr.name, "turn").Int("inputs", int64(len(inputs))).Time("start", start).Time("end", end)
	if worker > 0 || items > 0 {
		l.Int("items", int64(items))
	}
	l.End()
	d.k.Schedule(end, cr, cr.life)
}

// Handle ends a turn (data is the life it belongs to): outputs are released
// (after the turn's worker items, if it has any, see host.go) and the next
// turn starts if inputs are waiting.
func (cr *coreRun) Handle(now port.Time, life uint64) {
	if life != cr.life {
		return
	}
	cr.d.tr.Event(now, cr.name, "turn-end")
	if cr.workerCost > 0 || cr.workerItems > 0 || cr.pending > 0 {
		cr.releaseAfterWorkers(now)
	} else {
		cr.releaseOutputs(now, &cr.out)
	}
	cr.busy = false
	if len(cr.inbox) > 0 {
		cr.startTurn(now)
	}
}

// releaseOutputs issues a turn's outputs: requests to storage, timers,
// activities, responses to the client; out is emptied for reuse.
func (cr *coreRun) releaseOutputs(now port.Time, out *port.Ready) {
	d := cr.d
	for i := range out.Requests {
		cr.issue(now, out.Requests[i])
		out.Requests[i] = port.Request{}
	}
	for _, t := range out.Timers {
		at := t.At
		if at < now {
			at = now
		}
		d.stats.Timers++
		d.tr.Begin(now, cr.name, "timer-set").Uint("id", uint64(t.ID)).Time("at", at).End()
		d.k.Schedule(at, d.newInputEv(cr, port.TimerFired{ID: t.ID}, cr.life, false), 0)
	}
	for i, a := range out.Activities {
		cr.startActivity(now, a)
		out.Activities[i] = port.ActivityTask{}
	}
	for i, r := range out.Responses {
		d.stats.Responses++
		d.tr.Begin(now, cr.name, "respond").Uint("id", uint64(r.ID)).Bool("err", r.Err != nil).End()
		at := now + d.models.Network.Delay(d.network, false)
		d.k.Schedule(at, &responseEv{cr: cr, r: r}, 0)
		out.Responses[i] = port.Response{}
	}
	out.Requests = out.Requests[:0]
	out.Timers = out.Timers[:0]
	out.Activities = out.Activities[:0]
	out.Responses = out.Responses[:0]
}

// responseEv hands a response to the client callback.
type responseEv struct {
	cr *coreRun
	r  port.Response
}

func (e *responseEv) Handle(now port.Time, _ uint64) {
	if f := e.cr.d.cfg.OnResponse; f != nil {
		f(now, e.cr.id, e.r)
	}
}

// activityEv runs an activity's result back to its core at the end of its
// CPU time and remote wait.
type activityEv struct {
	cr       *coreRun
	life     uint64
	nodeLife uint64
	began    port.Time
	id       port.ActivityID
	name     string
	out      []byte
	err      error
}

// startActivity runs an activity now if its node's host has a free
// activity slot, else queues it for one.
func (cr *coreRun) startActivity(now port.Time, a port.ActivityTask) {
	n := cr.node
	if !n.takeSlot() {
		n.actQueue = append(n.actQueue, queuedActivity{cr: cr, life: cr.life, a: a})
		cr.d.tr.Begin(now, cr.name, "activity-queued").Uint("id", uint64(a.ID)).Int("waiting", int64(len(n.actQueue))).End()
		return
	}
	cr.runActivity(now, a)
}

func (cr *coreRun) runActivity(now port.Time, a port.ActivityTask) {
	d := cr.d
	d.stats.Activities++
	cost := d.costs.cost(costActivity, a.Name, cr.node.cost)
	start, end := cr.node.cpu.Submit(now, cost)
	if d.host.background > 0 {
		d.k.Schedule(end, &backgroundEv{n: cr.node, life: cr.node.life, dur: d.host.background}, 0)
	}
	end += d.models.activityWait(a.Name, cr.node.cost)
	d.tr.Begin(now, cr.name, "activity").Uint("id", uint64(a.ID)).Str("name", a.Name).
		Time("start", start).Time("end", end).End()
	ev := &activityEv{cr: cr, life: cr.life, nodeLife: cr.node.life, began: now, id: a.ID, name: a.Name}
	if a.Run != nil {
		ev.out, ev.err = a.Run()
	}
	d.k.Schedule(end, ev, 0)
}

func (e *activityEv) Handle(now port.Time, _ uint64) {
	e.cr.node.freeSlot(now, e.began, e.nodeLife)
	if e.life != e.cr.life {
		return
	}
	e.cr.deliver(now, port.ActivityDone{ID: e.id, Output: e.out, Err: e.err})
}

// crash ends the core's current life.
func (cr *coreRun) crash(now port.Time) {
	d := cr.d
	pct := d.crashApplyPercent()
	for r := cr.inflight.head; r != nil; r = r.next {
		d.k.Cancel(r.ev)
		if r.svc != nil {
			r.svc.leave(d, now, r)
		}
		if cr.node.crash.Ratio(int64(pct), 100) {
			_, err := d.apply(r.req.Op)
			d.stats.CrashApplied++
			d.tr.Begin(now, cr.name, "crash-apply").Uint("id", uint64(r.req.ID)).Str("kind", r.kind).Bool("err", err != nil).End()
		} else {
			d.stats.CrashDropped++
			d.tr.Begin(now, cr.name, "crash-drop").Uint("id", uint64(r.req.ID)).Str("kind", r.kind).End()
		}
	}
	cr.inflight = reqList{}
	cr.life++
	if c, ok := cr.core.(port.Closer); ok {
		c.Close()
	}
	cr.core = nil
	cr.busy = false
	clear(cr.inbox)
	cr.inbox = cr.inbox[:0]
	cr.out = port.Ready{}
	cr.pending, cr.lastRelease = 0, 0
	cr.workerCost, cr.workerItems, cr.workerSplit = 0, 0, 0
}

func (d *Driver) traceStep(now port.Time, cr *coreRun, kind string, in port.Input) {
	l := d.tr.Begin(now, cr.name, "step").Str("in", kind)
	switch v := in.(type) {
	case port.Completion:
		l.Uint("id", uint64(v.ID)).Bool("err", v.Err != nil)
	case port.TimerFired:
		l.Uint("id", uint64(v.ID))
	case port.ActivityDone:
		l.Uint("id", uint64(v.ID)).Bool("err", v.Err != nil)
	case port.ClientCall:
		l.Uint("id", uint64(v.ID))
	}
	l.End()
}
