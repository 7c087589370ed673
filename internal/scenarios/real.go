package scenarios

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// Doer sends one client request to a running engine and waits for its
// answer (dflab.Engine and host.Client implement it).
type Doer interface {
	Do(ctx context.Context, req durable.ClientRequest) (durable.ClientResponse, error)
}

// RunReal runs a scenario against an engine running for real: the calls go
// out at their offsets from now on the wall clock (a schedule, as a load
// generator keeps, not a wait for correctness), then every expected
// instance is waited for. Registering sc.Setup's functions is the caller's
// job, since the engine was started with its registry. Check the result
// with Result.Check.
func RunReal(ctx context.Context, e Doer, sc Scenario) (*Result, error) {
	res := &Result{Final: map[string]durable.InstanceStatus{}}
	start := time.Now()
	for i, c := range sc.Calls {
		if d := time.Duration(c.At) - time.Since(start); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if c.StartAfter > 0 {
			c.Req.StartAt = time.Now().Add(time.Duration(c.StartAfter)).UnixNano()
		}
		resp, err := e.Do(ctx, c.Req)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("scenario %s call %d (%s %s): %w", sc.Name, i, c.Req.Kind, c.Req.Instance, ctx.Err())
		}
		res.Responses = append(res.Responses, Response{At: port.Time(time.Since(start)), Call: i + 1, Resp: resp, Err: err})
	}
	for _, x := range sc.Expect {
		resp, err := e.Do(ctx, durable.ClientRequest{Kind: durable.RequestWait, Instance: x.Instance})
		if err != nil {
			return nil, fmt.Errorf("scenario %s: wait for %s: %w", sc.Name, x.Instance, err)
		}
		if resp.Found {
			res.Final[x.Instance] = resp.Status
		}
	}
	res.End = port.Time(time.Since(start))
	return res, nil
}
