package durable

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Runtime is what an OrchestrationContext needs from the executor that runs
// the orchestrator (engine/replay implements it).
type Runtime interface {
	InstanceID() string
	Name() string
	Input() []byte
	// Version is the version the execution was started with.
	Version() string
	// Now is the time of the step being executed or replayed (Unix ns).
	Now() int64
	IsReplaying() bool
	// Schedule records an action (an event of an action kind, ID unset) and
	// returns the task its completion resolves. The runtime fills in e.ID
	// and, for entity calls and critical sections, e.Request.
	Schedule(e *Event) *Task
	// WaitEvent returns a task resolved by the next external event of
	// name; with timeout > 0 it fails with ErrWaitTimeout once a durable
	// timer of that length fires first, and stops waiting.
	WaitEvent(name string, timeout time.Duration) *Task
	// CancelWait stops an incomplete WaitEvent task from waiting (it fails
	// with ErrWaitCanceled) and reports whether it was waiting.
	CancelWait(t *Task) bool
	// Suspend yields until the executor has applied more events.
	Suspend()
	SetCustomStatus(payload []byte)
	// ContinueAsNew restarts the orchestration with input when it
	// returns; carry says whether unprocessed external events go along.
	ContinueAsNew(input []byte, carry bool)
}

// OrchestrationContext is what an orchestrator uses for everything that is
// not pure computation. Create one with NewOrchestrationContext (executors).
type OrchestrationContext struct {
	rt       Runtime
	guids    uint64
	critical *CriticalSection
}

// NewOrchestrationContext binds a context to its runtime.
func NewOrchestrationContext(rt Runtime) *OrchestrationContext {
	return &OrchestrationContext{rt: rt}
}

// InstanceID is the orchestration instance's id.
func (c *OrchestrationContext) InstanceID() string { return c.rt.InstanceID() }

// Name is the orchestrator's registered name.
func (c *OrchestrationContext) Name() string { return c.rt.Name() }

// Version is the version the orchestration was started with
// (StartVersion; a sub-orchestration's WithVersion, or its parent's).
func (c *OrchestrationContext) Version() string { return c.rt.Version() }

// GetInput decodes the orchestration's input into out.
func (c *OrchestrationContext) GetInput(out any) error { return Unmarshal(c.rt.Input(), out) }

// CurrentTime is the time recorded in history for the current step: the same
// value on every replay.
func (c *OrchestrationContext) CurrentTime() time.Time { return time.Unix(0, c.rt.Now()).UTC() }

// IsReplaying reports whether the code is re-executing recorded steps.
func (c *OrchestrationContext) IsReplaying() bool { return c.rt.IsReplaying() }

// SetCustomStatus publishes a value with the instance's status.
func (c *OrchestrationContext) SetCustomStatus(v any) error {
	b, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("custom status: %w", err)
	}
	c.rt.SetCustomStatus(b)
	return nil
}

// NewGUID returns a deterministic, unique-looking UUID (version 5 layout)
// derived from the instance id, the current step time and a counter.
func (c *OrchestrationContext) NewGUID() string {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(c.rt.Now()))
	binary.BigEndian.PutUint64(buf[8:], c.guids)
	c.guids++
	h := sha1.New()
	h.Write([]byte(c.rt.InstanceID()))
	h.Write(buf[:])
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], sum[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], sum[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], sum[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], sum[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], sum[10:16])
	return string(s[:])
}

// CallOption configures CallActivity and CallSubOrchestrator.
type CallOption func(*callOptions)

type callOptions struct {
	retry      *RetryPolicy
	instance   string
	version    string
	hasVersion bool
}

// WithVersion sets the version of the activity or sub-orchestration
// called (default: the calling orchestration's own version).
func WithVersion(v string) CallOption {
	return func(o *callOptions) { o.version, o.hasVersion = v, true }
}

// version is the version a call carries.
func (c *OrchestrationContext) version(o callOptions) string {
	if o.hasVersion {
		return o.version
	}
	return c.rt.Version()
}

// WithRetry retries the call on failure according to policy.
func WithRetry(policy RetryPolicy) CallOption {
	return func(o *callOptions) { o.retry = &policy }
}

// WithInstanceID sets a sub-orchestration's instance id (default: the
// parent's id, ':' and the task id).
func WithInstanceID(id string) CallOption {
	return func(o *callOptions) { o.instance = id }
}

