package netherite

import (
	"cmp"
	"slices"

	"github.com/dflab/dflab/engine/durable"
)

// apply applies one update event. It is the only code that changes the
// tracked objects, it is deterministic, and it performs no I/O: the
// partition derives sends, timers and activity starts from the state
// afterwards, so replaying the log during recovery has no side effects.
func (s *state) apply(reg *durable.Registry, u *update) {
	if u.Seq <= s.Seq {
		return // already applied (a checkpoint covered it)
	}
	s.Seq = u.Seq
	switch b := u.Body.(type) {
	case received:
		s.applyReceived(u, b)
	case orchestrated:
		s.applyOrchestrated(u, b)
	case entityStep:
		s.consume(b.Instance, b.Consumed)
		if b.Entity.Idle() {
			delete(s.Entities, b.Instance)
			delete(s.EntityUpdated, b.Instance)
		} else {
			st := b.Entity.Clone()
			s.Entities[b.Instance] = &st
			s.EntityUpdated[b.Instance] = u.At
		}
		s.route(u.Seq, b.Messages)
	case activityResult:
		s.removeActivity(b.Activity)
		s.route(u.Seq, b.Messages)
	case timerDue:
		if t, ok := s.Timers[b.Timer]; ok {
			delete(s.Timers, b.Timer)
			s.enqueue(t.Msg.To, t.Msg.Event)
		}
	case confirmed:
		s.confirm(b.Dest, b.UpTo)
	case offloaded:
		s.offload(u.Seq, b.Dest, b.IDs)
	}
}

func (s *state) applyReceived(u *update, r received) {
	if r.InputPos > s.InputPos {
		s.InputPos, s.InputCheck = r.InputPos, r.Check
	}
	for i := range r.Batches {
		b := &r.Batches[i]
		if b.Pos <= s.Dedup[b.Origin] && !s.skipDedup {
			continue // a duplicate (a resend after the sender recovered)
		}
		s.Dedup[b.Origin] = b.Pos
		for _, m := range b.Messages {
			s.enqueue(m.To, m.Event)
		}
		for _, m := range b.Activities {
			s.addActivity(m)
		}
		for _, req := range b.Requests {
			s.request(u, b.Origin, req)
		}
	}
}

func (s *state) applyOrchestrated(u *update, o orchestrated) {
	inst := o.Instance
	s.consume(inst, o.Consumed)
	r := s.Instances[inst]
	if r == nil {
		r = &row{Created: u.At}
		s.Instances[inst] = r
	}
	if len(s.Histories[inst]) > 0 && startsExecution(o.History) {
		// A start for an ended execution (replay.Result.NewExecution):
		// the new execution's history replaces the old one.
		delete(s.Histories, inst)
		r.Created = u.At
	}
	s.Histories[inst] = append(s.Histories[inst], o.History...)
	for i := range o.History {
		if e := &o.History[i]; e.Kind == durable.ExecutionStarted {
			r.Name, r.Input = e.Name, e.Payload
		}
	}
	r.Status, r.Output, r.Custom, r.Failure, r.Updated = o.Status, o.Output, o.Custom, o.Failure, u.At
	s.route(u.Seq, o.Messages)
	if o.Status == durable.StatusContinuedAsNew {
		s.dropExec(inst)
		delete(s.Histories, inst)
		r.Status = durable.StatusRunning
		sess := s.session(inst)
		sess.Queue = append(append([]durable.Event(nil), o.Restart...), sess.Queue...)
		s.queued(inst)
		return
	}
	if o.Status == durable.StatusCompleted || o.Status == durable.StatusFailed || o.Status == durable.StatusTerminated {
		s.dropExec(inst)
		s.answerWaiters(u.Seq, inst)
	}
}

// startsExecution reports whether a step's history begins an execution.
func startsExecution(h []durable.Event) bool {
	for i := range h {
		if h[i].Kind == durable.ExecutionStarted {
			return true
		}
	}
	return false
}

