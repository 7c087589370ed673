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
	return &Frontend{base: base{Funcs: reactor.NewFuncs(reactor.Shared), cfg: cfg}}, nil
}

// Step implements port.Core.
func (f *Frontend) Step(now port.Time, in port.Input) {
	if f.Dispatch(now, in) {
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
	f.Issue(port.QueueCreate{Queue: q}, "queue-created", q, func(c port.Completion) {
		if c.Err != nil {
			f.After(retryDelay, "create-queue-retry", q, f.createQueue)
			return
		}
		f.becomeReady()
	})
}

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
	done := func(resp durable.ClientResponse, err error) { f.Respond(call.ID, resp, err) }
	if req.Instance == "" {
		done(durable.ClientResponse{}, fmt.Errorf("chain: %s request without an instance id", req.Kind))
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		f.start(req, done)
	case durable.RequestStatus:
		f.status(req.Instance, done)
	case durable.RequestWait:
		f.wait(req.Instance, done)
	default:
		done(durable.ClientResponse{}, fmt.Errorf("chain: %s requests are not supported by a trigger chain (allowed start, status, wait)", req.Kind))
	}
}

func (f *Frontend) start(req durable.ClientRequest, done func(durable.ClientResponse, error)) {
	act, ok := f.cfg.Chains[req.Name]
	if !ok {
		done(durable.ClientResponse{}, fmt.Errorf("chain: start %s: no chain %q (registered: %s)", req.Instance, req.Name, f.cfg.chainNames()))
		return
	}
	in, err := decodeInput(req.Payload)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("chain: start %s: %w", req.Instance, err))
		return
	}
	rec := runRecord{Name: req.Name, Input: req.Payload, Created: f.Now()}
	b, _ := json.Marshal(rec)
	f.Issue(port.BlobPut{Name: f.cfg.run(req.Instance), Data: b, Cond: port.Cond{IfNoneMatch: "*"}}, "run-created", req.Instance, func(c port.Completion) {
		first, _ := json.Marshal(stepMsg{Instance: req.Instance, Activity: act, Step: 0, Length: in.Length, Item: in.Item})
		switch {
		case errors.Is(c.Err, port.ErrConflict):
			f.started(req, first, done)
		case c.Err != nil:
			f.After(retryDelay, "start-retry", req.Instance, func() { f.start(req, done) })
		default:
			f.writeStep(req.Instance, 0, first, func() { done(f.response(req.Instance, rec, nil), nil) })
		}
	})
}

// started answers a start of a name that has a run record: another input
// is an error; the same input is the same chain, whose first trigger is
// written again unless it is done (the record's first write may have
// failed after it was applied, before the first trigger was written; a
// second first trigger runs the chain's steps twice, and the chain still
// completes once).
func (f *Frontend) started(req durable.ClientRequest, first []byte, done func(durable.ClientResponse, error)) {
	f.read(f.cfg.run(req.Instance), func(b []byte) {
		var rec runRecord
		if err := json.Unmarshal(b, &rec); err != nil || rec.Name != req.Name || string(rec.Input) != string(req.Payload) {
			done(durable.ClientResponse{}, fmt.Errorf("chain: start %s: the instance exists with another name or input", req.Instance))
			return
		}
		f.read(f.cfg.done(req.Instance), func(d []byte) {
			if d != nil {
				var dr doneRecord
				_ = json.Unmarshal(d, &dr)
				done(f.response(req.Instance, rec, &dr), nil)
				return
			}
			f.writeStep(req.Instance, 0, first, func() { done(f.response(req.Instance, rec, nil), nil) })
		})
	})
}

func (f *Frontend) response(id string, rec runRecord, d *doneRecord) durable.ClientResponse {
	st := durable.InstanceStatus{InstanceID: id, Name: rec.Name, Input: rec.Input, Status: durable.StatusRunning,
		Created: time.Unix(0, int64(rec.Created)).UTC(), Updated: time.Unix(0, int64(f.Now())).UTC()}
	if d != nil {
		st.Status, st.Output, st.Updated = durable.StatusCompleted, []byte(d.Output), time.Unix(0, int64(d.At)).UTC()
	}
	return durable.ClientResponse{Found: true, Status: st}
}

// read reads a blob (nil: not found); transient errors are retried.
func (f *Frontend) read(name string, cb func([]byte)) {
	f.Issue(port.BlobGet{Name: name}, "record-read", name, func(c port.Completion) {
		switch {
		case errors.Is(c.Err, port.ErrNotFound):
			cb(nil)
		case c.Err != nil:
			f.After(retryDelay, "read-retry", name, func() { f.read(name, cb) })
		default:
			bd, _ := c.Result.(port.BlobData)
			cb(bd.Data)
		}
	})
}

// status reads the run record and the done event.
func (f *Frontend) status(id string, done func(durable.ClientResponse, error)) {
	f.read(f.cfg.run(id), func(b []byte) {
		if b == nil {
			done(durable.ClientResponse{}, nil)
			return
		}
		var rec runRecord
		_ = json.Unmarshal(b, &rec)
		f.read(f.cfg.done(id), func(d []byte) {
			if d == nil {
				done(f.response(id, rec, nil), nil)
				return
			}
			var dr doneRecord
			_ = json.Unmarshal(d, &dr)
			done(f.response(id, rec, &dr), nil)
		})
	})
}

// wait re-reads the done event every WaitPoll until the chain is done (a
// chain not started yet is waited for too, as the engines' clients do),
// then answers with its status.
func (f *Frontend) wait(id string, done func(durable.ClientResponse, error)) {
	f.read(f.cfg.done(id), func(d []byte) {
		if d == nil {
			f.After(f.cfg.WaitPoll, "wait-poll", id, func() { f.wait(id, done) })
			return
		}
		f.status(id, done)
	})
}
