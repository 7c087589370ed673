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
	reactor.Funcs
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
	return &Frontend{Funcs: reactor.NewFuncs(reactor.Shared), cfg: cfg, bucket: newBucket(cfg.StartBucket, cfg.StartRefill)}, nil
}

// Throttled counts the starts that waited for the start bucket.
func (f *Frontend) Throttled() int64 { return f.throttled }

// Step implements port.Core.
func (f *Frontend) Step(now port.Time, in port.Input) {
	if f.Dispatch(now, in) {
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
	f.Issue(port.AppendCreate{Name: f.cfg.inbox(), Cond: port.Cond{IfNoneMatch: "*"}}, "inbox-created", "", func(c port.Completion) {
		if c.Err != nil && !errors.Is(c.Err, port.ErrConflict) {
			f.After(retryDelay, "create-inbox-retry", "", f.createInbox)
			return
		}
		f.ready = true
		q := f.queued
		f.queued = nil
		for _, call := range q {
			f.call(call)
		}
	})
}

func (f *Frontend) call(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		f.Respond(call.ID, nil, fmt.Errorf("workflow: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	done := func(resp durable.ClientResponse, err error) { f.Respond(call.ID, resp, err) }
	if req.Kind == durable.RequestQuery {
		f.query(req, done)
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
		f.read(req.Instance, func(x *execution, err error) {
			if errors.Is(err, port.ErrNotFound) {
				done(durable.ClientResponse{}, nil)
				return
			}
			f.answer(x, err, done)
		})
	case durable.RequestWait:
		f.wait(req.Instance, f.cfg.WaitPollMin, done)
	default:
		done(durable.ClientResponse{}, fmt.Errorf("workflow: %s requests are not supported by the workflow service (allowed start, status, wait, query)", req.Kind))
	}
}

func (f *Frontend) answer(x *execution, err error, done func(durable.ClientResponse, error)) {
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	done(x.response(f.Now()), nil)
}

// read reads an execution's record; transient errors are retried.
func (f *Frontend) read(name string, cb func(*execution, error)) {
	f.Issue(port.BlobGet{Name: f.cfg.blob(name)}, "execution-read", name, func(c port.Completion) {
		switch {
		case errors.Is(c.Err, port.ErrNotFound):
			cb(nil, c.Err)
		case c.Err != nil:
			f.After(retryDelay, "read-retry", name, func() { f.read(name, cb) })
		default:
			bd, _ := c.Result.(port.BlobData)
			cb(f.cfg.decodeRecord(name, bd.Data, bd.Props.ETag))
		}
	})
}

// wait re-reads the record until the execution has ended (a name not
// started yet is waited for too, as the other engines' clients do).
func (f *Frontend) wait(name string, gap port.Time, done func(durable.ClientResponse, error)) {
	f.read(name, func(x *execution, err error) {
		if err == nil && x.e.Done() {
			done(x.response(f.Now()), nil)
			return
		}
		if err != nil && !errors.Is(err, port.ErrNotFound) {
			done(durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
			return
		}
		f.After(gap, "wait-poll", name, func() { f.wait(name, min(gap+gap/4, f.cfg.WaitPollMax), done) })
	})
}

// drainStarts starts queued executions while the start bucket has tokens.
func (f *Frontend) drainStarts() {
	for len(f.starts) > 0 && !f.startTimer {
		if d := f.bucket.take(f.Now(), 1); d > 0 {
			f.throttled++
			f.startTimer = true
			f.After(d, "drain-starts", "", func() { f.startTimer = false; f.drainStarts() })
			return
		}
		call := f.starts[0]
		f.starts = f.starts[1:]
		f.start(call.ID, call.Req.(durable.ClientRequest))
	}
}

// start creates the execution's first record, then names it in the inbox.
func (f *Frontend) start(id port.CallID, req durable.ClientRequest) {
	done := func(resp durable.ClientResponse, err error) { f.Respond(id, resp, err) }
	if strings.ContainsAny(req.Instance, "\n\r") {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: start %q: an execution name may not contain a line break", req.Instance))
		return
	}
	def := f.cfg.Definitions[req.Name]
	if def == nil {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: start %s: no state machine %q (registered: %s)", req.Instance, req.Name, f.cfg.names()))
		return
	}
	e, err := asl.Start(def, req.Instance, req.Payload)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	x := &execution{name: req.Instance, machine: req.Name, input: req.Payload, def: def, e: e, created: f.Now()}
	b, err := encodeRecord(x)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: start %s: %w", req.Instance, err))
		return
	}
	f.Issue(port.BlobPut{Name: f.cfg.blob(x.name), Data: b, Cond: port.Cond{IfNoneMatch: "*"}}, "execution-created", x.name, func(c port.Completion) {
		switch {
		case errors.Is(c.Err, port.ErrConflict):
			f.existing(req, done)
		case c.Err != nil:
			f.After(retryDelay, "start-retry", req.Instance, func() { f.start(id, req) })
		default:
			f.announce(x.name, func() { done(x.response(f.Now()), nil) })
		}
	})
}

// existing answers a start of a name that exists: the same state machine
// and input get the existing execution (announced again, in case an
// earlier start ended before it was), anything else an error.
func (f *Frontend) existing(req durable.ClientRequest, done func(durable.ClientResponse, error)) {
	f.read(req.Instance, func(x *execution, err error) {
		if err != nil {
			done(durable.ClientResponse{}, fmt.Errorf("workflow: start %s: %w", req.Instance, err))
			return
		}
		if x.machine != req.Name || string(x.input) != string(req.Payload) {
			done(durable.ClientResponse{}, fmt.Errorf("workflow: ExecutionAlreadyExists: execution %s exists with another state machine or input", req.Instance))
			return
		}
		if x.e.Done() {
			done(x.response(f.Now()), nil)
			return
		}
		f.announce(x.name, func() { done(x.response(f.Now()), nil) })
	})
}

// announce appends name to the inbox.
func (f *Frontend) announce(name string, then func()) {
	f.Issue(port.AppendBlockOp{Name: f.cfg.inbox(), Data: []byte(name + "\n")}, "announced", name, func(c port.Completion) {
		if c.Err != nil {
			f.After(retryDelay, "announce-retry", name, func() { f.announce(name, then) })
			return
		}
		then()
	})
}
