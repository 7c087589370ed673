package inject

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

type queueI struct {
	in port.Queue
	j  *Injector
}

func (q queueI) Enqueue(ctx context.Context, queue string, data []byte, delay port.Time) (port.Enqueued, error) {
	return call(ctx, q.j, "queue-enqueue", func() (port.Enqueued, error) { return q.in.Enqueue(ctx, queue, data, delay) })
}

func (q queueI) Dequeue(ctx context.Context, queue string, n int, vis port.Time) ([]port.Message, error) {
	return call(ctx, q.j, "queue-dequeue", func() ([]port.Message, error) { return q.in.Dequeue(ctx, queue, n, vis) })
}

func (q queueI) DeleteMessage(ctx context.Context, queue, id, popReceipt string) error {
	return call0(ctx, q.j, "queue-delete", func() error { return q.in.DeleteMessage(ctx, queue, id, popReceipt) })
}

func (q queueI) UpdateMessage(ctx context.Context, queue, id, popReceipt string, data []byte, vis port.Time) (port.Updated, error) {
	return call(ctx, q.j, "queue-update", func() (port.Updated, error) {
		return q.in.UpdateMessage(ctx, queue, id, popReceipt, data, vis)
	})
}

func (q queueI) Peek(ctx context.Context, queue string, n int) ([]port.Message, error) {
	return call(ctx, q.j, "queue-peek", func() ([]port.Message, error) { return q.in.Peek(ctx, queue, n) })
}

func (q queueI) Length(ctx context.Context, queue string) (int, error) {
	return call(ctx, q.j, "queue-length", func() (int, error) { return q.in.Length(ctx, queue) })
}

type queuesI struct {
	in port.QueueAdmin
	j  *Injector
}

func (q queuesI) CreateQueue(ctx context.Context, name string) error {
	return call0(ctx, q.j, "queue-create", func() error { return q.in.CreateQueue(ctx, name) })
}

func (q queuesI) DeleteQueue(ctx context.Context, name string) error {
	return call0(ctx, q.j, "queue-drop", func() error { return q.in.DeleteQueue(ctx, name) })
}

type tableI struct {
	in port.Table
	j  *Injector
}

func (t tableI) CreateTable(ctx context.Context, table string) error {
	return call0(ctx, t.j, "table-create", func() error { return t.in.CreateTable(ctx, table) })
}

func (t tableI) DeleteTable(ctx context.Context, table string) error {
	return call0(ctx, t.j, "table-drop", func() error { return t.in.DeleteTable(ctx, table) })
}

func (t tableI) Write(ctx context.Context, table string, w port.TableWrite) (string, error) {
	return call(ctx, t.j, w.Kind.Kind(), func() (string, error) { return t.in.Write(ctx, table, w) })
}

func (t tableI) Get(ctx context.Context, table, pk, rk string) (port.Entity, error) {
	return call(ctx, t.j, "table-get", func() (port.Entity, error) { return t.in.Get(ctx, table, pk, rk) })
}

func (t tableI) Query(ctx context.Context, table string, q port.TableQuery) (port.EntityPage, error) {
	return call(ctx, t.j, "table-query", func() (port.EntityPage, error) { return t.in.Query(ctx, table, q) })
}

func (t tableI) Batch(ctx context.Context, table string, ws []port.TableWrite) ([]string, error) {
	return call(ctx, t.j, "table-batch", func() ([]string, error) { return t.in.Batch(ctx, table, ws) })
}