// request applies a client request from origin (a client's stream index).
func (s *state) request(u *update, origin int, r clientReq) {
	req := r.Req
	inst := req.Instance
	if req.Kind == durable.RequestQuery {
		s.respond(u.Seq, origin, clientResp{ID: r.ID, Resp: s.query(req)})
		return
	}
	st, found := s.status(inst)
	resp := durable.ClientResponse{Found: found, Status: st}
	switch req.Kind {
	case durable.RequestStart:
		resp = s.start(u, req, st, found)
	case durable.RequestRaise:
		if found && !st.Done() {
			s.enqueue(inst, durable.Event{Kind: durable.EventRaised, Name: req.Name, Payload: req.Payload})
		}
	case durable.RequestSignal:
		s.enqueue(inst, durable.Event{Kind: durable.EntitySignalRequested, Name: req.Name, Payload: req.Payload})
		resp.Found = true
	case durable.RequestTerminate:
		if found && !st.Done() {
			s.enqueue(inst, durable.TerminateEvent(req))
		}
	case durable.RequestSuspend, durable.RequestResume:
		if found && !st.Done() {
			s.enqueue(inst, durable.LifecycleEvent(req, u.At))
		}
	case durable.RequestPurge:
		switch {
		case !found:
			resp.Refused = durable.RefusedUnknown
		case !st.Done():
			resp.Refused = durable.RefusedNotFinished
		default:
			var children []string
			if !req.OnlyThis {
				children = durable.SubOrchestrations(s.Histories[inst])
			}
			s.dropExec(inst)
			delete(s.Histories, inst)
			delete(s.Instances, inst)
			s.respond(u.Seq, origin, clientResp{ID: r.ID, Resp: resp, Children: children})
			return
		}
	case durable.RequestWait:
		if !found {
			resp.Refused = durable.RefusedUnknown
			break
		}
		if !st.Done() {
			s.Waiters[inst] = append(s.Waiters[inst], waiter{Origin: origin, ID: r.ID})
			return
		}
	}
	s.respond(u.Seq, origin, clientResp{ID: r.ID, Resp: resp})
}

// query answers a client's instance query with this partition's page of
// it (the client merges the partitions' pages).
func (s *state) query(req durable.ClientRequest) durable.ClientResponse {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		return durable.ClientResponse{Page: &durable.InstancePage{}} // the client validated it
	}
	var matching []durable.InstanceStatus
	for _, id := range sortedKeys(s.Instances) {
		st, _ := s.status(id)
		if q.Matches(st) {
			matching = append(matching, st)
		}
	}
	page := durable.PageOf(q, matching, false)
	return durable.ClientResponse{Found: true, Page: &page}
}

// start applies a client's start: an unfinished instance follows the
// request's reuse policy; anything else (unknown, finished) starts anew.
func (s *state) start(u *update, req durable.ClientRequest, st durable.InstanceStatus, found bool) durable.ClientResponse {
	inst := req.Instance
	started := durable.StartEvent(req)
	if found && !st.Done() {
		switch req.Reuse {
		case durable.ReuseIgnore:
			return durable.ClientResponse{Found: true, Status: st}
		case durable.ReuseTerminate:
			// The step applies both: the termination ends the execution
			// (its parent, if any, is told), the start begins a new one
			// (replay.Result.NewExecution).
			s.enqueue(inst, durable.Event{Kind: durable.ExecutionTerminated, Payload: []byte(`"restarted"`)})
			s.enqueue(inst, started)
			r := s.Instances[inst]
			r.Status, r.Name, r.Input, r.Updated = durable.StatusPending, req.Name, req.Payload, u.At
			st, _ = s.status(inst)
			return durable.ClientResponse{Found: true, Status: st}
		default:
			return durable.ClientResponse{Found: true, Status: st, Refused: durable.RefusedExists}
		}
	}
	s.dropExec(inst)
	delete(s.Histories, inst)
	s.Instances[inst] = &row{Name: req.Name, Status: durable.StatusPending, Input: req.Payload,
		Created: u.At, Updated: u.At}
	s.enqueue(inst, started)
	st, _ = s.status(inst)
	return durable.ClientResponse{Found: true, Status: st}
}

func (s *state) answerWaiters(seq int64, inst string) {
	ws := s.Waiters[inst]
	if len(ws) == 0 {
		return
	}
	delete(s.Waiters, inst)
	st, found := s.status(inst)
	for _, w := range ws {
		s.respond(seq, w.Origin, clientResp{ID: w.ID, Resp: durable.ClientResponse{Found: found, Status: st}})
	}
}

