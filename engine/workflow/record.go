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
	s.Issue(port.BlobPut{Name: s.cfg.blob(x.name), Data: b, Cond: cond}, "recorded", x.name, func(c port.Completion) {
		x.writing = false
		if c.Err != nil {
			s.recordFailed(x, c.Err)
			return
		}
		x.etag, _ = c.Result.(string)
		s.recorded(x)
	})
}

func (s *Service) recordFailed(x *execution, err error) {
	if errors.Is(err, port.ErrConflict) {
		// Another writer changed the record (a service of an earlier life
		// still running): adopt what is stored.
		s.logf("workflow: execution %s: record changed under us, reloading: %v", x.name, err)
		s.load(x.name, func(y *execution, lerr error) {
			if lerr == nil {
				s.execs[x.name] = y
				s.recorded(y)
			}
		})
		return
	}
	s.logf("workflow: execution %s: record write failed, retrying: %v", x.name, err)
	x.dirty = true
	s.After(retryDelay, "record-retry", x.name, func() { s.record(x) })
}

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
		s.After(d, "round", x.name, func() { x.stepping = false; s.round(x) })
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
		s.After(d, "record", x.name, func() { x.stepping = false; s.record(x) })
		return
	}
	s.record(x)
}

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
			id := t.ID
			s.At(port.Time(t.At), "state-timer", x.name, func() {
				if x.e.TimerFired(id) {
					s.round(x)
				}
			})
		}
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
	id := in.ID
	s.Run(name, input, run, "task-done", x.name, func(d port.ActivityDone) {
		if s.cfg.Planted == PlantedLoseResult {
			if s.results++; s.results%3 == 0 {
				return
			}
		}
		errText := ""
		if d.Err != nil {
			errText = d.Err.Error()
		}
		if !x.e.TaskDone(id, d.Output, errText) {
			s.stats.Duplicates++
			return
		}
		s.round(x)
	})
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
