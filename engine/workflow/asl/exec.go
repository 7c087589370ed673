package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Execution statuses.
const (
	Running   = "RUNNING"
	Succeeded = "SUCCEEDED"
	Failed    = "FAILED"
)

// MaxHistoryEvents is a Standard execution's history limit: an execution
// that would record more fails.
const MaxHistoryEvents = 25_000

// Thread phases.
const (
	phEnter    = "enter"    // at State, to be executed
	phTask     = "task"     // waiting for Task's outcome
	phResult   = "result"   // Task's outcome arrived, to be processed
	phWait     = "wait"     // a Wait state's timer
	phRetry    = "retry"    // waiting to retry
	phResume   = "resume"   // a timer fired, to move on
	phChildren = "children" // Parallel branches or Map iterations running
	phQueued   = "queued"   // a Map iteration waiting for MaxConcurrency
	phDone     = "done"
	phFailed   = "failed"
)

// Failure is an error name and its cause.
type Failure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Invocation is a task the execution asks for.
type Invocation struct {
	ID       int    `json:"id"`
	TaskID   int32  `json:"taskId"` // the execution's task ordinal (1st invocation 0, ...)
	Resource string `json:"resource"`
	Input    any    `json:"input"`
}

// Timer asks for a TimerFired(ID) at At (nanoseconds).
type Timer struct {
	ID int   `json:"id"`
	At int64 `json:"at"`
}

// Thread runs one machine: the top level, a branch or an iteration.
type Thread struct {
	Machine   string      `json:"m"`
	State     string      `json:"s"`
	Input     any         `json:"in"`
	Phase     string      `json:"ph"`
	Effective any         `json:"eff,omitempty"`
	Attempts  []int       `json:"att,omitempty"`
	Task      *Invocation `json:"task,omitempty"`
	Result    any         `json:"res,omitempty"`
	Timer     *Timer      `json:"timer,omitempty"`
	Timeout   *Timer      `json:"timeout,omitempty"`
	Children  []*Thread   `json:"ch,omitempty"`
	Item      int         `json:"item,omitempty"`  // a Map iteration's index
	Limit     int         `json:"limit,omitempty"` // a Map's MaxConcurrency (0: none)
	Output    any         `json:"out,omitempty"`
	Err       *Failure    `json:"err,omitempty"`
}

// Execution is one run of a definition: plain data (Encode, Decode).
type Execution struct {
	Name        string   `json:"name"`
	Input       any      `json:"input"`
	Status      string   `json:"status"`
	Output      any      `json:"output,omitempty"`
	Err         *Failure `json:"error,omitempty"`
	Root        *Thread  `json:"root"`
	NextID      int      `json:"nextId"`
	NextTask    int32    `json:"nextTask"`
	Transitions int      `json:"transitions"`
	Events      int      `json:"events"`

	def *Definition // during Step
}

// Start begins an execution of d named name with a JSON input (empty: {}).
func Start(d *Definition, name string, input []byte) (*Execution, error) {
	in, err := DecodeValue(input)
	if err != nil {
		return nil, fmt.Errorf("execution %s: input: %w", name, err)
	}
	return &Execution{Name: name, Input: in, Status: Running, Events: 1,
		Root: &Thread{Machine: "", State: d.root.StartAt, Input: in, Phase: phEnter}}, nil
}

// Encode encodes the execution.
func (e *Execution) Encode() ([]byte, error) { return json.Marshal(e) }

// Decode decodes an encoded execution.
func Decode(b []byte) (*Execution, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var e Execution
	if err := d.Decode(&e); err != nil {
		return nil, fmt.Errorf("decode execution: %w", err)
	}
	if e.Root == nil {
		return nil, fmt.Errorf("decode execution %s: no root thread", e.Name)
	}
	return &e, nil
}

// Done reports whether the execution has ended.
func (e *Execution) Done() bool { return e.Status != Running }

// Outstanding lists the invocations and timers the execution waits for.
func (e *Execution) Outstanding() ([]Invocation, []Timer) {
	var inv []Invocation
	var tms []Timer
	if e.Done() {
		return nil, nil
	}
	e.Root.walk(func(t *Thread) {
		if t.Phase == phTask && t.Task != nil {
			inv = append(inv, *t.Task)
			if t.Timeout != nil {
				tms = append(tms, *t.Timeout)
			}
		}
		if (t.Phase == phWait || t.Phase == phRetry) && t.Timer != nil {
			tms = append(tms, *t.Timer)
		}
	})
	return inv, tms
}

// walk visits live threads in order, parents first.
func (t *Thread) walk(f func(*Thread)) {
	f(t)
	if t.Phase == phChildren {
		for _, c := range t.Children {
			c.walk(f)
		}
	}
}

