package original

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// hubIO is the reactor (engine/reactor) plus the task hub's names: what both cores need to
// send, receive and retire queue messages.
type hubIO struct {
	reactor.Funcs
	n names
	// loseRow is the planted bug PlantedLoseHistoryRow.
	loseRow bool
	// enqueued, if set, is told of every message this core enqueued (the
	// worker wakes its own poller of that queue, as the provider's
	// TaskHubQueue resets its back-off after each add).
	enqueued func(queue string)
}

// received is one dequeued message with its decoded envelope.
type received struct {
	queue string
	msg   port.Message
	env   envelope
	err   error // malformed: the message is deleted (poison)
}

// messageKey is a deterministic blob key for an outbound envelope: a
// redone step writes the same key with the same content.
func messageKey(e *envelope) string {
	return fmt.Sprintf("%s/%s/%d/%d/%d-%d", e.To, e.Sender, e.Seq, e.Exec, e.Event.Kind, e.Event.ID)
}

// send enqueues env on queue after delay. An envelope over the queue's
// size limit is written to a blob first (key names it) and the queue gets
// a reference. cb gets the outcome.
func (h *hubIO) send(queue string, env *envelope, key string, delay port.Time, cb func(error)) {
	data := encodeEnvelope(env)
	delay = min(max(delay, 0), port.MaxVisibility)
	enqueue := func(d []byte) {
		h.Issue(port.QueueEnqueue{Queue: queue, Data: d, Delay: delay}, "enqueued", queue, func(c port.Completion) {
			if c.Err == nil && h.enqueued != nil {
				h.enqueued(queue)
			}
			cb(wrap(c.Err, "enqueue to %s", queue))
		})
	}
	if len(data) <= port.MaxMessageBytes {
		enqueue(data)
		return
	}
	name := h.n.payloadBlob(key)
	h.Issue(port.BlobPut{Name: name, Data: data}, "message-blob-written", name, func(c port.Completion) {
		if c.Err != nil {
			cb(wrap(c.Err, "write large message blob %s", name))
			return
		}
		enqueue(encodeBlobRef(name))
	})
}

// resolve decodes dequeued messages, reading the blobs of large ones.
func (h *hubIO) resolve(queue string, msgs []port.Message, cb func([]received)) {
	out := make([]received, len(msgs))
	var ops []port.Op
	var at []int
	for i, m := range msgs {
		env, blob, err := decodeMessage(m.Data)
		out[i] = received{queue: queue, msg: m, env: env, err: err}
		if err == nil && blob != "" {
			ops = append(ops, port.BlobGet{Name: blob})
			at = append(at, i)
		}
	}
	h.All(ops, "message-blobs-read", queue, func(cs []port.Completion) {
		for j, c := range cs {
			r := &out[at[j]]
			if c.Err != nil {
				r.err = wrap(c.Err, "read large message blob")
				continue
			}
			env, blob, err := decodeMessage(c.Result.(port.BlobData).Data)
			if err == nil && blob != "" {
				err = fmt.Errorf("%w: blob reference inside a blob", errBadMessage)
			}
			r.env, r.err = env, err
		}
		cb(out)
	})
}

// deleteOp retires a processed message.
func deleteOp(r *received) port.Op {
	return port.QueueDelete{Queue: r.queue, ID: r.msg.ID, PopReceipt: r.msg.PopReceipt}
}

// putBackOp hides a message again for delay (it arrived too early).
func putBackOp(r *received, delay port.Time) port.Op {
	return port.QueueUpdate{Queue: r.queue, ID: r.msg.ID, PopReceipt: r.msg.PopReceipt,
		Visibility: min(max(delay, 0), port.MaxVisibility)}
}

// wrap adds context to a non-nil error.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// firstErr returns the first error among completions.
func firstErr(cs []port.Completion) error {
	for _, c := range cs {
		if c.Err != nil {
			return c.Err
		}
	}
	return nil
}
