package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/workflow/asl"
)

// record is what an execution's blob holds.
type record struct {
	Machine string          `json:"machine"`
	Input   json.RawMessage `json:"input,omitempty"`
	Created port.Time       `json:"created"`
	Exec    json.RawMessage `json:"exec"`
}

// retryDelay is the pause before a failed record write or read is retried.
const retryDelay = 100 * port.Millisecond

// record writes x's state (create-only for the first record) unless a
// write is in flight; the write's completion carries on.
func (s *Service) record(x *execution) {
	if x.writing || !x.dirty {
		return
	}
	b, err := encodeRecord(x)
	if err != nil {
		s.logf("workflow: execution %s: encode record: %v", x.name, err)
		return
	}
	cond := port.Cond{IfMatch: x.etag}
	x.writing, x.dirty = true, false
	s.stats.Records++
	s.Work("workflow-record", 1)
	s.Issue(port.BlobPut{Name: s.cfg.blob(x.name), Data: b, Cond: cond}, recordWritten{x})
}

// The continuations of an execution's work hold the execution itself (x):
// the one in memory when the work was asked for, which a reload may
// replace meanwhile (the work then carries on on the old one, unseen).

// recordWritten: x's record write came back.
type recordWritten struct{ x *execution }

func (k recordWritten) Then() reactor.Then { return reactor.Then{Step: "recorded", About: k.x.name} }

func (k recordWritten) step(s *Service, o reactor.Outcome) {
	x, c := k.x, o.Completion
	x.writing = false
	if c.Err != nil {
		s.recordFailed(x, c.Err)
		return
	}
	x.etag, _ = c.Result.(string)
	s.recorded(x)
}

func (s *Service) recordFailed(x *execution, err error) {
	if errors.Is(err, port.ErrConflict) {
		// Another writer changed the record (a service of an earlier life
		// still running): adopt what is stored.
		s.logf("workflow: execution %s: record changed under us, reloading: %v", x.name, err)
		s.load(executionLoaded{name: x.name, reload: true})
		return
	}
	s.logf("workflow: execution %s: record write failed, retrying: %v", x.name, err)
	x.dirty = true
	s.After(retryDelay, recordRetry{x})
}

// recordRetry: retryDelay has passed since x's record write failed.
type recordRetry struct{ x *execution }

func (k recordRetry) Then() reactor.Then { return reactor.Then{Step: "record-retry", About: k.x.name} }

func (k recordRetry) step(s *Service, _ reactor.Outcome) { s.record(k.x) }

// recorded carries on once x's last round is durable: invoke what the
// round asked for and start the next round.
func (s *Service) recorded(x *execution) {
	if s.cfg.Planted != PlantedInvokeBeforeRecord {
		s.issueOutstanding(x)
	}
	if x.dirty {
		s.record(x)
		return
	}
	if x.e.Done() {
		delete(s.execs, x.name) // its record answers the clients from now on
		s.ended[x.name] = true
		return
	}
	s.round(x)
}

// round makes the next round of transitions once the transition bucket
// allows, then records it.
func (s *Service) round(x *execution) {
	if x.stepping || x.writing || x.e.Done() || !x.e.Runnable() {
		return
	}
	if d := s.trans.take(s.Now(), int64(x.e.Pending(x.def))); d > 0 {
		s.stats.Throttled++
		x.stepping = true
		s.After(d, roundAgain{x})
		return
	}
	made := x.e.Step(x.def, int64(s.Now()))
	s.stats.Transitions += int64(made)
	s.Work("workflow-transition", max(made, 1))
	x.dirty = true
	if s.cfg.Planted == PlantedInvokeBeforeRecord {
		s.issueOutstanding(x)
	}
	if d := port.Time(made) * s.cfg.TransitionLatency; d > 0 {
		// the service's own work on the round's transitions; no other
		// round starts meanwhile (stepping), results wait in the execution
		x.stepping = true
		s.After(d, recordRound{x})
		return
	}
	s.record(x)
}

// roundAgain: the transition bucket has tokens for x's next round.
type roundAgain struct{ x *execution }

func (k roundAgain) Then() reactor.Then { return reactor.Then{Step: "round", About: k.x.name} }

func (k roundAgain) step(s *Service, _ reactor.Outcome) { k.x.stepping = false; s.round(k.x) }

