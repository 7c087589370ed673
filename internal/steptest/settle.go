package steptest

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// Settle runs a helper core — an engine's client core, say, putting a
// message where the core under test will read it — through one client
// call: it steps c with in at now, applies every request c asks for to s
// at once in issue order, fires its timers when nothing else is in
// flight, and returns the response to in.ID. It gives up after 1,000
// inputs. c must have been started (Settle steps port.Started if started
// is false).
func Settle(s *port.Stores, now port.Time, c port.Core, started bool, in port.ClientCall) (port.Response, error) {
	ctx := context.Background()
	var queue []port.Input
	if !started {
		queue = append(queue, port.Started{})
	}
	queue = append(queue, in)
	var timers []port.Timer
	for n := 0; n < 1000; n++ {
		if len(queue) == 0 {
			if len(timers) == 0 {
				return port.Response{}, fmt.Errorf("settle: call %d not answered and nothing in flight", in.ID)
			}
			queue = append(queue, port.TimerFired{ID: timers[0].ID})
			timers = timers[1:]
		}
		c.Step(now, queue[0])
		queue = queue[1:]
		rd := c.Ready()
		for _, r := range rd.Requests {
			res, err := r.Op.Apply(ctx, s)
			queue = append(queue, port.Completion{ID: r.ID, Result: res, Err: err})
		}
		timers = append(timers, rd.Timers...)
		c.Advance(rd)
		for _, r := range rd.Responses {
			if r.ID == in.ID {
				return r, nil
			}
		}
	}
	return port.Response{}, fmt.Errorf("settle: call %d not answered after 1000 inputs", in.ID)
}
