package workflow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/workflow/asl"
)

// Frontend is the service's API core: it answers the client requests
// (start, status, wait, query). A start takes a StartExecution token,
// creates the execution's first record (create-only: one execution per
// name) and adds the name to the inbox the service core polls; status and
// wait read the record; a query lists the records and reads them.
type Frontend struct {
	reactor.Reactor[frontendStep]
	cfg        Config
	ready      bool
	queued     []port.ClientCall // calls before the inbox exists
	starts     []port.ClientCall // starts waiting for the start bucket
	startTimer bool
	bucket     bucket
	throttled  int64
}

var _ port.Core = (*Frontend)(nil)

// NewFrontend returns a frontend core.
func NewFrontend(cfg Config) (*Frontend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Frontend{Reactor: reactor.New[frontendStep](reactor.Shared), cfg: cfg, bucket: newBucket(cfg.StartBucket, cfg.StartRefill)}, nil
}

// Throttled counts the starts that waited for the start bucket.
func (f *Frontend) Throttled() int64 { return f.throttled }

// Step implements port.Core.
func (f *Frontend) Step(now port.Time, in port.Input) {
	if f.Dispatch(now, in, f.run) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		f.createInbox()
	case port.ClientCall:
		if !f.ready {
			f.queued = append(f.queued, v)
			return
		}
		f.call(v)
	}
}

func (f *Frontend) createInbox() {
	f.Issue(port.AppendCreate{Name: f.cfg.inbox(), Cond: port.Cond{IfNoneMatch: "*"}}, inboxCreated{})
}

// inboxCreated: the inbox exists (or its creation failed: again after
// retryDelay): take the calls that came before.
type inboxCreated struct{}

func (inboxCreated) Then() reactor.Then { return reactor.Then{Step: "inbox-created"} }

func (inboxCreated) step(f *Frontend, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil && !errors.Is(c.Err, port.ErrConflict) {
		f.After(retryDelay, createInboxRetry{})
		return
	}
	f.ready = true
	q := f.queued
	f.queued = nil
	for _, call := range q {
		f.call(call)
	}
}

// createInboxRetry: retryDelay has passed since the inbox could not be
// created.
type createInboxRetry struct{}

func (createInboxRetry) Then() reactor.Then { return reactor.Then{Step: "create-inbox-retry"} }

func (createInboxRetry) step(f *Frontend, _ reactor.Outcome) { f.createInbox() }