// recordRound: the service's work on x's round is done: record it.
type recordRound struct{ x *execution }

func (k recordRound) Then() reactor.Then { return reactor.Then{Step: "record", About: k.x.name} }

func (k recordRound) step(s *Service, _ reactor.Outcome) { k.x.stepping = false; s.record(k.x) }

// issueOutstanding invokes the tasks and sets the timers x waits for that
// this life has not asked for yet.
func (s *Service) issueOutstanding(x *execution) {
	inv, tms := x.e.Outstanding()
	for _, in := range inv {
		if !x.issued[in.ID] {
			x.issued[in.ID] = true
			s.invoke(x, in)
		}
	}
	for _, t := range tms {
		if !x.issued[t.ID] {
			x.issued[t.ID] = true
			s.At(port.Time(t.At), stateTimer{x: x, id: t.ID})
		}
	}
}

// stateTimer: the timer id of x (a Wait state's) is due.
type stateTimer struct {
	x  *execution
	id int
}

func (k stateTimer) Then() reactor.Then { return reactor.Then{Step: "state-timer", About: k.x.name} }

func (k stateTimer) step(s *Service, _ reactor.Outcome) {
	if k.x.e.TimerFired(k.id) {
		s.round(k.x)
	}
}

// ActivityName maps a Task's Resource to an activity name: the name
// itself, or the part after ":function:" or ":activity:" of an ARN.
func ActivityName(resource string) string {
	for _, sep := range []string{":function:", ":activity:"} {
		if i := strings.LastIndex(resource, sep); i >= 0 {
			return resource[i+len(sep):]
		}
	}
	return resource
}

func (s *Service) invoke(x *execution, in asl.Invocation) {
	name := ActivityName(in.Resource)
	input, err := asl.EncodeValue(in.Input)
	s.stats.Invocations++
	reg, exec, task := s.reg, x.name, in.TaskID
	run := func() ([]byte, error) {
		if err != nil {
			return nil, fmt.Errorf("task input: %w", err)
		}
		return runActivity(reg, name, exec, task, input)
	}
	s.Run(name, input, run, taskDone{x: x, id: in.ID})
}

// taskDone: the invocation id of x returned.
type taskDone struct {
	x  *execution
	id int
}

func (k taskDone) Then() reactor.Then { return reactor.Then{Step: "task-done", About: k.x.name} }

func (k taskDone) step(s *Service, o reactor.Outcome) {
	if s.cfg.Planted == PlantedLoseResult {
		if s.results++; s.results%3 == 0 {
			return
		}
	}
	d, errText := o.Done, ""
	if d.Err != nil {
		errText = d.Err.Error()
	}
	if !k.x.e.TaskDone(k.id, d.Output, errText) {
		s.stats.Duplicates++
		return
	}
	s.round(k.x)
}

func runActivity(reg *durable.Registry, name, exec string, task int32, input []byte) (out []byte, err error) {
	fn, err := reg.Activity(name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, durable.PanicError(r)
		}
	}()
	v, err := fn(durable.NewActivityContext(context.Background(), name, exec, task, input))
	if err != nil {
		return nil, err
	}
	return durable.Marshal(v)
}

// encodeRecord encodes an execution's record.
func encodeRecord(x *execution) ([]byte, error) {
	b, err := x.e.Encode()
	if err != nil {
		return nil, err
	}
	var in json.RawMessage
	if len(x.input) > 0 {
		in = x.input
	}
	return json.Marshal(record{Machine: x.machine, Input: in, Created: x.created, Exec: b})
}

// decodeRecord reads a blob into an execution.
func (c Config) decodeRecord(name string, data []byte, etag string) (*execution, error) {
	var r record
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&r); err != nil || len(r.Exec) == 0 {
		return nil, fmt.Errorf("execution %s: %w (%v)", name, errNoRecord, err)
	}
	def := c.Definitions[r.Machine]
	if def == nil {
		return nil, fmt.Errorf("execution %s: state machine %q is not registered (registered: %s)", name, r.Machine, c.names())
	}
	e, err := asl.Decode(r.Exec)
	if err != nil {
		return nil, fmt.Errorf("execution %s: %w", name, err)
	}
	return &execution{name: name, machine: r.Machine, input: []byte(r.Input), def: def, e: e, etag: etag,
		created: r.Created, issued: map[int]bool{}}, nil
}
