package mem

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/dflab/dflab/engine/port"
)

type queue struct {
	order []*msg // insertion order; deleted messages are compacted lazily
	byID  map[string]*msg
	dead  int
	// No message of order[:skip] is visible before skipVis: each is
	// deleted or visible from skipVis on at the earliest. Dequeue walks
	// from skip while it is earlier than skipVis, so the messages a
	// worker holds (dequeued, invisible until deleted) are not walked
	// again on every dequeue.
	skip    int
	skipVis port.Time
}

type msg struct {
	port.Message
	deleted bool
}

func (q *queue) remove(m *msg) {
	m.deleted = true
	delete(q.byID, m.ID)
	q.dead++
	if q.dead > 32 && q.dead > len(q.order)/2 {
		live := q.order[:0]
		for _, x := range q.order {
			if !x.deleted {
				live = append(live, x)
			}
		}
		clear(q.order[len(live):])
		q.order, q.dead, q.skip = live, 0, 0
	}
}

// CreateQueue implements port.QueueAdmin.
func (s *Store) CreateQueue(_ context.Context, name string) error {
	if err := port.ValidQueueName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		s.queues[name] = &queue{byID: map[string]*msg{}}
	}
	return nil
}

// DeleteQueue implements port.QueueAdmin.
func (s *Store) DeleteQueue(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		return port.NotFound("queue", name)
	}
	delete(s.queues, name)
	return nil
}

func (s *Store) queue(name string) (*queue, error) {
	q, ok := s.queues[name]
	if !ok {
		return nil, port.NotFound("queue", name)
	}
	return q, nil
}

// Enqueue implements port.Queue.
func (s *Store) Enqueue(_ context.Context, name string, data []byte, delay port.Time) (port.Enqueued, error) {
	if err := port.ValidMessage(data); err != nil {
		return port.Enqueued{}, err
	}
	if err := port.ValidDelay("delay", delay); err != nil {
		return port.Enqueued{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queue(name)
	if err != nil {
		return port.Enqueued{}, err
	}
	now := s.now()
	m := &msg{Message: port.Message{ID: s.messageID(), PopReceipt: s.receipt(),
		InsertedAt: now, NextVisible: now + delay, Data: clone(data)}}
	q.order = append(q.order, m)
	q.byID[m.ID] = m
	return port.Enqueued{ID: m.ID, PopReceipt: m.PopReceipt, InsertedAt: now, NextVisible: m.NextVisible}, nil
}

func (s *Store) receipt() string { return "r" + strconv.FormatUint(s.next(), 10) }

// messageID is "m" and the sequence number zero-padded to 8 digits (fmt's m%08d).
func (s *Store) messageID() string {
	b := append(make([]byte, 0, 24), 'm')
	return string(appendPadded(b, s.next(), 8))
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	var d [20]byte
	s := strconv.AppendUint(d[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func copyMsg(m *msg, receipt bool) port.Message {
	c := m.Message
	c.Data = clone(m.Data)
	if !receipt {
		c.PopReceipt = ""
	}
	return c
}

// Dequeue implements port.Queue.
func (s *Store) Dequeue(_ context.Context, name string, n int, vis port.Time) ([]port.Message, error) {
	if err := port.ValidDequeue(n, vis); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queue(name)
	if err != nil {
		return nil, err
	}
	now := s.now()
	vs := q.visible(now, n)
	var out []port.Message
	if len(vs) > 0 {
		out = make([]port.Message, 0, len(vs))
	}
	for _, m := range vs {
		m.DequeueCount++
		m.NextVisible = now + vis
		m.PopReceipt = s.receipt()
		out = append(out, copyMsg(m, true))
	}
	return out, nil
}

// visible returns up to n messages visible at now, in insertion order.
func (q *queue) visible(now port.Time, n int) []*msg {
	var out []*msg
	start, minVis := 0, port.Time(math.MaxInt64)
	if q.skip > 0 && now < q.skipVis {
		start, minVis = q.skip, q.skipVis
	}
	skip := start
	for i := start; i < len(q.order); i++ {
		m := q.order[i]
		if len(out) == n {
			break
		}
		switch {
		case !m.deleted && m.NextVisible <= now:
			out = append(out, m)
		case len(out) == 0: // still in the prefix none of which is visible
			if !m.deleted {
				minVis = min(minVis, m.NextVisible)
			}
			skip = i + 1
		}
	}
	q.skip, q.skipVis = skip, minVis
	return out
}

// find returns the message id whose receipt is popReceipt.
func (s *Store) find(name, id, popReceipt string) (*queue, *msg, error) {
	q, err := s.queue(name)
	if err != nil {
		return nil, nil, err
	}
	m, ok := q.byID[id]
	if !ok {
		return nil, nil, fmt.Errorf("queue %q message %q: %w", name, id, port.ErrNotFound)
	}
	if m.PopReceipt != popReceipt {
		return nil, nil, fmt.Errorf("queue %q message %q receipt %q: %w", name, id, popReceipt, port.ErrPopReceipt)
	}
	return q, m, nil
}

// DeleteMessage implements port.Queue.
func (s *Store) DeleteMessage(_ context.Context, name, id, popReceipt string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, m, err := s.find(name, id, popReceipt)
	if err != nil {
		return err
	}
	q.remove(m)
	return nil
}

// UpdateMessage implements port.Queue.
func (s *Store) UpdateMessage(_ context.Context, name, id, popReceipt string, data []byte, vis port.Time) (port.Updated, error) {
	if err := port.ValidMessage(data); err != nil {
		return port.Updated{}, err
	}
	if err := port.ValidDelay("visibility", vis); err != nil {
		return port.Updated{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, m, err := s.find(name, id, popReceipt)
	if err != nil {
		return port.Updated{}, err
	}
	if data != nil {
		m.Data = clone(data)
	}
	m.NextVisible = s.now() + vis
	q.skipVis = min(q.skipVis, m.NextVisible) // it may be in the skipped prefix
	m.PopReceipt = s.receipt()
	return port.Updated{PopReceipt: m.PopReceipt, NextVisible: m.NextVisible}, nil
}

// Peek implements port.Queue.
func (s *Store) Peek(_ context.Context, name string, n int) ([]port.Message, error) {
	if err := port.ValidPeek(n); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queue(name)
	if err != nil {
		return nil, err
	}
	var out []port.Message
	for _, m := range q.visible(s.now(), n) {
		out = append(out, copyMsg(m, false))
	}
	return out, nil
}

// Length implements port.Queue.
func (s *Store) Length(_ context.Context, name string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queue(name)
	if err != nil {
		return 0, err
	}
	return len(q.byID), nil
}