func (f *Frontend) call(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		f.Respond(call.ID, nil, fmt.Errorf("workflow: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Kind == durable.RequestQuery {
		f.query(req, call.ID)
		return
	}
	if req.Instance == "" {
		f.Respond(call.ID, nil, fmt.Errorf("workflow: %s request without an execution name", req.Kind))
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		f.starts = append(f.starts, call)
		f.drainStarts()
	case durable.RequestStatus:
		f.read(executionRead{name: req.Instance, call: call.ID, kind: readStatus})
	case durable.RequestWait:
		f.wait(req.Instance, f.cfg.WaitPollMin, call.ID)
	default:
		f.Respond(call.ID, durable.ClientResponse{}, fmt.Errorf("workflow: %s requests are not supported by the workflow service (allowed start, status, wait, query)", req.Kind))
	}
}

func (f *Frontend) answer(id port.CallID, x *execution, err error) {
	if err != nil {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	f.Respond(id, x.response(f.Now()), nil)
}

// read reads an execution's record; transient errors are retried.
func (f *Frontend) read(k executionRead) { f.Issue(port.BlobGet{Name: f.cfg.blob(k.name)}, k) }

// readKind says what a record is read for.
type readKind int

const (
	readStatus   readKind = iota // answer a status request
	readWait                     // answer a wait once the execution has ended
	readExisting                 // answer a start of a name that exists
	readQuery                    // select for an instance query's page
)

// executionRead: an execution's record came back, read for call (kind
// says what for; gap is a wait's poll interval, req an existing start's
// request, page and i a query's page and the name's index in it).
type executionRead struct {
	name string
	call port.CallID
	kind readKind
	gap  port.Time
	req  durable.ClientRequest
	page *queryPage
	i    int
}

func (k executionRead) Then() reactor.Then {
	return reactor.Then{Step: "execution-read", About: k.name}
}

func (k executionRead) step(f *Frontend, o reactor.Outcome) {
	switch c := o.Completion; {
	case errors.Is(c.Err, port.ErrNotFound):
		f.readDone(k, nil, c.Err)
	case c.Err != nil:
		f.After(retryDelay, readRetry{k})
	default:
		bd, _ := c.Result.(port.BlobData)
		x, err := f.cfg.decodeRecord(k.name, bd.Data, bd.Props.ETag)
		f.readDone(k, x, err)
	}
}

// readRetry: retryDelay has passed since a record read failed.
type readRetry struct{ executionRead }

func (k readRetry) Then() reactor.Then { return reactor.Then{Step: "read-retry", About: k.name} }

func (k readRetry) step(f *Frontend, _ reactor.Outcome) { f.read(k.executionRead) }

// readDone takes a record read for k.kind.
func (f *Frontend) readDone(k executionRead, x *execution, err error) {
	switch k.kind {
	case readWait:
		f.waited(k, x, err)
	case readExisting:
		f.existing(k.call, k.req, x, err)
	case readQuery:
		f.queryRead(k, x, err)
	default:
		if errors.Is(err, port.ErrNotFound) {
			f.Respond(k.call, durable.ClientResponse{}, nil)
			return
		}
		f.answer(k.call, x, err)
	}
}

// wait re-reads the record until the execution has ended (a name not
// started yet is waited for too, as the other engines' clients do).
func (f *Frontend) wait(name string, gap port.Time, id port.CallID) {
	f.read(executionRead{name: name, call: id, kind: readWait, gap: gap})
}

func (f *Frontend) waited(k executionRead, x *execution, err error) {
	if err == nil && x.e.Done() {
		f.Respond(k.call, x.response(f.Now()), nil)
		return
	}
	if err != nil && !errors.Is(err, port.ErrNotFound) {
		f.Respond(k.call, durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	f.After(k.gap, waitPoll{name: k.name, call: k.call, gap: k.gap})
}

// waitPoll: a wait's poll interval (gap) has passed.
type waitPoll struct {
	name string
	call port.CallID
	gap  port.Time
}

func (k waitPoll) Then() reactor.Then { return reactor.Then{Step: "wait-poll", About: k.name} }

func (k waitPoll) step(f *Frontend, _ reactor.Outcome) {
	f.wait(k.name, min(k.gap+k.gap/4, f.cfg.WaitPollMax), k.call)
}

// drainStarts starts queued executions while the start bucket has tokens.
func (f *Frontend) drainStarts() {
	for len(f.starts) > 0 && !f.startTimer {
		if d := f.bucket.take(f.Now(), 1); d > 0 {
			f.throttled++
			f.startTimer = true
			f.After(d, drainStartsAgain{})
			return
		}
		call := f.starts[0]
		f.starts = f.starts[1:]
		f.start(call.ID, call.Req.(durable.ClientRequest))
	}
}

// drainStartsAgain: the start bucket has a token again.
type drainStartsAgain struct{}

func (drainStartsAgain) Then() reactor.Then { return reactor.Then{Step: "drain-starts"} }

func (drainStartsAgain) step(f *Frontend, _ reactor.Outcome) { f.startTimer = false; f.drainStarts() }

// start creates the execution's first record, then names it in the inbox.
func (f *Frontend) start(id port.CallID, req durable.ClientRequest) {
	fail := func(err error) { f.Respond(id, durable.ClientResponse{}, err) }
	if strings.ContainsAny(req.Instance, "\n\r") {
		fail(fmt.Errorf("workflow: start %q: an execution name may not contain a line break", req.Instance))
		return
	}
	def := f.cfg.Definitions[req.Name]
	if def == nil {
		fail(fmt.Errorf("workflow: start %s: no state machine %q (registered: %s)", req.Instance, req.Name, f.cfg.names()))
		return
	}
	e, err := asl.Start(def, req.Instance, req.Payload)
	if err != nil {
		fail(fmt.Errorf("workflow: %w", err))
		return
	}
	x := &execution{name: req.Instance, machine: req.Name, input: req.Payload, def: def, e: e, created: f.Now()}
	b, err := encodeRecord(x)
	if err != nil {
		fail(fmt.Errorf("workflow: start %s: %w", req.Instance, err))
		return
	}
	f.Issue(port.BlobPut{Name: f.cfg.blob(x.name), Data: b, Cond: port.Cond{IfNoneMatch: "*"}}, executionCreated{call: id, req: req, x: x})
}

// executionCreated: the create-only write of a started execution's first
// record (x) came back.
type executionCreated struct {
	call port.CallID
	req  durable.ClientRequest
	x    *execution
}

func (k executionCreated) Then() reactor.Then {
	return reactor.Then{Step: "execution-created", About: k.x.name}
}

func (k executionCreated) step(f *Frontend, o reactor.Outcome) {
	switch c := o.Completion; {
	case errors.Is(c.Err, port.ErrConflict):
		f.read(executionRead{name: k.req.Instance, call: k.call, kind: readExisting, req: k.req})
	case c.Err != nil:
		f.After(retryDelay, startRetry{call: k.call, req: k.req})
	default:
		f.announce(announced{call: k.call, x: k.x})
	}
}

// startRetry: retryDelay has passed since a start's record write failed.
type startRetry struct {
	call port.CallID
	req  durable.ClientRequest
}

func (k startRetry) Then() reactor.Then {
	return reactor.Then{Step: "start-retry", About: k.req.Instance}
}

func (k startRetry) step(f *Frontend, _ reactor.Outcome) { f.start(k.call, k.req) }

// existing answers a start of a name that exists: the same state machine
// and input get the existing execution (announced again, in case an
// earlier start ended before it was), anything else an error.
func (f *Frontend) existing(id port.CallID, req durable.ClientRequest, x *execution, err error) {
	if err != nil {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("workflow: start %s: %w", req.Instance, err))
		return
	}
	if x.machine != req.Name || string(x.input) != string(req.Payload) {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("workflow: ExecutionAlreadyExists: execution %s exists with another state machine or input", req.Instance))
		return
	}
	if x.e.Done() {
		f.Respond(id, x.response(f.Now()), nil)
		return
	}
	f.announce(announced{call: id, x: x})
}

// announce appends x's name to the inbox.
func (f *Frontend) announce(k announced) {
	f.Issue(port.AppendBlockOp{Name: f.cfg.inbox(), Data: []byte(k.x.name + "\n")}, k)
}

// announced: the inbox append naming x came back: answer the start with
// x as it was created or read.
type announced struct {
	call port.CallID
	x    *execution
}

func (k announced) Then() reactor.Then { return reactor.Then{Step: "announced", About: k.x.name} }

func (k announced) step(f *Frontend, o reactor.Outcome) {
	if o.Completion.Err != nil {
		f.After(retryDelay, announceRetry{k})
		return
	}
	f.Respond(k.call, k.x.response(f.Now()), nil)
}

// announceRetry: retryDelay has passed since an inbox append failed.
type announceRetry struct{ announced }

func (k announceRetry) Then() reactor.Then {
	return reactor.Then{Step: "announce-retry", About: k.x.name}
}

func (k announceRetry) step(f *Frontend, _ reactor.Outcome) { f.announce(k.announced) }
