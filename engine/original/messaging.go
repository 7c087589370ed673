package original

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// hubIO is the reactor (engine/reactor) plus the task hub's names: what both cores need to
// send, receive and retire queue messages.
type hubIO struct {
	reactor.Reactor[origStep]
	n names
	// loseRow is the planted bug PlantedLoseHistoryRow.
	loseRow bool
	// lastName is the orchestration name of the instance row parsed last:
	// rows of one orchestration share that string rather than each read
	// allocating its own.
	lastName string
	// dedups are the dedup sets of the entity rows this core wrote last
	// (dedupmemo.go).
	dedups dedupMemo
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
// a reference (the core tells enqueuedTo of the queue). then gets the
// outcome.
func (h *hubIO) send(queue string, env *envelope, key string, delay port.Time, then errTo) {
	data := encodeEnvelope(env)
	delay = min(max(delay, 0), port.MaxVisibility)
	if len(data) <= port.MaxMessageBytes {
		h.enqueue(queue, data, delay, then)
		return
	}
	name := h.n.payloadBlob(key)
	h.Issue(port.BlobPut{Name: name, Data: data}, messageBlobWritten{queue: queue, name: name, delay: delay, then: then})
}

func (h *hubIO) enqueue(queue string, d []byte, delay port.Time, then errTo) {
	h.Issue(port.QueueEnqueue{Queue: queue, Data: d, Delay: delay}, enqueued{queue: queue, then: then})
}

// enqueued: an enqueue to queue came back.
type enqueued struct {
	queue string
	then  errTo
}

func (k enqueued) Then() reactor.Then { return reactor.Then{Step: "enqueued", About: k.queue} }

func (k enqueued) hubStep(c core, o reactor.Outcome) {
	if o.Completion.Err == nil {
		c.enqueuedTo(k.queue)
	}
	k.then.gotErr(c, wrap(o.Completion.Err, "enqueue to %s", k.queue))
}

// messageBlobWritten: the blob of a large message (name) came back:
// enqueue its reference.
type messageBlobWritten struct {
	queue, name string
	delay       port.Time
	then        errTo
}

func (k messageBlobWritten) Then() reactor.Then {
	return reactor.Then{Step: "message-blob-written", About: k.name}
}

func (k messageBlobWritten) hubStep(c core, o reactor.Outcome) {
	if err := o.Completion.Err; err != nil {
		k.then.gotErr(c, wrap(err, "write large message blob %s", k.name))
		return
	}
	c.hub().enqueue(k.queue, encodeBlobRef(k.name), k.delay, k.then)
}

// resolve decodes dequeued messages, reading the blobs of large ones.
func (h *hubIO) resolve(c core, queue string, msgs []port.Message, then receivedTo) {
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
	k := blobsResolved{queue: queue, out: out, at: at, then: then}
	if !h.All(ops, k) {
		k.hubStep(c, reactor.Outcome{})
	}
}

// blobsResolved: the blobs of the large messages among out (at those
// indexes) came back.
type blobsResolved struct {
	queue string
	out   []received
	at    []int
	then  receivedTo
}

func (k blobsResolved) Then() reactor.Then {
	return reactor.Then{Step: "message-blobs-read", About: k.queue}
}

func (k blobsResolved) hubStep(c core, o reactor.Outcome) {
	for j, cp := range o.Completions {
		r := &k.out[k.at[j]]
		if cp.Err != nil {
			r.err = wrap(cp.Err, "read large message blob")
			continue
		}
		env, blob, err := decodeMessage(cp.Result.(port.BlobData).Data)
		if err == nil && blob != "" {
			err = fmt.Errorf("%w: blob reference inside a blob", errBadMessage)
		}
		r.env, r.err = env, err
	}
	k.then.gotReceived(c, k.out)
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
