package chain

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// Frontend is the chain's client endpoint, standing for the orchestration
// around it: a start records the chain (create-only: one chain per name)
// and writes the first step's trigger, as the orchestration's activity
// did; status and wait read the done event the last step raises.
type Frontend struct {
	base
	ready  bool
	queued []port.ClientCall
}

var _ port.Core = (*Frontend)(nil)

// NewFrontend returns a frontend core.
func NewFrontend(cfg Config) (*Frontend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Frontend{base: base{Reactor: reactor.New[chainStep](reactor.Shared), cfg: cfg}}, nil
}

// Step implements port.Core.
func (f *Frontend) Step(now port.Time, in port.Input) {
	if f.Dispatch(now, in, f.run) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		f.createQueue()
	case port.ClientCall:
		if !f.ready {
			f.queued = append(f.queued, v)
			return
		}
		f.call(v)
	}
}

// createQueue creates the queue the first step's message goes to (the
// queue chain's, or the Lambda service's event queue).
func (f *Frontend) createQueue() {
	q := f.cfg.queue()
	switch f.cfg.Trigger {
	case TriggerBlob:
		f.becomeReady() // the blob trigger finds the first blob itself
		return
	case TriggerLambda:
		q = f.cfg.blobQueue()
	}
	f.Issue(port.QueueCreate{Queue: q}, queueCreated{q})
}

// queueCreated: the creation of queue q came back.
type queueCreated struct{ q string }

func (k queueCreated) Then() reactor.Then { return reactor.Then{Step: "queue-created", About: k.q} }

func (k queueCreated) frontStep(f *Frontend, o reactor.Outcome) {
	if o.Completion.Err != nil {
		f.After(retryDelay, createQueueRetry(k))
		return
	}
	f.becomeReady()
}

// createQueueRetry: retryDelay has passed since queue q could not be
// created.
type createQueueRetry struct{ q string }

func (k createQueueRetry) Then() reactor.Then {
	return reactor.Then{Step: "create-queue-retry", About: k.q}
}

func (createQueueRetry) frontStep(f *Frontend, _ reactor.Outcome) { f.createQueue() }

func (f *Frontend) becomeReady() {
	f.ready = true
	q := f.queued
	f.queued = nil
	for _, call := range q {
		f.call(call)
	}
}

func (f *Frontend) call(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		f.Respond(call.ID, nil, fmt.Errorf("chain: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Instance == "" {
		f.Respond(call.ID, durable.ClientResponse{}, fmt.Errorf("chain: %s request without an instance id", req.Kind))
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		f.start(req, call.ID)
	case durable.RequestStatus:
		f.status(req.Instance, call.ID)
	case durable.RequestWait:
		f.wait(req.Instance, call.ID)
	default:
		f.Respond(call.ID, durable.ClientResponse{}, fmt.Errorf("chain: %s requests are not supported by a trigger chain (allowed start, status, wait)", req.Kind))
	}
}

func (f *Frontend) start(req durable.ClientRequest, id port.CallID) {
	act, ok := f.cfg.Chains[req.Name]
	if !ok {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("chain: start %s: no chain %q (registered: %s)", req.Instance, req.Name, f.cfg.chainNames()))
		return
	}
	in, err := decodeInput(req.Payload)
	if err != nil {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("chain: start %s: %w", req.Instance, err))
		return
	}
	rec := runRecord{Name: req.Name, Input: req.Payload, Created: f.Now()}
	b, _ := json.Marshal(rec)
	f.Issue(port.BlobPut{Name: f.cfg.run(req.Instance), Data: b, Cond: port.Cond{IfNoneMatch: "*"}},
		runCreated{call: id, req: req, act: act, in: in, rec: rec})
}

// runCreated: the create-only write of a start's run record (rec) came
// back: write the first trigger (activity act on input in).
type runCreated struct {
	call port.CallID
	req  durable.ClientRequest
	act  string
	in   chainInput
	rec  runRecord
}

func (k runCreated) Then() reactor.Then {
	return reactor.Then{Step: "run-created", About: k.req.Instance}
}

func (k runCreated) frontStep(f *Frontend, o reactor.Outcome) {
	req, c := k.req, o.Completion
	first, _ := json.Marshal(stepMsg{Instance: req.Instance, Activity: k.act, Step: 0, Length: k.in.Length, Item: k.in.Item})
	switch {
	case errors.Is(c.Err, port.ErrConflict):
		f.read(recordRead{name: f.cfg.run(req.Instance), kind: readStartedRun, call: k.call, id: req.Instance, req: req, first: first})
	case c.Err != nil:
		f.After(retryDelay, startRetry{call: k.call, req: req})
	default:
		f.writeStep(f, req.Instance, 0, first, answer{call: k.call, id: req.Instance, rec: k.rec})
	}
}

// startRetry: retryDelay has passed since a run record's write failed.
type startRetry struct {
	call port.CallID
	req  durable.ClientRequest
}

func (k startRetry) Then() reactor.Then {
	return reactor.Then{Step: "start-retry", About: k.req.Instance}
}

func (k startRetry) frontStep(f *Frontend, _ reactor.Outcome) { f.start(k.req, k.call) }

// answer: answer call with chain id's status from its run record (and
// done event, if any).
type answer struct {
	call port.CallID
	id   string
	rec  runRecord
	done *doneRecord
}

func (k answer) Then() reactor.Then { return reactor.Then{Step: "answer", About: k.id} }

