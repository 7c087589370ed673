package azure

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"

	"github.com/dflab/dflab/engine/port"
)

var (
	_ port.Queue      = (*Store)(nil)
	_ port.QueueAdmin = (*Store)(nil)
)

// binaryMark starts a queue message that carries base64.
const binaryMark = '~'

// queueName maps a port queue name to the service's.
func (s *Store) queueName(name string) (string, error) {
	if err := port.ValidQueueName(name); err != nil {
		return "", err
	}
	if s.ns == "" {
		return name, nil
	}
	full := s.ns + "-" + name
	if len(full) > port.MaxQueueNameLen {
		return "", port.BadRequest("queue name", fmt.Sprintf("%q", name),
			fmt.Sprintf("at most %d characters with namespace %q", port.MaxQueueNameLen-len(s.ns)-1, s.ns))
	}
	return full, nil
}

func (s *Store) queue(name string) (*azqueue.QueueClient, error) {
	full, err := s.queueName(name)
	if err != nil {
		return nil, err
	}
	return s.queues.NewQueueClient(full), nil
}

// CreateQueue implements port.QueueAdmin.
func (s *Store) CreateQueue(ctx context.Context, name string) error {
	q, err := s.queue(name)
	if err != nil {
		return err
	}
	_, err = q.Create(ctx, nil)
	if hasCode(err, "QueueAlreadyExists") {
		return nil // exists with other metadata: still exists
	}
	return wrap(err, "create queue", name)
}

// DeleteQueue implements port.QueueAdmin.
func (s *Store) DeleteQueue(ctx context.Context, name string) error {
	q, err := s.queue(name)
	if err != nil {
		return err
	}
	_, err = q.Delete(ctx, nil)
	return wrap(err, "delete queue", name)
}

// encodeMessage turns a payload into message text (see the package doc).
func encodeMessage(data []byte) (string, error) {
	var text string
	if plainText(data) {
		text = string(data)
	} else {
		text = string(binaryMark) + base64.StdEncoding.EncodeToString(data)
	}
	if len(text) > port.MaxMessageBytes {
		return "", fmt.Errorf("%w: message of %d bytes is %d bytes as base64 text, limit %d",
			port.ErrTooLarge, len(data), len(text), port.MaxMessageBytes)
	}
	return text, nil
}

// plainText reports whether data survives the service's XML as is.
func plainText(data []byte) bool {
	if len(data) == 0 {
		return false // Azurite cannot tell an empty text from a missing one
	}
	if data[0] == binaryMark || data[0] == ' ' || data[len(data)-1] == ' ' || !utf8.Valid(data) {
		return false
	}
	for _, r := range string(data) {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == 0xfffe || r == 0xffff {
			return false
		}
	}
	return !strings.HasPrefix(string(data), "\n") && !strings.HasSuffix(string(data), "\n") &&
		!strings.HasPrefix(string(data), "\t") && !strings.HasSuffix(string(data), "\t")
}

func decodeMessage(text string) ([]byte, error) {
	if len(text) > 0 && text[0] == binaryMark {
		b, err := base64.StdEncoding.DecodeString(text[1:])
		if err != nil {
			return nil, fmt.Errorf("azure queue: message is not this backend's base64 form: %w", err)
		}
		return b, nil
	}
	return []byte(text), nil
}

// Enqueue implements port.Queue.
func (s *Store) Enqueue(ctx context.Context, queue string, data []byte, delay port.Time) (port.Enqueued, error) {
	if err := port.ValidMessage(data); err != nil {
		return port.Enqueued{}, err
	}
	if err := port.ValidDelay("delay", delay); err != nil {
		return port.Enqueued{}, err
	}
	q, err := s.queue(queue)
	if err != nil {
		return port.Enqueued{}, err
	}
	text, err := encodeMessage(data)
	if err != nil {
		return port.Enqueued{}, err
	}
	resp, err := q.EnqueueMessage(ctx, text, &azqueue.EnqueueMessageOptions{
		TimeToLive: ptr(int32(-1)), VisibilityTimeout: ptr(seconds(delay)),
	})
	if err != nil {
		return port.Enqueued{}, wrap(err, "enqueue", queue)
	}
	if len(resp.Messages) != 1 || resp.Messages[0] == nil {
		return port.Enqueued{}, fmt.Errorf("azure enqueue %q: %d messages in the answer, want 1", queue, len(resp.Messages))
	}
	m := resp.Messages[0]
	return port.Enqueued{ID: deref(m.MessageID), PopReceipt: deref(m.PopReceipt),
		InsertedAt: toTime(m.InsertionTime), NextVisible: toTime(m.TimeNextVisible)}, nil
}

