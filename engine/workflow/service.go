package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/workflow/asl"
)

// Stats are a service core's counters of this life.
type Stats struct {
	Transitions int64 // state transitions made (billed)
	Records     int64 // execution records written
	Invocations int64 // task invocations asked for (re-invocations after a restart included)
	Duplicates  int64 // task results the execution no longer waited for
	Throttled   int64 // rounds that waited for the transition bucket
	Resumed     int64 // running executions resumed after a restart
}

// Service is the workflow service's core.
type Service struct {
	reactor.Reactor[serviceStep]
	cfg   Config
	reg   *durable.Registry
	execs map[string]*execution // running executions
	ended map[string]bool       // executions that ended (in this life's knowledge)
	inbox inboxReader
	trans bucket
	stats Stats
	// results counts task results (for PlantedLoseResult).
	results int64
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
	stepping      bool // a round waits for the transition bucket or its transitions' latency
	issued        map[int]bool
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
	return &Service{Reactor: reactor.New[serviceStep](reactor.Shared), cfg: cfg, reg: reg, execs: map[string]*execution{}, ended: map[string]bool{},
		trans: newBucket(cfg.TransitionBucket, cfg.TransitionRefill)}, nil
}

// Stats returns the counters of this life.
func (s *Service) Stats() Stats { return s.stats }

func (s *Service) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

func (c Config) blob(name string) string { return c.Hub + "-wf/" + name }

// inbox is the append blob the frontend adds started names to.
func (c Config) inbox() string { return c.Hub + "-wf-inbox" }

// Step implements port.Core.
func (s *Service) Step(now port.Time, in port.Input) {
	if s.Dispatch(now, in, s.run) {
		return
	}
	switch v := in.(type) {
	case port.Started:
		s.recover()
	case port.ClientCall:
		s.Respond(v.ID, nil, fmt.Errorf("workflow: the service core takes no client calls: send them to the frontend core"))
	}
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
