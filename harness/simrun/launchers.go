package simrun

import (
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/workloads/workload"
)

// LauncherEntity is the entity that starts orchestrations for a closed
// load with spec.load.launchers: its "start" operation starts every
// orchestration of its input (EntityContext.StartNewOrchestration), as the
// paper's launcher entities started Hello5 on multi-node runs.
const LauncherEntity = "dflab-launcher"

// launch is one orchestration a launcher starts.
type launch struct {
	Name     string          `json:"name"`
	Instance string          `json:"instance"`
	Input    json.RawMessage `json:"input,omitempty"`
}

// launcher is LauncherEntity's function.
func launcher(ctx *durable.EntityContext) error {
	if ctx.Operation() != "start" {
		return fmt.Errorf("%s: operation %q, want start", LauncherEntity, ctx.Operation())
	}
	var ls []launch
	if err := ctx.GetInput(&ls); err != nil {
		return err
	}
	for _, l := range ls {
		var in any
		if len(l.Input) > 0 {
			in = l.Input
		}
		if err := ctx.StartNewOrchestration(l.Name, l.Instance, in); err != nil {
			return err
		}
	}
	return nil
}

// launched is a launcher's batch: the tracker's instance numbers and the
// orchestration ids it starts.
type launched struct {
	instances []int
	ids       []string
}

// launchCalls groups the start arrivals of a closed load into batches of
// per and returns one signal per batch to launcher entity g (in arrival
// order), with what each starts; arrivals that are not starts are kept.
func launchCalls(arrivals []workload.Arrival, per int) (signals []workload.Arrival, batches []launched, rest []workload.Arrival, err error) {
	var cur []launch
	var b launched
	var at workload.Arrival
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		p, err := durable.Marshal(cur)
		if err != nil {
			return fmt.Errorf("spec.load.launchers: a batch of %d starts: %w", len(cur), err)
		}
		id := durable.EntityID{Name: LauncherEntity, Key: fmt.Sprint(len(signals))}
		at.Req = durable.ClientRequest{Kind: durable.RequestSignal, Instance: id.String(), Name: "start", Payload: p}
		signals, batches = append(signals, at), append(batches, b)
		cur, b = nil, launched{}
		return nil
	}
	for _, a := range arrivals {
		if a.Req.Kind != durable.RequestStart {
			rest = append(rest, a)
			continue
		}
		if len(cur) == 0 {
			at = a
		}
		cur = append(cur, launch{Name: a.Req.Name, Instance: a.Req.Instance, Input: a.Req.Payload})
		b.instances, b.ids = append(b.instances, a.Instance), append(b.ids, a.Req.Instance)
		if len(cur) == per {
			if err := flush(); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, nil, nil, err
	}
	return signals, batches, rest, nil
}

// waitLaunched sends a wait for every orchestration of a launcher's batch
// once the signal is acknowledged.
func (r *run) waitLaunched(now port.Time, b launched) {
	for i, id := range b.ids {
		c := r.tr.call(callInfo{instance: b.instances[i], wait: id, launched: true})
		r.d.Call(now, r.client, port.ClientCall{ID: c, Req: durable.ClientRequest{Kind: durable.RequestWait, Instance: id}})
	}
}