func collect(opts []CallOption) callOptions {
	var o callOptions
	if len(opts) == 0 {
		return o
	}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// CallActivity schedules an activity and returns its task.
func (c *OrchestrationContext) CallActivity(name string, input any, opts ...CallOption) *Task {
	o := collect(opts)
	payload, err := Marshal(input)
	if err != nil {
		return failedTask(c, fmt.Errorf("activity %q input: %w", name, err))
	}
	v := c.version(o)
	if o.retry == nil {
		return c.rt.Schedule(&Event{Kind: TaskScheduled, Name: name, Payload: payload, Version: v})
	}
	return c.withRetry(o.retry, func() *Task {
		return c.rt.Schedule(&Event{Kind: TaskScheduled, Name: name, Payload: payload, Version: v})
	})
}

// CallSubOrchestrator starts a sub-orchestration and returns its task.
func (c *OrchestrationContext) CallSubOrchestrator(name string, input any, opts ...CallOption) *Task {
	if c.critical != nil {
		return failedTask(c, fmt.Errorf("%w: sub-orchestration %q started inside a critical section", ErrLockRules, name))
	}
	o := collect(opts)
	payload, err := Marshal(input)
	if err != nil {
		return failedTask(c, fmt.Errorf("sub-orchestration %q input: %w", name, err))
	}
	v := c.version(o)
	return c.withRetry(o.retry, func() *Task {
		return c.rt.Schedule(&Event{Kind: SubOrchestrationCreated, Name: name, Instance: o.instance, Payload: payload, Version: v})
	})
}

// CreateTimer returns a task that completes after d (a durable timer).
func (c *OrchestrationContext) CreateTimer(d time.Duration) *Task {
	return c.rt.Schedule(&Event{Kind: TimerCreated, At: c.rt.Now() + int64(d)})
}

// WaitForExternalEvent returns a task that completes with the next event
// of that name raised on this instance (events are consumed in order, one
// per waiting task, oldest wait first). A wait that is no longer wanted
// (it lost a WhenAny) still takes the next event unless it is cancelled
// (CancelWait) or has timed out (WaitTimeout).
func (c *OrchestrationContext) WaitForExternalEvent(name string, opts ...WaitOption) *Task {
	var o waitOptions
	for _, f := range opts {
		f(&o)
	}
	if o.timeout < 0 {
		return failedTask(c, fmt.Errorf("wait for event %q: timeout %v: must be positive (or 0: none)", name, o.timeout))
	}
	return c.rt.WaitEvent(name, o.timeout)
}

// CancelWait stops a WaitForExternalEvent task that has not completed from
// waiting: it fails with ErrWaitCanceled and the next event of its name
// goes to the next wait (or is kept for a later one). It reports whether
// the task was waiting.
func (c *OrchestrationContext) CancelWait(t *Task) bool { return c.rt.CancelWait(t) }

// WaitOption configures WaitForExternalEvent.
type WaitOption func(*waitOptions)

type waitOptions struct{ timeout time.Duration }

// WaitTimeout makes the wait fail with ErrWaitTimeout, and stop waiting,
// once a durable timer of d fires before the event.
func WaitTimeout(d time.Duration) WaitOption { return func(o *waitOptions) { o.timeout = d } }

// SendEvent raises an event on another orchestration instance.
func (c *OrchestrationContext) SendEvent(instance, name string, data any) error {
	payload, err := Marshal(data)
	if err != nil {
		return fmt.Errorf("event %q data: %w", name, err)
	}
	c.rt.Schedule(&Event{Kind: EventSent, Instance: instance, Name: name, Payload: payload})
	return nil
}

// ContinueAsNew restarts the orchestration with a new input once the
// orchestrator returns; external events not yet consumed carry over to
// the new execution unless DropEvents is given.
func (c *OrchestrationContext) ContinueAsNew(input any, opts ...ContinueOption) error {
	payload, err := Marshal(input)
	if err != nil {
		return fmt.Errorf("continue-as-new input: %w", err)
	}
	o := continueOptions{carry: true}
	for _, f := range opts {
		f(&o)
	}
	c.rt.ContinueAsNew(payload, o.carry)
	return nil
}

// ContinueOption configures ContinueAsNew.
type ContinueOption func(*continueOptions)

type continueOptions struct{ carry bool }

// DropEvents makes ContinueAsNew drop the external events the execution
// received and did not consume, instead of carrying them to the new
// execution (the default). Events that reach the instance after the step
// that ended the execution go to the new one.
func DropEvents() ContinueOption { return func(o *continueOptions) { o.carry = false } }

// CallEntity calls an operation on an entity and returns a task for its
// result. Inside a critical section only locked entities may be called.
func (c *OrchestrationContext) CallEntity(id EntityID, operation string, input any) *Task {
	if cs := c.critical; cs != nil && !slices.Contains(cs.entities, id.String()) {
		return failedTask(c, fmt.Errorf("%w: call to entity %s which the critical section did not lock (locked: %v)",
			ErrLockRules, id, cs.entities))
	}
	payload, err := Marshal(input)
	if err != nil {
		return failedTask(c, fmt.Errorf("entity operation %q input: %w", operation, err))
	}
	return c.rt.Schedule(&Event{Kind: EntityCallSent, Instance: id.String(), Name: operation, Payload: payload})
}

// SignalEntity sends a one-way operation to an entity. Signalling an
// entity locked by the current critical section is not allowed.
func (c *OrchestrationContext) SignalEntity(id EntityID, operation string, input any) error {
	if cs := c.critical; cs != nil && slices.Contains(cs.entities, id.String()) {
		return fmt.Errorf("%w: signal to entity %s which the critical section holds locked", ErrLockRules, id)
	}
	payload, err := Marshal(input)
	if err != nil {
		return fmt.Errorf("entity operation %q input: %w", operation, err)
	}
	c.rt.Schedule(&Event{Kind: EntitySignalSent, Instance: id.String(), Name: operation, Payload: payload})
	return nil
}
