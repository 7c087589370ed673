package inject

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
)

// Sentinels of injected errors. Engines cannot import faults/; they test
// port.ErrTransient and port.ErrServerBusy, which ErrTransient and
// ErrServerBusy are.
var (
	// ErrInjected: every error the injector makes wraps it.
	ErrInjected = errors.New("injected fault")
	// ErrTransient: a storage request failed transiently (HTTP 500/503,
	// a timeout); retrying it may succeed.
	ErrTransient = port.ErrTransient
	// ErrServerBusy: the service throttled the request (HTTP 503 Server
	// Busy); retry after a back-off. It wraps ErrTransient.
	ErrServerBusy = port.ErrServerBusy
)

// Error is an injected storage error.
type Error struct {
	Op      string     // the op kind that failed
	Fault   plan.Fault // the plan line that caused it
	Applied bool       // the op was applied before the error (ambiguous)
}

func (e *Error) Error() string {
	what := "transient error before apply"
	switch {
	case e.Fault.Kind == plan.Throttle:
		what = "server busy"
	case e.Applied:
		what = "error after apply (ambiguous)"
	}
	return fmt.Sprintf("%s: injected %s (%s)", e.Op, what, e.Fault)
}

// Unwrap returns ErrInjected and ErrServerBusy (throttle) or ErrTransient.
func (e *Error) Unwrap() []error {
	if e.Fault.Kind == plan.Throttle {
		return []error{ErrInjected, ErrServerBusy}
	}
	return []error{ErrInjected, ErrTransient}
}

// Retryable reports true: the design retries every injected error.
func (e *Error) Retryable() bool { return true }

// Ambiguous reports whether the op may have been applied although it
// failed (always true for error-after faults).
func (e *Error) Ambiguous() bool { return e.Applied }
