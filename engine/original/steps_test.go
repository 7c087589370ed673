package original

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one worker
// core (internal/steptest) of a hub with one control queue.
//
//	start [extendedSessions=true]
//	deliver msg REQUEST instance=I [name=N] [input=JSON]
//
// A msg is a client request (start, raise, ...) sent by this package's
// client core, run to its answer against the same stores (steptest.Settle):
// its Instances row and control-queue message are there for the worker's
// next reads.
func TestSteps(t *testing.T) {
	reg := durable.NewRegistry()
	if err := reg.AddOrchestrator("Hello", func(ctx *durable.OrchestrationContext) (any, error) {
		var in, out string
		if err := ctx.GetInput(&in); err != nil {
			return nil, err
		}
		err := ctx.CallActivity("Say", in).Await(&out)
		return out, err
	}); err != nil {
		t.Fatal(err)
	}
	if err := reg.AddActivity("Say", func(ctx durable.ActivityContext) (any, error) {
		var in string
		if err := ctx.GetInput(&in); err != nil {
			return nil, err
		}
		return "Hello " + in + "!", nil
	}); err != nil {
		t.Fatal(err)
	}
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		var client *Client
		calls := port.CallID(0)
		return steptest.Rig{
			New: func(a steptest.Args) (port.Core, error) {
				cfg := Defaults("hub", "w0")
				cfg.ControlQueues = 1
				cfg.ExtendedSessions = a.Str("extendedSessions", "") == "true"
				return NewWorker(cfg, reg)
			},
			Message: func(s *port.Stores, now port.Time, a steptest.Args) (string, error) {
				if len(a.Pos) != 1 {
					return "", fmt.Errorf("deliver msg: want one request kind")
				}
				kind, err := stepRequestKind(a.Pos[0])
				if err != nil {
					return "", err
				}
				started := client != nil
				if client == nil {
					if client, err = NewClient(ClientDefaults("hub", 1)); err != nil {
						return "", err
					}
				}
				req := durable.ClientRequest{Kind: kind, Instance: a.Str("instance", ""), Name: a.Str("name", "")}
				if a.Has("input") {
					req.Payload = []byte(a.Str("input", ""))
				}
				calls++
				r, err := steptest.Settle(s, now, client, started, port.ClientCall{ID: calls, Req: req})
				if err != nil {
					return "", err
				}
				if r.Err != nil {
					return "", fmt.Errorf("client: %v", r.Err)
				}
				return fmt.Sprintf("client sent %s %s", kind, req.Instance), nil
			},
			Describe: describeStepValue,
		}
	})
}

func stepRequestKind(s string) (durable.RequestKind, error) {
	var names []string
	for k := durable.RequestStart; k <= durable.RequestLast; k++ {
		if k.String() == s {
			return k, nil
		}
		names = append(names, k.String())
	}
	return 0, fmt.Errorf("request %q: allowed %s", s, strings.Join(names, " "))
}

// describeStepValue prints queue messages as their envelopes' events.
func describeStepValue(v any) string {
	switch o := v.(type) {
	case steptest.Record:
		env, blob, err := decodeMessage(o)
		switch {
		case err != nil:
			return fmt.Sprintf("undecodable message: %v", err)
		case blob != "":
			return "blob-ref " + blob
		}
		s := "to " + env.To + ": " + env.Event.String()
		if env.Sender != "" {
			s += fmt.Sprintf(" from %s#%d", env.Sender, env.Seq)
		}
		return s
	}
	return ""
}
