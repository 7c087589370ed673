package simrun

import (
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads/workload"
)

// callInfo is what the runner remembers about a client call it made.
type callInfo struct {
	instance int
	wait     string // the orchestration a RequestWait waits for
	startOf  string // the orchestration a RequestStart starts (its wait follows the answer)
	poll     bool   // a RequestStatus on the instance's done-entity
	entity   string // a RequestStatus reading an entity for the oracle
	chained  bool   // a start or a request after it: its answer sends the next (followUp)
	// batch is a launcher's signal: its orchestrations are waited for once
	// it is acknowledged; launched marks such a wait, which an engine may
	// answer "unknown instance" until the launcher's start arrives.
	batch    *launched
	launched bool
}

// maxWaitRetries bounds how often a wait answered with an error is sent
// again before the instance counts as failed.
const maxWaitRetries = 10

// maxLaunchWaits bounds how often a wait for an orchestration a launcher
// entity starts is sent again while the engine does not know it yet (every
// 100 ms: a minute).
const maxLaunchWaits = 600

// tracker follows every instance from its start to its completion.
type tracker struct {
	w         workload.Workload
	byEntity  bool // instances end in an entity's state (polled)
	instances int
	order     []int                 // instance numbers, in order of first arrival
	start     map[int]time.Duration // instance -> first arrival
	waits     map[int]int           // instance -> outstanding waits
	done      map[int]port.Time     // instance -> completion (virtual)
	failed    map[int]bool
	polling   map[int]bool
	nextPoll  map[int]port.Time // instance -> earliest next poll
	pollGap   map[int]port.Time // instance -> current poll interval
	last      map[int]port.Time // instance -> last done-entity poll answered
	retries   map[string]int
	pollErrs  int // done-entity polls answered with an error
	outcomes  map[string]workload.Outcome
	calls     map[port.CallID]callInfo
	next      port.CallID
	err       error // the first error that fails the run
	// entityStates receives the answers to oracle entity reads.
	entityStates func(port.CallID, port.Response)
	// latencyEnd is spec.Load.LatencyEnd (where a polled instance ends).
	latencyEnd string
}

func newTracker(w workload.Workload, arrivals []workload.Arrival) *tracker {
	_, byEntity := w.(workload.EntityCompletion)
	t := &tracker{w: w, byEntity: byEntity, start: map[int]time.Duration{}, waits: map[int]int{},
		done: map[int]port.Time{}, failed: map[int]bool{}, polling: map[int]bool{}, nextPoll: map[int]port.Time{}, pollGap: map[int]port.Time{}, last: map[int]port.Time{}, retries: map[string]int{},
		outcomes: map[string]workload.Outcome{}, calls: map[port.CallID]callInfo{}}
	for _, a := range arrivals {
		if _, seen := t.start[a.Instance]; !seen {
			t.start[a.Instance] = a.At
			t.order = append(t.order, a.Instance)
		}
		if a.Req.Kind == durable.RequestStart {
			t.waits[a.Instance]++
		}
	}
	t.instances = len(t.order)
	return t
}

// call registers a call and returns its id.
func (t *tracker) call(c callInfo) port.CallID {
	t.next++
	t.calls[t.next] = c
	return t.next
}

func (t *tracker) allDone() bool { return len(t.done) == t.instances || t.err != nil }

// lastEvent is the harness's last event of instance i: its start and what
// it is still waiting for.
func (t *tracker) lastEvent(i int) string {
	out := fmt.Sprintf("started at %v", t.start[i])
	switch {
	case t.byEntity && t.last[i] > 0:
		out += fmt.Sprintf(", done-entity last polled at %v, not done", time.Duration(t.last[i]))
	case t.byEntity:
		out += ", done-entity never polled"
	case t.waits[i] > 0:
		out += fmt.Sprintf(", %d orchestration(s) not completed", t.waits[i])
	}
	return out
}