// TaskDone reports an invocation's outcome (errText "": success with the
// JSON output). It returns false for an invocation the execution no
// longer waits for (a duplicate, or one that timed out).
func (e *Execution) TaskDone(id int, output []byte, errText string) bool {
	t := e.find(func(t *Thread) bool { return t.Phase == phTask && t.Task != nil && t.Task.ID == id })
	if t == nil {
		return false
	}
	t.Task, t.Timeout, t.Phase = nil, nil, phResult
	e.Events++
	if errText != "" {
		t.Err = &Failure{Error: ErrTaskFailed, Cause: errText}
		return true
	}
	v, err := decodeValue(output)
	if len(bytes.TrimSpace(output)) == 0 {
		v, err = nil, nil
	}
	if err != nil {
		t.Err = &Failure{Error: ErrRuntime, Cause: fmt.Sprintf("task output is not JSON: %v", err)}
		return true
	}
	t.Result = v
	return true
}

// TimerFired reports that timer id came due. It returns false for a timer
// the execution no longer waits for.
func (e *Execution) TimerFired(id int) bool {
	t := e.find(func(t *Thread) bool {
		return (t.Phase == phWait || t.Phase == phRetry) && t.Timer != nil && t.Timer.ID == id ||
			t.Phase == phTask && t.Timeout != nil && t.Timeout.ID == id
	})
	if t == nil {
		return false
	}
	if t.Phase == phTask {
		t.Task, t.Timeout, t.Phase = nil, nil, phResult
		t.Err = &Failure{Error: ErrTimeout, Cause: "the task did not finish within TimeoutSeconds"}
		return true
	}
	t.Timer, t.Phase = nil, phResume
	return true
}

func (e *Execution) find(pred func(*Thread) bool) *Thread {
	var found *Thread
	if e.Done() {
		return nil
	}
	e.Root.walk(func(t *Thread) {
		if found == nil && pred(t) {
			found = t
		}
	})
	return found
}

// Runnable reports whether Step would make a transition now.
func (e *Execution) Runnable() bool { return len(e.runnable()) > 0 }

// Pending is how many state transitions Step would make now (threads
// entering a state, or entering it again for a retry), for a transition
// quota; moves that only finish a state (a task's result) make none.
func (e *Execution) Pending(d *Definition) int {
	n := 0
	for _, t := range e.runnable() {
		if t.Phase == phEnter || t.Phase == phResume && d.machines[t.Machine].States[t.State].Type != TypeWait {
			n++
		}
	}
	return n
}

func (e *Execution) runnable() []*Thread {
	if e.Done() {
		return nil
	}
	var out []*Thread
	e.Root.walk(func(t *Thread) {
		switch t.Phase {
		case phEnter, phResult, phResume:
			out = append(out, t)
		case phChildren:
			if childrenSettled(t) || anyFailed(t) || canDequeue(t) {
				out = append(out, t)
			}
		}
	})
	return out
}

// Step makes one round of transitions at time now (nanoseconds): every
// thread that can move makes one move. It returns how many state
// transitions it made.
func (e *Execution) Step(d *Definition, now int64) int {
	before := e.Transitions
	e.def = d
	for _, t := range e.runnable() {
		e.move(t, now)
	}
	e.def = nil
	switch {
	case e.Root.Phase == phDone:
		e.Status, e.Output = Succeeded, e.Root.Output
		e.Events++
	case e.Root.Phase == phFailed:
		e.Status, e.Err = Failed, e.Root.Err
		e.Events++
	case e.Events > MaxHistoryEvents:
		e.Status = Failed
		e.Err = &Failure{Error: ErrRuntime, Cause: fmt.Sprintf("the execution history exceeds %d events", MaxHistoryEvents)}
	}
	return e.Transitions - before
}

// FailureText is a failed execution's error and cause as one line.
func (e *Execution) FailureText() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error + ": " + e.Err.Cause
}

func childrenSettled(t *Thread) bool {
	for _, c := range t.Children {
		if c.Phase != phDone {
			return false
		}
	}
	return true
}

func anyFailed(t *Thread) bool {
	for _, c := range t.Children {
		if c.Phase == phFailed {
			return true
		}
	}
	return false
}

func canDequeue(t *Thread) bool {
	running, queued := 0, false
	for _, c := range t.Children {
		switch c.Phase {
		case phQueued:
			queued = true
		case phDone, phFailed:
		default:
			running++
		}
	}
	return queued && running < t.maxConcurrency()
}

func (t *Thread) maxConcurrency() int {
	if t.Limit > 0 {
		return t.Limit
	}
	return 1 << 30
}
