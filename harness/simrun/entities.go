package simrun

import (
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/workloads/workload"
)

// collectEntities reads, after the run, the state of every entity the
// workload's oracle needs (workload.EntityOracle) with a status request on
// each, and returns them by instance id. Entities without state are absent.
// The reads happen after the measured interval, so they change no metric.
func (r *run) collectEntities(from port.Time) (map[string][]byte, error) {
	eo, ok := r.w.(workload.EntityOracle)
	if !ok {
		return nil, nil
	}
	ids, err := eo.OracleEntities(r.arrivals)
	if err != nil {
		return nil, fmt.Errorf("%s: oracle entities: %w", r.w.Name(), err)
	}
	states := map[string][]byte{}
	pending := map[port.CallID]string{}
	for _, id := range ids {
		c := r.tr.call(callInfo{entity: id.String()})
		pending[c] = id.String()
		r.d.Call(from, r.client, port.ClientCall{ID: c, Req: durable.ClientRequest{Kind: durable.RequestStatus, Instance: id.String()}})
	}
	r.tr.entityStates = func(c port.CallID, resp port.Response) {
		inst, ok := pending[c]
		if !ok {
			return
		}
		delete(pending, c)
		if resp.Err != nil && r.tr.err == nil {
			r.tr.err = failed(CheckCompletion, fmt.Errorf("reading entity %s for the oracle: %w", inst, resp.Err))
		}
		if st, ok := resp.Resp.(durable.ClientResponse); ok && st.Found {
			states[inst] = st.Status.Output
		}
	}
	for t := from + stepTime; len(pending) > 0 && r.tr.err == nil; t += stepTime {
		if t > from+readBudget {
			return nil, failed(CheckCompletion, fmt.Errorf("%d entity reads for the oracle unanswered after %v virtual", len(pending), time.Duration(readBudget)))
		}
		r.d.RunUntil(t)
	}
	return states, r.tr.err
}
