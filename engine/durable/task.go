package durable

import (
	"fmt"
	"math"
	"time"
)

// Task is the eventual outcome of something an orchestration asked for: an
// activity, a sub-orchestration, a timer, an external event, an entity call,
// or a combination of tasks (WhenAll, WhenAny) or of attempts (retries).
type Task struct {
	ctx     *OrchestrationContext
	done    bool
	payload []byte
	err     error

	// composite tasks
	children []*Task
	any      bool
	winner   int
	retry    *retryState
}

type retryState struct {
	policy  RetryPolicy
	attempt int
	current *Task
	timer   *Task
	call    func() *Task
	started int64 // the step time of the first attempt (RetryTimeout)
}

// Resolve completes the task. It is called by the runtime (engine/replay)
// when the event that completes the task is applied; orchestrator code
// never calls it.
func (t *Task) Resolve(payload []byte, err error) {
	if !t.done {
		t.done, t.payload, t.err = true, payload, err
	}
}

func failedTask(ctx *OrchestrationContext, err error) *Task {
	return &Task{ctx: ctx, done: true, err: err}
}

// IsDone reports whether the task has completed, advancing retries and
// composites as far as the events applied so far allow.
func (t *Task) IsDone() bool { return t.poll() }

func (t *Task) poll() bool {
	if t.done {
		return true
	}
	switch {
	case t.retry != nil:
		t.pollRetry()
	case t.any:
		for i, c := range t.children {
			if c.poll() {
				t.winner = i
				t.done = true
				break
			}
		}
	case t.children != nil:
		all := true
		for _, c := range t.children {
			// Poll every child, so retries further on advance too.
			if !c.poll() {
				all = false
			}
		}
		if !all {
			return false
		}
		// Every task is done: the error is the first in argument order,
		// whichever failed first in time.
		for _, c := range t.children {
			if c.err != nil {
				t.err = c.err
				break
			}
		}
		t.done = true
	}
	return t.done
}

func (t *Task) pollRetry() {
	r := t.retry
	for !t.done {
		if r.timer != nil {
			if !r.timer.poll() {
				return
			}
			r.timer = nil
			r.attempt++
			r.current = r.call()
		}
		if !r.current.poll() {
			return
		}
		if r.current.err == nil || !r.retries(r.current.err, t.ctx.rt.Now()) {
			t.done, t.payload, t.err = true, r.current.payload, r.current.err
			return
		}
		r.timer = t.ctx.CreateTimer(r.policy.Delay(r.attempt))
	}
}

// Await blocks the orchestration until the task completes, then decodes
// its result into out (a pointer, or nil to ignore it). For WhenAny tasks,
// out may be an *int that receives the index of the first task to finish.
// It returns the task's error.
func (t *Task) Await(out any) error {
	for !t.poll() {
		t.ctx.rt.Suspend()
	}
	if t.err != nil {
		return t.err
	}
	if t.any {
		if p, ok := out.(*int); ok {
			*p = t.winner
			return nil
		}
	}
	return Unmarshal(t.payload, out)
}

// WhenAll returns a task that completes when every task has; its error is
// the first failing task's error, in argument order.
func (c *OrchestrationContext) WhenAll(tasks ...*Task) *Task {
	return &Task{ctx: c, children: append([]*Task{}, tasks...)}
}

// WhenAny returns a task that completes when the first of tasks completes;
// Await(&i) gives that task's index.
func (c *OrchestrationContext) WhenAny(tasks ...*Task) *Task {
	if len(tasks) == 0 {
		return failedTask(c, fmt.Errorf("WhenAny: no tasks"))
	}
	return &Task{ctx: c, children: append([]*Task{}, tasks...), any: true}
}

// RetryPolicy retries a failed activity or sub-orchestration after durable
// timers: the k-th retry waits FirstInterval × BackoffCoefficient^(k-1),
// capped at MaxInterval (when set).
type RetryPolicy struct {
	MaxAttempts        int
	FirstInterval      time.Duration
	BackoffCoefficient float64
	MaxInterval        time.Duration
	// RetryTimeout, when set, bounds the retrying: no attempt starts later
	// than RetryTimeout after the first (in orchestration time).
	RetryTimeout time.Duration
	// Handle, when set, is asked about each failure (a *TaskFailedError,
	// whose Details give the failure's type, message, stack and inner
	// failure) and retries only those it returns true for. It must be
	// deterministic: it runs on every replay. A failure marked
	// NonRetriable is never retried.
	Handle func(error) bool
}

// Validate reports a policy field that is out of range.
func (p RetryPolicy) Validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("retry policy MaxAttempts = %d: must be at least 1", p.MaxAttempts)
	case p.FirstInterval <= 0:
		return fmt.Errorf("retry policy FirstInterval = %v: must be positive", p.FirstInterval)
	case p.BackoffCoefficient != 0 && p.BackoffCoefficient < 1:
		return fmt.Errorf("retry policy BackoffCoefficient = %v: must be 0 (means 1) or at least 1", p.BackoffCoefficient)
	case p.MaxInterval < 0:
		return fmt.Errorf("retry policy MaxInterval = %v: must be 0 (no cap) or positive", p.MaxInterval)
	case p.RetryTimeout < 0:
		return fmt.Errorf("retry policy RetryTimeout = %v: must be 0 (none) or positive", p.RetryTimeout)
	}
	return nil
}

// Delay is the wait before retry number attempt (1-based).
func (p RetryPolicy) Delay(attempt int) time.Duration {
	c := p.BackoffCoefficient
	if c == 0 {
		c = 1
	}
	d := float64(p.FirstInterval) * math.Pow(c, float64(attempt-1))
	if p.MaxInterval > 0 && d > float64(p.MaxInterval) {
		return p.MaxInterval
	}
	return time.Duration(d)
}

// retries reports whether a failed attempt is retried at time now: attempts
// are left, the failure is retriable and the policy's Handle accepts it,
// and the next attempt would start within RetryTimeout of the first.
func (r *retryState) retries(err error, now int64) bool {
	p := &r.policy
	switch {
	case r.attempt >= p.MaxAttempts, IsNonRetriable(err):
		return false
	case p.Handle != nil && !p.Handle(err):
		return false
	case p.RetryTimeout > 0 && now+int64(p.Delay(r.attempt))-r.started > int64(p.RetryTimeout):
		return false
	}
	return true
}

func (c *OrchestrationContext) withRetry(policy *RetryPolicy, call func() *Task) *Task {
	if policy == nil {
		return call()
	}
	if err := policy.Validate(); err != nil {
		return failedTask(c, err)
	}
	return &Task{ctx: c, retry: &retryState{policy: *policy, attempt: 1, current: call(), call: call, started: c.rt.Now()}}
}

// NewTask returns an incomplete task bound to ctx; executors create the
// tasks that Runtime.Schedule and Runtime.WaitEvent return with it.
func NewTask(ctx *OrchestrationContext) *Task { return &Task{ctx: ctx} }
