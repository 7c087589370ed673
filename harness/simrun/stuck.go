package simrun

import (
	"fmt"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/workloads/workload"
)

// Reporting of the instances still running when a run hits its time limit.
const (
	maxStuck  = 5                // instances whose status a failed run asks for
	stuckRead = 60 * port.Second // how long it waits for their answers
)

// stuck asks the engine for the status of the first maxStuck instances
// that are not done, at virtual time now, and describes each: the
// instance, its engine status and last update, and the harness's last
// event for it. It returns the description and the events processed.
func (r *run) stuck(now port.Time) (string, int64) {
	type ask struct {
		instance int
		id       string
		answer   *port.Response
	}
	var asks []*ask
	byCall := map[port.CallID]*ask{}
	for _, i := range r.tr.order {
		if _, done := r.tr.done[i]; done || len(asks) == maxStuck {
			continue
		}
		a := &ask{instance: i, id: r.stuckID(i)}
		c := r.tr.call(callInfo{entity: a.id})
		asks, byCall[c] = append(asks, a), a
		r.d.Call(now, r.client, port.ClientCall{ID: c, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: a.id}})
	}
	pending := len(asks)
	r.tr.entityStates = func(c port.CallID, resp port.Response) {
		if a, ok := byCall[c]; ok && a.answer == nil {
			a.answer, pending = &resp, pending-1
		}
	}
	var events int64
	for t := now + stepTime; pending > 0 && t <= now+stuckRead; t += stepTime {
		events += int64(r.d.RunUntil(t))
	}
	r.tr.entityStates = nil
	parts := make([]string, 0, len(asks)+1)
	for _, a := range asks {
		parts = append(parts, fmt.Sprintf("instance %d %s: %s; %s", a.instance, a.id, describeStatus(a.answer), r.tr.lastEvent(a.instance)))
	}
	if more := r.tr.instances - len(r.tr.done) - len(asks); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, " | "), events
}

// stuckID is the engine id whose status says where instance i is: its
// done-entity (WordCount) or its first orchestration.
func (r *run) stuckID(i int) string {
	if ec, ok := r.w.(workload.EntityCompletion); ok {
		id, _ := ec.DoneEntity(i)
		return id.String()
	}
	for _, a := range r.arrivals {
		if a.Instance == i && a.Req.Kind == durable.RequestStart {
			return a.Req.Instance
		}
	}
	return "?"
}

// describeStatus is an engine's answer to a status request, in words.
func describeStatus(resp *port.Response) string {
	switch {
	case resp == nil:
		return fmt.Sprintf("status request unanswered after %v virtual", time.Duration(stuckRead))
	case resp.Err != nil:
		return "status request failed: " + resp.Err.Error()
	}
	cr, _ := resp.Resp.(durable.ClientResponse)
	if !cr.Found {
		return "unknown to the engine (no state yet)"
	}
	st := cr.Status
	out := fmt.Sprintf("status %s", st.Status)
	if !st.Updated.IsZero() {
		out += fmt.Sprintf(", last updated at %v virtual", time.Duration(st.Updated.UnixNano()))
	}
	if len(st.CustomStatus) > 0 {
		out += ", custom status " + brief(st.CustomStatus)
	}
	if st.Name == "" && len(st.Output) > 0 { // an entity: its state
		out += ", state " + brief(st.Output)
	}
	return out
}

// brief shortens a payload for an error message.
func brief(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