func (k answer) frontStep(f *Frontend, _ reactor.Outcome) {
	f.Respond(k.call, f.response(k.id, k.rec, k.done), nil)
}

func (f *Frontend) response(id string, rec runRecord, d *doneRecord) durable.ClientResponse {
	st := durable.InstanceStatus{InstanceID: id, Name: rec.Name, Input: rec.Input, Status: durable.StatusRunning,
		Created: time.Unix(0, int64(rec.Created)).UTC(), Updated: time.Unix(0, int64(f.Now())).UTC()}
	if d != nil {
		st.Status, st.Output, st.Updated = durable.StatusCompleted, []byte(d.Output), time.Unix(0, int64(d.At)).UTC()
	}
	return durable.ClientResponse{Found: true, Status: st}
}

// read reads a blob; transient errors are retried.
func (f *Frontend) read(k recordRead) { f.Issue(port.BlobGet{Name: k.name}, k) }

// readKind says what a record is read for.
type readKind int

const (
	readStartedRun  readKind = iota // a start found a run record: the same chain?
	readStartedDone                 // ... and it is: done already?
	readStatusRun                   // a status: the run record
	readStatusDone                  // ... and the done event
	readWaitDone                    // a wait: the done event
)

// recordRead: the read of a record (name) came back, read for call (kind
// says what for) about chain id: a start's request and first trigger, the
// run record read before.
type recordRead struct {
	name  string
	kind  readKind
	call  port.CallID
	id    string
	req   durable.ClientRequest
	first []byte
	rec   runRecord
}

func (k recordRead) Then() reactor.Then { return reactor.Then{Step: "record-read", About: k.name} }

func (k recordRead) frontStep(f *Frontend, o reactor.Outcome) {
	switch c := o.Completion; {
	case errors.Is(c.Err, port.ErrNotFound):
		f.recordRead(k, nil)
	case c.Err != nil:
		f.After(retryDelay, readRetry{k})
	default:
		bd, _ := c.Result.(port.BlobData)
		f.recordRead(k, bd.Data)
	}
}

// readRetry: retryDelay has passed since a record read failed.
type readRetry struct{ recordRead }

func (k readRetry) Then() reactor.Then { return reactor.Then{Step: "read-retry", About: k.name} }

func (k readRetry) frontStep(f *Frontend, _ reactor.Outcome) { f.read(k.recordRead) }

// recordRead takes a record read (b; nil: not found) for what k says.
func (f *Frontend) recordRead(k recordRead, b []byte) {
	switch k.kind {
	case readStartedRun:
		f.startedRun(k, b)
	case readStartedDone:
		if b != nil {
			var dr doneRecord
			_ = json.Unmarshal(b, &dr)
			f.Respond(k.call, f.response(k.id, k.rec, &dr), nil)
			return
		}
		f.writeStep(f, k.id, 0, k.first, answer{call: k.call, id: k.id, rec: k.rec})
	case readStatusRun:
		if b == nil {
			f.Respond(k.call, durable.ClientResponse{}, nil)
			return
		}
		var rec runRecord
		_ = json.Unmarshal(b, &rec)
		f.read(recordRead{name: f.cfg.done(k.id), kind: readStatusDone, call: k.call, id: k.id, rec: rec})
	case readStatusDone:
		if b == nil {
			f.Respond(k.call, f.response(k.id, k.rec, nil), nil)
			return
		}
		var dr doneRecord
		_ = json.Unmarshal(b, &dr)
		f.Respond(k.call, f.response(k.id, k.rec, &dr), nil)
	case readWaitDone:
		if b == nil {
			f.After(f.cfg.WaitPoll, waitPoll{id: k.id, call: k.call})
			return
		}
		f.status(k.id, k.call)
	}
}

// startedRun answers a start of a name that has a run record (b): another
// input is an error; the same input is the same chain, whose first
// trigger is written again unless it is done (the record's first write
// may have failed after it was applied, before the first trigger was
// written; a second first trigger runs the chain's steps twice, and the
// chain still completes once).
func (f *Frontend) startedRun(k recordRead, b []byte) {
	req := k.req
	var rec runRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Name != req.Name || string(rec.Input) != string(req.Payload) {
		f.Respond(k.call, durable.ClientResponse{}, fmt.Errorf("chain: start %s: the instance exists with another name or input", req.Instance))
		return
	}
	f.read(recordRead{name: f.cfg.done(req.Instance), kind: readStartedDone, call: k.call, id: req.Instance, req: req, first: k.first, rec: rec})
}

// status reads the run record and the done event.
func (f *Frontend) status(id string, call port.CallID) {
	f.read(recordRead{name: f.cfg.run(id), kind: readStatusRun, call: call, id: id})
}

// wait re-reads the done event every WaitPoll until the chain is done (a
// chain not started yet is waited for too, as the engines' clients do),
// then answers with its status.
func (f *Frontend) wait(id string, call port.CallID) {
	f.read(recordRead{name: f.cfg.done(id), kind: readWaitDone, call: call, id: id})
}

// waitPoll: WaitPoll has passed since a wait found chain id not done.
type waitPoll struct {
	id   string
	call port.CallID
}

func (k waitPoll) Then() reactor.Then { return reactor.Then{Step: "wait-poll", About: k.id} }

func (k waitPoll) frontStep(f *Frontend, _ reactor.Outcome) { f.wait(k.id, k.call) }
