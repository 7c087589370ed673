package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// stateErr is a failure raised while executing a state.
type stateErr struct{ f Failure }

func (e *stateErr) Error() string { return e.f.Error + ": " + e.f.Cause }

func fail(name, format string, args ...any) error {
	return &stateErr{Failure{Error: name, Cause: fmt.Sprintf(format, args...)}}
}

func (e *Execution) context(t *Thread, s *State) any {
	c := map[string]any{
		"Execution":    map[string]any{"Id": e.Name, "Name": e.Name, "Input": e.Input},
		"StateMachine": map[string]any{"Name": e.Name},
		"State":        map[string]any{"Name": s.Name, "RetryCount": json.Number(fmt.Sprint(sum(t.Attempts)))},
	}
	if t.Machine != "" && strings.HasSuffix(t.Machine, "/it") {
		c["Map"] = map[string]any{"Item": map[string]any{"Index": index(t.Item)}}
	}
	return c
}

func index(i int) json.Number { return json.Number(fmt.Sprint(i)) }

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// effective is the input after InputPath and Parameters.
func (e *Execution) effective(t *Thread, s *State) (any, error) {
	in := map[string]any{}
	var v any = in
	if s.InputPath != nil {
		x, err := s.InputPath.Get(t.Input, e.context(t, s))
		if err != nil {
			return nil, fail(ErrRuntime, "state %s: InputPath: %v", s.Name, err)
		}
		v = x
	}
	if s.Parameters != nil && s.Type != TypeMap {
		x, err := s.Parameters.Apply(v, e.context(t, s))
		if err != nil {
			return nil, fail(ErrParameterPath, "state %s: Parameters: %v", s.Name, err)
		}
		v = x
	}
	return v, nil
}

// output applies ResultSelector, ResultPath and OutputPath to a result.
func (e *Execution) output(t *Thread, s *State, result any, selector bool) (any, error) {
	if selector && s.ResultSelector != nil {
		x, err := s.ResultSelector.Apply(result, e.context(t, s))
		if err != nil {
			return nil, fail(ErrParameterPath, "state %s: ResultSelector: %v", s.Name, err)
		}
		result = x
	}
	v := t.Input
	if s.ResultPath != nil {
		x, err := s.ResultPath.Set(t.Input, result)
		if err != nil {
			return nil, fail(ErrResultPath, "state %s: ResultPath: %v", s.Name, err)
		}
		v = x
	}
	return e.outputPath(t, s, v)
}

func (e *Execution) outputPath(t *Thread, s *State, v any) (any, error) {
	if s.OutputPath == nil {
		return map[string]any{}, nil
	}
	x, err := s.OutputPath.Get(v, e.context(t, s))
	if err != nil {
		return nil, fail(ErrRuntime, "state %s: OutputPath: %v", s.Name, err)
	}
	return x, nil
}

// advance moves t to s's successor with output, or ends t.
func (e *Execution) advance(t *Thread, s *State, next string, output any) {
	e.Events++ // StateExited
	t.Effective, t.Attempts, t.Result, t.Err, t.Children = nil, nil, nil, nil, nil
	if next == "" {
		t.Phase, t.Output = phDone, output
		return
	}
	t.State, t.Input, t.Phase = next, output, phEnter
}

func (e *Execution) move(t *Thread, now int64) {
	m := e.def.machines[t.Machine]
	s := m.States[t.State]
	if t.Phase == phChildren && !childrenSettled(t) && !anyFailed(t) {
		e.dequeue(t)
		return
	}
	if t.Phase == phEnter {
		e.Transitions++
		e.Events++ // StateEntered
	}
	err := e.execute(t, s, now)
	if err == nil {
		return
	}
	se, ok := err.(*stateErr)
	if !ok {
		se = &stateErr{Failure{Error: ErrRuntime, Cause: err.Error()}}
	}
	e.handle(t, s, se.f, now)
}

func (e *Execution) execute(t *Thread, s *State, now int64) error {
	switch t.Phase {
	case phResult:
		if t.Err != nil {
			return &stateErr{*t.Err}
		}
		out, err := e.output(t, s, t.Result, true)
		if err != nil {
			return err
		}
		e.advance(t, s, s.Next, out)
		return nil
	case phResume:
		if s.Type == TypeWait {
			out, err := e.outputPath(t, s, t.Effective)
			if err != nil {
				return err
			}
			e.advance(t, s, s.Next, out)
			return nil
		}
		t.Phase = phEnter // a retry: enter the state again
		e.Transitions++
		e.Events++
		return e.enter(t, s, now)
	case phChildren:
		return e.collect(t, s)
	}
	return e.enter(t, s, now)
}

