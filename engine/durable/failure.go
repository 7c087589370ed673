package durable

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// FailureDetails describe why an activity, sub-orchestration, entity
// operation or orchestration failed, as Durable Functions' failure details
// do: the error's type and message, a stack when one is known (a panic's),
// the failure it wraps, and whether a retry policy may retry it.
type FailureDetails struct {
	// Type is the Go type of the error ("*errors.errorString",
	// "*durable.TaskFailedError", "panic" for a recovered panic).
	Type    string `json:"type,omitempty"`
	Message string `json:"message"`
	// Stack lists the functions on the stack of a panic, innermost first,
	// one per line (names only: the same on every machine and replay).
	Stack string          `json:"stack,omitempty"`
	Inner *FailureDetails `json:"inner,omitempty"`
	// NonRetriable failures are not retried by a retry policy.
	NonRetriable bool `json:"nonRetriable,omitempty"`
}

func (f *FailureDetails) Error() string { return f.Message }

// maxInnerDepth bounds the chain of inner failures recorded.
const maxInnerDepth = 8

// NewFailureDetails describes err: its type, its text, the failure it
// wraps (errors.Unwrap; a failed task's own details), a stack if err
// carries one (a panic's) and whether it is non-retriable.
func NewFailureDetails(err error) *FailureDetails { return newDetails(err, 0) }

func newDetails(err error, depth int) *FailureDetails {
	if err == nil {
		return nil
	}
	if n, ok := err.(*nonRetriableError); ok {
		d := newDetails(n.err, depth) // the marked error, marked
		d.NonRetriable = true
		return d
	}
	var fd *FailureDetails
	if errors.As(err, &fd) && fd == err {
		c := *fd
		return &c
	}
	d := &FailureDetails{Type: fmt.Sprintf("%T", err), Message: err.Error(), NonRetriable: IsNonRetriable(err)}
	var s interface{ StackTrace() string }
	if errors.As(err, &s) {
		d.Stack = s.StackTrace()
	}
	if p, ok := err.(*panicError); ok {
		d.Type = "panic"
		d.Stack = p.stack
	}
	if depth >= maxInnerDepth {
		return d
	}
	var tf *TaskFailedError
	switch {
	case errors.As(err, &tf) && tf == err && tf.Details != nil:
		inner := *tf.Details
		d.Inner = &inner
	default:
		if u := errors.Unwrap(err); u != nil {
			d.Inner = newDetails(u, depth+1)
		}
	}
	return d
}

// failurePrefix starts an encoded FailureDetails in Event.Failure.
const failurePrefix = "failure/v1 "

// EncodeFailure is the text an Event's Failure field carries for err: its
// FailureDetails, encoded, so that every engine stores and forwards the
// details as it does the text (DecodeFailure reads it back).
func EncodeFailure(err error) string { return NewFailureDetails(err).Encode() }

// Encode is the text form of d for Event.Failure.
func (d *FailureDetails) Encode() string {
	if d == nil {
		return ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return d.Message
	}
	return failurePrefix + string(b)
}

// DecodeFailure reads an Event's Failure field: the details EncodeFailure
// wrote, or, for a plain text (an engine's own failure), details with that
// message and no type. It returns nil for "".
func DecodeFailure(s string) *FailureDetails {
	if s == "" {
		return nil
	}
	if rest, ok := strings.CutPrefix(s, failurePrefix); ok {
		var d FailureDetails
		if json.Unmarshal([]byte(rest), &d) == nil {
			return &d
		}
	}
	return &FailureDetails{Message: s}
}

// FailureText is the human-readable message of an Event's Failure field.
func FailureText(s string) string {
	if d := DecodeFailure(s); d != nil {
		return d.Message
	}
	return ""
}

// nonRetriableError marks an error as not to be retried.
type nonRetriableError struct{ err error }

func (e *nonRetriableError) Error() string { return e.err.Error() }
func (e *nonRetriableError) Unwrap() error { return e.err }

// NonRetriable marks err so that no retry policy retries the activity or
// sub-orchestration that returned it (its failure details say
// NonRetriable).
func NonRetriable(err error) error {
	if err == nil {
		return nil
	}
	return &nonRetriableError{err: err}
}

// IsNonRetriable reports whether err was marked NonRetriable, or is a
// failed task whose failure was.
func IsNonRetriable(err error) bool {
	var n *nonRetriableError
	if errors.As(err, &n) {
		return true
	}
	var f *TaskFailedError
	return errors.As(err, &f) && f.NonRetriable
}

// panicError is a recovered panic: its value's text, and the functions on
// the stack where it was raised.
type panicError struct {
	msg   string
	stack string
}

func (e *panicError) Error() string { return e.msg }

// StackTrace implements the interface NewFailureDetails reads stacks from.
func (e *panicError) StackTrace() string { return e.stack }

// panicStack lists the function names on the calling goroutine's stack,
// from the panicking frame outward, skipping the runtime's own.
func panicStack() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(4, pcs) // from the frame below the recovering function
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, "runtime.") {
			b.WriteString(f.Function)
			b.WriteByte('\n')
		}
		if !more {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
