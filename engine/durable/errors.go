package durable

import (
	"errors"
	"fmt"
)

// ErrLockRules is wrapped by every violation of the critical-section rules:
// a call to an entity the critical section did not lock, a signal to a
// locked entity, a nested critical section, a sub-orchestration inside one.
var ErrLockRules = errors.New("critical section rule violated")

// ErrWaitTimeout and ErrWaitCanceled are wrapped by the error of a
// WaitForExternalEvent task that timed out or was cancelled.
var (
	ErrWaitTimeout  = errors.New("wait for external event timed out")
	ErrWaitCanceled = errors.New("wait for external event cancelled")
)

// TaskFailedError is what Await returns when the awaited activity,
// sub-orchestration or entity operation failed.
type TaskFailedError struct {
	Kind    string // "activity", "sub-orchestration", "entity operation"
	Name    string
	Message string
	// NonRetriable failures are not retried by a retry policy: a call of
	// an activity or orchestrator that is not registered fails at once,
	// and so does a task whose failure details say NonRetriable.
	NonRetriable bool
	// Details are the task's failure details (type, message, stack, inner
	// failure), nil for a failure the runtime itself decided (such as an
	// unregistered name).
	Details *FailureDetails
}

func (e *TaskFailedError) Error() string {
	return fmt.Sprintf("%s %q failed: %s", e.Kind, e.Name, e.Message)
}

// PanicError turns a recovered panic value into an error whose text is
// deterministic (the value only, no stack addresses); its failure details
// list the functions on the panicking stack. Call it from the deferred
// function that recovered.
func PanicError(r any) error {
	return &panicError{msg: fmt.Sprintf("panic: %v", r), stack: panicStack()}
}

// Client errors. Both engines answer refused client requests with one of
// these (wrapped), so a program tells the cases apart with errors.Is.
var (
	// ErrUnknownInstance: the instance was never started, or was purged
	// (status, wait and purge of such an id).
	ErrUnknownInstance = errors.New("unknown instance")
	// ErrInstanceExists: a start under the id of an instance that is not
	// finished, with the default reuse policy (ReuseError).
	ErrInstanceExists = errors.New("instance exists and is not finished")
	// ErrNotFinished: a purge of an instance that is still pending or
	// running.
	ErrNotFinished = errors.New("instance is not finished")
)

// Refusal says why an engine refused a client request (0: it did not).
// It travels in ClientResponse, so an engine that answers requests
// through a log or stream carries it as data; Err turns it into the error
// the client returns.
type Refusal uint8

// Refusals.
const (
	NotRefused Refusal = iota
	RefusedUnknown
	RefusedExists
	RefusedNotFinished
)

// Err is the refusal's error for an instance whose status is st (nil for
// NotRefused); client cores return it, and the program's client adds the
// request and the instance.
func (r Refusal) Err(st Status) error {
	switch r {
	case NotRefused:
		return nil
	case RefusedUnknown:
		return ErrUnknownInstance
	case RefusedExists:
		return fmt.Errorf("%w (it is %s)", ErrInstanceExists, st)
	case RefusedNotFinished:
		return fmt.Errorf("%w (it is %s)", ErrNotFinished, st)
	}
	return fmt.Errorf("request refused (refusal %d)", uint8(r))
}
