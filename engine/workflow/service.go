package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/workflow/asl"
)

// Stats are a service core's counters of this life.
type Stats struct {
	Transitions int64 // state transitions made (billed)
	Records     int64 // execution records written
	Invocations int64 // task invocations asked for (re-invocations after a restart included)
	Duplicates  int64 // task results the execution no longer waited for
	Throttled   int64 // starts and rounds that waited for a token bucket
	Resumed     int64 // running executions resumed after a restart
}

// Service is the workflow service's core.
type Service struct {
	reactor
	cfg   Config
	reg   *durable.Registry
	execs map[string]*execution
	// waiting are wait calls for names not started yet, by name.
	waiting    map[string][]port.CallID
	recovering bool
	queued     []port.ClientCall // calls that came during recovery
	starts     []port.ClientCall // starts waiting for the start bucket
	startTimer bool
	trans      bucket
	startB     bucket
	stats      Stats
	results    int64
}

// execution is one execution in memory.
type execution struct {
	name, machine string
	input         []byte
	def           *asl.Definition
	e             *asl.Execution
	etag          string
	created       port.Time
	writing       bool // a record write is in flight
	dirty         bool // transitions not yet recorded
	stepping      bool // a round waits for the transition bucket
	issued        map[int]bool
	waiters       []port.CallID
	starters      []port.CallID // start calls answered once the first record is durable
}

var _ port.Core = (*Service)(nil)

// New returns a service core.
func New(cfg Config, reg *durable.Registry) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, fmt.Errorf("workflow: nil registry")
	}
	return &Service{reactor: newReactor(), cfg: cfg, reg: reg, execs: map[string]*execution{}, waiting: map[string][]port.CallID{},
		trans: newBucket(cfg.TransitionBucket, cfg.TransitionRefill), startB: newBucket(cfg.StartBucket, cfg.StartRefill)}, nil
}

// Stats returns the counters of this life.
func (s *Service) Stats() Stats { return s.stats }

func (s *Service) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

func (s *Service) blob(name string) string { return s.cfg.Hub + "-wf/" + name }

// Step implements port.Core.
func (s *Service) Step(now port.Time, in port.Input) {
	if s.dispatch(now, in) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		s.recover()
	case port.ClientCall:
		if s.recovering {
			s.queued = append(s.queued, v)
			return
		}
		s.call(v)
	}
}

func (s *Service) call(call port.ClientCall) {
	req, ok := call.Req.(durable.ClientRequest)
	if !ok {
		s.respond(call.ID, nil, fmt.Errorf("workflow: client call %d: Req is %T, want durable.ClientRequest", call.ID, call.Req))
		return
	}
	if req.Instance == "" {
		s.respond(call.ID, nil, fmt.Errorf("workflow: %s request without an execution name", req.Kind))
		return
	}
	switch req.Kind {
	case durable.RequestStart:
		s.starts = append(s.starts, call)
		s.drainStarts()
	case durable.RequestStatus:
		x := s.execs[req.Instance]
		if x == nil {
			s.respond(call.ID, durable.ClientResponse{}, nil)
			return
		}
		s.respond(call.ID, x.response(s.now), nil)
	case durable.RequestWait:
		x := s.execs[req.Instance]
		switch {
		case x == nil:
			s.waiting[req.Instance] = append(s.waiting[req.Instance], call.ID)
		case x.e.Done() && !x.writing && !x.dirty:
			s.respond(call.ID, x.response(s.now), nil)
		default:
			x.waiters = append(x.waiters, call.ID)
		}
	default:
		s.respond(call.ID, nil, fmt.Errorf("workflow: %s requests are not supported by the workflow service (allowed start, status, wait)", req.Kind))
	}
}

// drainStarts starts queued executions while the start bucket has tokens.
func (s *Service) drainStarts() {
	for len(s.starts) > 0 {
		if s.startTimer {
			return
		}
		if d := s.startB.take(s.now, 1); d > 0 {
			s.stats.Throttled++
			s.startTimer = true
			s.after(d, func() { s.startTimer = false; s.drainStarts() })
			return
		}
		call := s.starts[0]
		s.starts = s.starts[1:]
		s.start(call)
	}
}

func (s *Service) start(call port.ClientCall) {
	req := call.Req.(durable.ClientRequest)
	if x := s.execs[req.Instance]; x != nil {
		if x.machine != req.Name || string(x.input) != string(req.Payload) {
			s.respond(call.ID, nil, fmt.Errorf("workflow: ExecutionAlreadyExists: execution %s exists with another state machine or input", req.Instance))
			return
		}
		if x.etag == "" {
			x.starters = append(x.starters, call.ID)
			return
		}
		s.respond(call.ID, x.response(s.now), nil)
		return
	}
	def := s.cfg.Definitions[req.Name]
	if def == nil {
		s.respond(call.ID, nil, fmt.Errorf("workflow: start %s: no state machine %q (registered: %s)", req.Instance, req.Name, s.cfg.names()))
		return
	}
	e, err := asl.Start(def, req.Instance, req.Payload)
	if err != nil {
		s.respond(call.ID, nil, fmt.Errorf("workflow: %w", err))
		return
	}
	x := &execution{name: req.Instance, machine: req.Name, input: req.Payload, def: def, e: e, created: s.now,
		issued: map[int]bool{}, starters: []port.CallID{call.ID}, dirty: true}
	x.waiters = s.waiting[req.Instance]
	delete(s.waiting, req.Instance)
	s.execs[x.name] = x
	s.record(x)
}

func (x *execution) response(now port.Time) durable.ClientResponse {
	st := durable.InstanceStatus{InstanceID: x.name, Name: x.machine, Input: x.input, Status: durable.StatusRunning,
		Created: time.Unix(0, int64(x.created)).UTC(), Updated: time.Unix(0, int64(now)).UTC()}
	switch x.e.Status {
	case asl.Succeeded:
		st.Status = durable.StatusCompleted
		st.Output, _ = asl.EncodeValue(x.e.Output)
	case asl.Failed:
		st.Status, st.Failure = durable.StatusFailed, x.e.FailureText()
	}
	return durable.ClientResponse{Found: true, Status: st}
}

// errNoRecord marks a blob that holds no execution record.
var errNoRecord = errors.New("not an execution record")
