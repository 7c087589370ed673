package steptest

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// HelloRegistry is the scripts' workload: orchestration Hello calls
// activity Say with its input (a JSON string) and returns Say's output,
// "Hello <input>!".
func HelloRegistry() (*durable.Registry, error) {
	reg := durable.NewRegistry()
	if err := reg.AddOrchestrator("Hello", func(ctx *durable.OrchestrationContext) (any, error) {
		var in, out string
		if err := ctx.GetInput(&in); err != nil {
			return nil, err
		}
		err := ctx.CallActivity("Say", in).Await(&out)
		return out, err
	}); err != nil {
		return nil, err
	}
	err := reg.AddActivity("Say", func(ctx durable.ActivityContext) (any, error) {
		var in string
		if err := ctx.GetInput(&in); err != nil {
			return nil, err
		}
		return "Hello " + in + "!", nil
	})
	return reg, err
}

// ClientRequest parses a client request: KIND instance=I [name=N]
// [input=JSON] (KIND: start, raise, signal, status, wait, ...).
func ClientRequest(a Args) (durable.ClientRequest, error) {
	if len(a.Pos) != 1 {
		return durable.ClientRequest{}, fmt.Errorf("want one request kind, got %q", a.Pos)
	}
	var names []string
	for k := durable.RequestStart; k <= durable.RequestLast; k++ {
		if k.String() != a.Pos[0] {
			names = append(names, k.String())
			continue
		}
		req := durable.ClientRequest{Kind: k, Instance: a.Str("instance", ""), Name: a.Str("name", "")}
		if a.Has("input") {
			req.Payload = []byte(a.Str("input", ""))
		}
		return req, nil
	}
	return durable.ClientRequest{}, fmt.Errorf("request %q: allowed %s", a.Pos[0], strings.Join(names, " "))
}

// ClientMessage returns a Rig.Message that sends a ClientRequest through
// the engine's own client core (made once by newClient, on the first
// message) and settles it against the stores (Settle): what the client
// writes is in place for the core under test to read.
func ClientMessage(newClient func() (port.Core, error)) func(s *port.Stores, now port.Time, a Args) (string, error) {
	var client port.Core
	var calls port.CallID
	return func(s *port.Stores, now port.Time, a Args) (string, error) {
		req, err := ClientRequest(a)
		if err != nil {
			return "", err
		}
		started := client != nil
		if client == nil {
			if client, err = newClient(); err != nil {
				return "", err
			}
		}
		calls++
		r, err := Settle(s, now, client, started, port.ClientCall{ID: calls, Req: req})
		if err != nil {
			return "", err
		}
		if r.Err != nil {
			return "", fmt.Errorf("client: %s %s: %v", req.Kind, req.Instance, r.Err)
		}
		return fmt.Sprintf("client sent %s %s", req.Kind, req.Instance), nil
	}
}
