package meter

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

func msgBytes(ms []port.Message) int {
	n := 0
	for _, m := range ms {
		n += len(m.Data)
	}
	return n
}

type queueM struct {
	in port.Queue
	m  *Meter
}

func (q queueM) Enqueue(ctx context.Context, queue string, data []byte, delay port.Time) (port.Enqueued, error) {
	return do(q.m, "queue-enqueue", len(data), func() (port.Enqueued, error) { return q.in.Enqueue(ctx, queue, data, delay) }, nil)
}

func (q queueM) Dequeue(ctx context.Context, queue string, n int, vis port.Time) ([]port.Message, error) {
	return do(q.m, "queue-dequeue", 0, func() ([]port.Message, error) { return q.in.Dequeue(ctx, queue, n, vis) }, msgBytes)
}

func (q queueM) DeleteMessage(ctx context.Context, queue, id, pop string) error {
	return do0(q.m, "queue-delete", 0, func() error { return q.in.DeleteMessage(ctx, queue, id, pop) })
}

func (q queueM) UpdateMessage(ctx context.Context, queue, id, pop string, data []byte, vis port.Time) (port.Updated, error) {
	return do(q.m, "queue-update", len(data), func() (port.Updated, error) {
		return q.in.UpdateMessage(ctx, queue, id, pop, data, vis)
	}, nil)
}

func (q queueM) Peek(ctx context.Context, queue string, n int) ([]port.Message, error) {
	return do(q.m, "queue-peek", 0, func() ([]port.Message, error) { return q.in.Peek(ctx, queue, n) }, msgBytes)
}

func (q queueM) Length(ctx context.Context, queue string) (int, error) {
	return do(q.m, "queue-length", 0, func() (int, error) { return q.in.Length(ctx, queue) }, nil)
}

type queuesM struct {
	in port.QueueAdmin
	m  *Meter
}

func (q queuesM) CreateQueue(ctx context.Context, name string) error {
	return do0(q.m, "queue-create", 0, func() error { return q.in.CreateQueue(ctx, name) })
}

func (q queuesM) DeleteQueue(ctx context.Context, name string) error {
	return do0(q.m, "queue-drop", 0, func() error { return q.in.DeleteQueue(ctx, name) })
}
