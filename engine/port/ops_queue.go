package port

import "context"

// QueueCreate is QueueAdmin.CreateQueue ("queue-create"); result: nil.
type QueueCreate struct{ Queue string }

// QueueDrop is QueueAdmin.DeleteQueue ("queue-drop"); result: nil.
type QueueDrop struct{ Queue string }

// QueueEnqueue is Queue.Enqueue ("queue-enqueue"); result: Enqueued.
type QueueEnqueue struct {
	Queue string
	Data  []byte
	Delay Time
}

// QueueDequeue is Queue.Dequeue ("queue-dequeue"); result: []Message.
type QueueDequeue struct {
	Queue      string
	N          int
	Visibility Time
}

// QueueDelete is Queue.DeleteMessage ("queue-delete"); result: nil.
type QueueDelete struct {
	Queue, ID, PopReceipt string
}

// QueueUpdate is Queue.UpdateMessage ("queue-update"); result: Updated.
type QueueUpdate struct {
	Queue, ID, PopReceipt string
	Data                  []byte // nil: keep the content
	Visibility            Time
}

// QueuePeek is Queue.Peek ("queue-peek"); result: []Message.
type QueuePeek struct {
	Queue string
	N     int
}

// QueueLength is Queue.Length ("queue-length"); result: int.
type QueueLength struct{ Queue string }

func (QueueCreate) Kind() OpKind  { return KindQueueCreate }
func (QueueDrop) Kind() OpKind    { return KindQueueDrop }
func (QueueEnqueue) Kind() OpKind { return KindQueueEnqueue }
func (QueueDequeue) Kind() OpKind { return KindQueueDequeue }
func (QueueDelete) Kind() OpKind  { return KindQueueDelete }
func (QueueUpdate) Kind() OpKind  { return KindQueueUpdate }
func (QueuePeek) Kind() OpKind    { return KindQueuePeek }
func (QueueLength) Kind() OpKind  { return KindQueueLength }

// Target implements Op: "queue/<name>".
func (o QueueCreate) Target() string  { return "queue/" + o.Queue }
func (o QueueDrop) Target() string    { return "queue/" + o.Queue }
func (o QueueEnqueue) Target() string { return "queue/" + o.Queue }
func (o QueueDequeue) Target() string { return "queue/" + o.Queue }
func (o QueueDelete) Target() string  { return "queue/" + o.Queue }
func (o QueueUpdate) Target() string  { return "queue/" + o.Queue }
func (o QueuePeek) Target() string    { return "queue/" + o.Queue }
func (o QueueLength) Target() string  { return "queue/" + o.Queue }

func (QueueCreate) Bytes() int    { return 0 }
func (QueueDrop) Bytes() int      { return 0 }
func (o QueueEnqueue) Bytes() int { return len(o.Data) }
func (QueueDequeue) Bytes() int   { return 0 }
func (QueueDelete) Bytes() int    { return 0 }
func (o QueueUpdate) Bytes() int  { return len(o.Data) }
func (QueuePeek) Bytes() int      { return 0 }
func (QueueLength) Bytes() int    { return 0 }

// Apply implements Op.
func (o QueueCreate) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queues == nil {
		return nil, noStore(o.Kind(), "Queues")
	}
	return nil, s.Queues.CreateQueue(ctx, o.Queue)
}

// Apply implements Op.
func (o QueueDrop) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queues == nil {
		return nil, noStore(o.Kind(), "Queues")
	}
	return nil, s.Queues.DeleteQueue(ctx, o.Queue)
}

// Apply implements Op.
func (o QueueEnqueue) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return s.Queue.Enqueue(ctx, o.Queue, o.Data, o.Delay)
}

// Apply implements Op.
func (o QueueDequeue) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return s.Queue.Dequeue(ctx, o.Queue, o.N, o.Visibility)
}

// Apply implements Op.
func (o QueueDelete) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return nil, s.Queue.DeleteMessage(ctx, o.Queue, o.ID, o.PopReceipt)
}

// Apply implements Op.
func (o QueueUpdate) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return s.Queue.UpdateMessage(ctx, o.Queue, o.ID, o.PopReceipt, o.Data, o.Visibility)
}

// Apply implements Op.
func (o QueuePeek) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return s.Queue.Peek(ctx, o.Queue, o.N)
}

// Apply implements Op.
func (o QueueLength) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.Queue == nil {
		return nil, noStore(o.Kind(), "Queue")
	}
	return s.Queue.Length(ctx, o.Queue)
}