// Dequeue implements port.Queue.
func (s *Store) Dequeue(ctx context.Context, queue string, n int, visibility port.Time) ([]port.Message, error) {
	if err := port.ValidDequeue(n, visibility); err != nil {
		return nil, err
	}
	q, err := s.queue(queue)
	if err != nil {
		return nil, err
	}
	resp, err := q.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{
		NumberOfMessages: ptr(int32(n)), VisibilityTimeout: ptr(seconds(visibility)),
	})
	if err != nil {
		return nil, wrap(err, "dequeue", queue)
	}
	out := make([]port.Message, 0, len(resp.Messages))
	for _, m := range resp.Messages {
		data, err := decodeMessage(deref(m.MessageText))
		if err != nil {
			return nil, err
		}
		out = append(out, port.Message{ID: deref(m.MessageID), PopReceipt: deref(m.PopReceipt),
			DequeueCount: int(deref(m.DequeueCount)), InsertedAt: toTime(m.InsertionTime),
			NextVisible: toTime(m.TimeNextVisible), Data: data})
	}
	return out, nil
}

// DeleteMessage implements port.Queue.
func (s *Store) DeleteMessage(ctx context.Context, queue, id, popReceipt string) error {
	q, err := s.queue(queue)
	if err != nil {
		return err
	}
	if id == "" || popReceipt == "" {
		return port.BadRequest("message id and pop receipt", fmt.Sprintf("%q, %q", id, popReceipt), "non-empty")
	}
	_, err = q.DeleteMessage(ctx, id, popReceipt, nil)
	return wrap(err, "delete message", queue)
}

// UpdateMessage implements port.Queue.
func (s *Store) UpdateMessage(ctx context.Context, queue, id, popReceipt string, data []byte, visibility port.Time) (port.Updated, error) {
	if err := port.ValidDelay("visibility", visibility); err != nil {
		return port.Updated{}, err
	}
	q, err := s.queue(queue)
	if err != nil {
		return port.Updated{}, err
	}
	if id == "" || popReceipt == "" {
		return port.Updated{}, port.BadRequest("message id and pop receipt", fmt.Sprintf("%q, %q", id, popReceipt), "non-empty")
	}
	text := ""
	if data == nil {
		ctx = context.WithValue(ctx, bodylessKey{}, true)
	} else {
		if err := port.ValidMessage(data); err != nil {
			return port.Updated{}, err
		}
		if text, err = encodeMessage(data); err != nil {
			return port.Updated{}, err
		}
	}
	resp, err := q.UpdateMessage(ctx, id, popReceipt, text,
		&azqueue.UpdateMessageOptions{VisibilityTimeout: ptr(seconds(visibility))})
	if err != nil {
		return port.Updated{}, wrap(err, "update message", queue)
	}
	return port.Updated{PopReceipt: deref(resp.PopReceipt), NextVisible: toTime(resp.TimeNextVisible)}, nil
}

// Peek implements port.Queue.
func (s *Store) Peek(ctx context.Context, queue string, n int) ([]port.Message, error) {
	if err := port.ValidPeek(n); err != nil {
		return nil, err
	}
	q, err := s.queue(queue)
	if err != nil {
		return nil, err
	}
	resp, err := q.PeekMessages(ctx, &azqueue.PeekMessagesOptions{NumberOfMessages: ptr(int32(n))})
	if err != nil {
		return nil, wrap(err, "peek", queue)
	}
	out := make([]port.Message, 0, len(resp.Messages))
	for _, m := range resp.Messages {
		data, err := decodeMessage(deref(m.MessageText))
		if err != nil {
			return nil, err
		}
		out = append(out, port.Message{ID: deref(m.MessageID), DequeueCount: int(deref(m.DequeueCount)),
			InsertedAt: toTime(m.InsertionTime), Data: data})
	}
	return out, nil
}

// Length implements port.Queue.
func (s *Store) Length(ctx context.Context, queue string) (int, error) {
	q, err := s.queue(queue)
	if err != nil {
		return 0, err
	}
	resp, err := q.GetProperties(ctx, nil)
	if err != nil {
		return 0, wrap(err, "queue length", queue)
	}
	return int(deref(resp.ApproximateMessagesCount)), nil
}

// dropQueues deletes the queues of the store's namespace.
func (s *Store) dropQueues(ctx context.Context) error {
	pager := s.queues.NewListQueuesPager(&azqueue.ListQueuesOptions{Prefix: ptr(s.ns + "-")})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return wrap(err, "list queues", s.ns+"-")
		}
		for _, q := range page.Queues {
			name := deref(q.Name)
			if _, err := s.queues.NewQueueClient(name).Delete(ctx, nil); err != nil && !hasCode(err, "QueueNotFound") {
				return wrap(err, "delete queue", name)
			}
		}
	}
	return nil
}

// bodylessKey marks a context whose request must go without a body: an
// Update Message that changes only the visibility (the SDK always sends
// the content).
type bodylessKey struct{}

type bodylessPolicy struct{}

func (bodylessPolicy) Do(req *policy.Request) (*http.Response, error) {
	if v, _ := req.Raw().Context().Value(bodylessKey{}).(bool); v {
		if err := req.SetBody(nil, ""); err != nil {
			return nil, fmt.Errorf("azure: drop request body: %w", err)
		}
	}
	return req.Next()
}