// route delivers the messages an update produced: activity work items and
// timers stay here, messages to local instances go to their sessions at
// once, others wait in the outbox.
func (s *state) route(seq int64, ms []durable.Message) {
	for _, m := range ms {
		switch {
		case m.Event.Kind == durable.TaskScheduled:
			s.addActivity(m)
		case m.Event.Kind == durable.TimerFired:
			s.NextTimer++
			s.Timers[s.NextTimer] = timer{ID: s.NextTimer, Msg: m}
		default:
			if dest := durable.Partition(m.To, s.parts); dest != s.self {
				s.out(seq, dest).Messages = append(s.out(seq, dest).Messages, m)
			} else {
				s.enqueue(m.To, m.Event)
			}
		}
	}
}

func (s *state) respond(seq int64, origin int, r clientResp) {
	e := s.out(seq, origin)
	e.Responses = append(e.Responses, r)
}

// out returns the outbox entry of (seq, dest), adding it if needed.
func (s *state) out(seq int64, dest int) *outEntry {
	for i := len(s.Outbox) - 1; i >= 0 && s.Outbox[i].Seq == seq; i-- {
		if s.Outbox[i].Dest == dest {
			return &s.Outbox[i]
		}
	}
	s.Outbox = append(s.Outbox, outEntry{Seq: seq, Dest: dest})
	return &s.Outbox[len(s.Outbox)-1]
}

func (s *state) confirm(dest int, upTo int64) {
	kept := s.Outbox[:0]
	for _, e := range s.Outbox {
		if e.Dest != dest || e.Seq > upTo {
			kept = append(kept, e)
		}
	}
	clear(s.Outbox[len(kept):])
	s.Outbox = kept
}

func (s *state) session(inst string) *session {
	sess := s.Sessions[inst]
	if sess == nil {
		sess = &session{}
		s.Sessions[inst] = sess
	}
	return sess
}

func (s *state) enqueue(inst string, e durable.Event) {
	sess := s.session(inst)
	sess.Queue = append(sess.Queue, e)
	s.queued(inst)
}

func (s *state) queued(inst string) {
	if s.onQueued != nil {
		s.onQueued(inst)
	}
}

func (s *state) consume(inst string, n int) {
	sess := s.Sessions[inst]
	if sess == nil {
		return
	}
	if n >= len(sess.Queue) {
		delete(s.Sessions, inst)
		return
	}
	sess.Queue = append([]durable.Event(nil), sess.Queue[n:]...)
}

func (s *state) addActivity(m durable.Message) {
	s.NextActivity++
	s.Activities = append(s.Activities, activity{ID: s.NextActivity, Msg: m})
}

// offload moves queued activities to the outbox entry of (seq, dest); the
// destination runs them and sends the results to their orchestrations.
func (s *state) offload(seq int64, dest int, ids []int64) {
	for _, id := range ids {
		if i := s.activityIndex(id); i >= 0 {
			e := s.out(seq, dest)
			e.Activities = append(e.Activities, s.Activities[i].Msg)
			s.removeActivity(id)
		}
	}
}

// activityIndex is the index of activity id in s.Activities, or -1: a
// binary search, the activities being in id order (addActivity appends
// increasing ids, a checkpoint keeps the order).
func (s *state) activityIndex(id int64) int {
	i, ok := slices.BinarySearchFunc(s.Activities, id, func(a activity, id int64) int { return cmp.Compare(a.ID, id) })
	if !ok {
		return -1
	}
	return i
}

func (s *state) removeActivity(id int64) {
	// Close the gap from the nearer end, keeping the order: the oldest
	// activities finish first, so most removals move nothing.
	if i, a := s.activityIndex(id), s.Activities; i >= 0 && i < len(a)/2 {
		copy(a[1:i+1], a[:i])
		a[0] = activity{}
		s.Activities = a[1:]
	} else if i >= 0 {
		copy(a[i:], a[i+1:])
		a[len(a)-1] = activity{}
		s.Activities = a[:len(a)-1]
	}
	if s.onGone != nil {
		s.onGone(id)
	}
}