func (e *Execution) enter(t *Thread, s *State, now int64) error {
	eff, err := e.effective(t, s)
	if err != nil {
		return err
	}
	t.Effective = eff
	switch s.Type {
	case TypePass:
		res := eff
		if s.HasResult {
			res = s.Result
		}
		out, err := e.output(t, s, res, false)
		if err != nil {
			return err
		}
		e.advance(t, s, s.Next, out)
	case TypeSucceed:
		out, err := e.outputPath(t, s, eff)
		if err != nil {
			return err
		}
		e.advance(t, s, "", out)
	case TypeFail:
		return e.failState(t, s)
	case TypeChoice:
		return e.choose(t, s, eff)
	case TypeWait:
		return e.wait(t, s, eff, now)
	case TypeTask:
		t.Task = &Invocation{ID: e.id(), TaskID: e.NextTask, Resource: s.Resource, Input: eff}
		e.NextTask++
		e.Events += 2 // TaskScheduled, TaskStarted
		t.Phase = phTask
		if s.TimeoutSeconds > 0 {
			t.Timeout = &Timer{ID: e.id(), At: now + int64(s.TimeoutSeconds)*int64(time.Second)}
		}
	case TypeParallel:
		t.Children = nil
		for _, b := range s.Branches {
			t.Children = append(t.Children, &Thread{Machine: b, State: e.def.machines[b].StartAt, Input: eff, Phase: phEnter})
		}
		t.Phase = phChildren
	case TypeMap:
		return e.startMap(t, s, eff)
	}
	return nil
}

func (e *Execution) id() int { e.NextID++; return e.NextID }

func (e *Execution) failState(t *Thread, s *State) error {
	f := Failure{Error: s.Error, Cause: s.Cause}
	for _, p := range []struct {
		x   *expr
		dst *string
	}{{s.ErrorPath, &f.Error}, {s.CausePath, &f.Cause}} {
		if p.x == nil {
			continue
		}
		v, err := p.x.eval(t.Input, e.context(t, s))
		str, ok := v.(string)
		if err != nil || !ok {
			return fail(ErrRuntime, "state %s: %v", s.Name, firstErr(err, fmt.Errorf("path is a %s, want a string", kindOf(v))))
		}
		*p.dst = str
	}
	e.Events++
	t.Phase, t.Err = phFailed, &f
	return nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (e *Execution) choose(t *Thread, s *State, eff any) error {
	for i, r := range s.Choices {
		ok, err := r.Eval(eff, e.context(t, s))
		if err != nil {
			return fail(ErrRuntime, "state %s: Choices[%d]: %v", s.Name, i, err)
		}
		if ok {
			out, err := e.outputPath(t, s, eff)
			if err != nil {
				return err
			}
			e.advance(t, s, r.Next, out)
			return nil
		}
	}
	if s.Default == "" {
		return fail(ErrNoChoiceMatched, "state %s: no choice rule matched and there is no Default", s.Name)
	}
	out, err := e.outputPath(t, s, eff)
	if err != nil {
		return err
	}
	e.advance(t, s, s.Default, out)
	return nil
}

func (e *Execution) wait(t *Thread, s *State, eff any, now int64) error {
	at := now + int64(s.Seconds)*int64(time.Second)
	switch {
	case s.Timestamp != "":
		ts, _ := time.Parse(time.RFC3339, s.Timestamp)
		at = ts.UnixNano()
	case s.SecondsPath != nil:
		v, err := s.SecondsPath.Get(eff, e.context(t, s))
		n, ok := v.(json.Number)
		secs, perr := n.Int64()
		if err != nil || !ok || perr != nil || secs < 0 {
			return fail(ErrRuntime, "state %s: SecondsPath %s: want an integer >= 0", s.Name, s.SecondsPath)
		}
		at = now + secs*int64(time.Second)
	case s.TimestampPath != nil:
		v, err := s.TimestampPath.Get(eff, e.context(t, s))
		ts, ok := timestamp(v)
		if err != nil || !ok {
			return fail(ErrRuntime, "state %s: TimestampPath %s: want an RFC 3339 timestamp", s.Name, s.TimestampPath)
		}
		at = ts.UnixNano()
	}
	t.Phase, t.Timer = phWait, &Timer{ID: e.id(), At: at}
	return nil
}

// handle routes a state's failure: a matching retrier with attempts left
// retries after its interval, else a matching catcher moves on, else the
// thread fails.
func (e *Execution) handle(t *Thread, s *State, f Failure, now int64) {
	t.Task, t.Timeout, t.Children = nil, nil, nil
	if len(t.Attempts) < len(s.Retry) {
		t.Attempts = append(t.Attempts, make([]int, len(s.Retry)-len(t.Attempts))...)
	}
	for i, r := range s.Retry {
		if !matches(r.ErrorEquals, f.Error) {
			continue
		}
		if t.Attempts[i] >= r.MaxAttempts {
			break
		}
		delay := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(t.Attempts[i]))
		t.Attempts[i]++
		t.Err, t.Result = nil, nil
		t.Phase, t.Timer = phRetry, &Timer{ID: e.id(), At: now + int64(delay*float64(time.Second))}
		return
	}
	for _, c := range s.Catch {
		if !matches(c.ErrorEquals, f.Error) {
			continue
		}
		errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
		v := t.Input
		if c.ResultPath != nil {
			x, err := c.ResultPath.Set(t.Input, errOut)
			if err != nil {
				break // the catcher cannot place the error: the state fails
			}
			v = x
		}
		e.advance(t, s, c.Next, v)
		return
	}
	e.Events++
	t.Phase, t.Err = phFailed, &f
}