// respond handles one response.
func (t *tracker) respond(r *run, now port.Time, resp port.Response) {
	c, ok := t.calls[resp.ID]
	if !ok {
		return
	}
	delete(t.calls, resp.ID)
	switch {
	case c.entity != "":
		if t.entityStates != nil {
			t.entityStates(resp.ID, resp)
		}
	case c.wait != "":
		t.waited(r, now, c, resp)
	case c.poll:
		t.polled(now, c, resp)
	default:
		if resp.Err != nil && t.err == nil {
			t.err = failed(CheckCompletion, fmt.Errorf("client request of instance %d failed: %w", c.instance, resp.Err))
		}
		if c.chained && resp.Err == nil {
			r.followUp(now, c.instance)
		}
		if c.batch != nil && resp.Err == nil {
			r.waitLaunched(now, *c.batch)
		}
		if c.startOf != "" && resp.Err == nil {
			// A load generator waits for an instance once its start is
			// acknowledged, as a real client does (realrun): a wait sent
			// beside the start could reach the engine first and be
			// answered "unknown instance".
			r.wait(now, c.instance, c.startOf)
		}
	}
}

func (t *tracker) waited(r *run, now port.Time, c callInfo, resp port.Response) {
	if resp.Err != nil {
		// A wait for an orchestration a launcher starts may be answered
		// "unknown instance" (an error from the original engine's client)
		// until the launcher's start arrives: it is retried as long.
		limit := maxWaitRetries
		if c.launched {
			limit = maxLaunchWaits
		}
		if t.retries[c.wait]++; t.retries[c.wait] > limit {
			t.err = failed(CheckCompletion, fmt.Errorf("wait for %s failed %d times, last: %w", c.wait, limit, resp.Err))
			return
		}
		if c.launched {
			r.waitLaunched(now+100*port.Millisecond, launched{instances: []int{c.instance}, ids: []string{c.wait}})
			return
		}
		r.wait(now+100*port.Millisecond, c.instance, c.wait)
		return
	}
	cr, _ := resp.Resp.(durable.ClientResponse)
	if !cr.Found && c.launched && t.retries[c.wait] < maxLaunchWaits {
		// The launcher's start has not reached the instance yet.
		t.retries[c.wait]++
		r.waitLaunched(now+100*port.Millisecond, launched{instances: []int{c.instance}, ids: []string{c.wait}})
		return
	}
	if !cr.Found && t.err == nil {
		t.err = failed(CheckAcks, fmt.Errorf("wait for %s: the engine does not know the instance its start request created", c.wait))
		return
	}
	st := cr.Status
	t.outcomes[c.wait] = workload.Outcome{Status: st.Status, Output: st.Output, Failure: st.Failure}
	if st.Status != durable.StatusCompleted {
		t.failed[c.instance] = true
	}
	if t.waits[c.instance]--; t.waits[c.instance] == 0 {
		t.done[c.instance] = now
		if r.spec.Load.LatencyEnd == spec.LatencyEndStatus && !st.Updated.IsZero() {
			// The engine's own record of the last update, never before
			// the start nor after the answer.
			t.done[c.instance] = min(now, max(port.Time(t.start[c.instance]), port.Time(st.Updated.UnixNano())))
		}
	}
}

func (t *tracker) polled(now port.Time, c callInfo, resp port.Response) {
	t.polling[c.instance] = false
	t.last[c.instance] = now
	if resp.Err != nil {
		// A storage fault may fail a status read; the next poll asks
		// again, and an instance that never answers runs out of budget.
		t.pollErrs++
		return
	}
	if _, done := t.done[c.instance]; done {
		return
	}
	cr, _ := resp.Resp.(durable.ClientResponse)
	var state []byte
	if cr.Found {
		state = cr.Status.Output
	}
	_, test := t.w.(workload.EntityCompletion).DoneEntity(c.instance)
	ok, err := test(state)
	if err != nil {
		t.err = fmt.Errorf("instance %d: done-entity state: %w", c.instance, err)
		return
	}
	if ok {
		t.done[c.instance] = now
		if t.latencyEnd == spec.LatencyEndStatus && !cr.Status.Updated.IsZero() {
			// The done-entity's own record of its last update (the one
			// that completed it), not the poll that found it: the polls
			// back off to seconds apart, which would quantise a short
			// job's end.
			t.done[c.instance] = min(now, max(port.Time(t.start[c.instance]), port.Time(cr.Status.Updated.UnixNano())))
		}
	}
}
