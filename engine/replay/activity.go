package replay

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// RunActivity runs the activity a TaskScheduled message asks for and
// returns the message that reports its outcome to the orchestration
// (TaskCompleted or TaskFailed). A panic fails the task with the panic text.
func RunActivity(ctx context.Context, reg *durable.Registry, m durable.Message) durable.Message {
	out, err := runActivity(ctx, reg, m)
	reply := durable.Message{To: m.To, Event: durable.Event{Kind: durable.TaskCompleted, ID: m.Event.ID, Payload: out}}
	if err != nil {
		reply.Event = durable.Event{Kind: durable.TaskFailed, ID: m.Event.ID, Failure: durable.EncodeFailure(err)}
	}
	return reply
}

func runActivity(ctx context.Context, reg *durable.Registry, m durable.Message) (out []byte, err error) {
	fn, err := reg.Activity(m.Event.Name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, durable.PanicError(r)
		}
	}()
	v, err := fn(durable.NewVersionedActivityContext(ctx, m.Event.Name, m.To, m.Event.ID, m.Event.Payload, m.Event.Version))
	if err != nil {
		return nil, err
	}
	out, err = durable.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("activity %q output: %w", m.Event.Name, err)
	}
	return out, nil
}
