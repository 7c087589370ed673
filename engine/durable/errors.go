package durable

import (
	"errors"
	"fmt"
)

// ErrLockRules is wrapped by every violation of the critical-section rules:
// a call to an entity the critical section did not lock, a signal to a
// locked entity, a nested critical section, a sub-orchestration inside one.
var ErrLockRules = errors.New("critical section rule violated")

// TaskFailedError is what Await returns when the awaited activity,
// sub-orchestration or entity operation failed.
type TaskFailedError struct {
	Kind    string // "activity", "sub-orchestration", "entity operation"
	Name    string
	Message string
}

func (e *TaskFailedError) Error() string {
	return fmt.Sprintf("%s %q failed: %s", e.Kind, e.Name, e.Message)
}

// PanicError turns a recovered panic value into an error whose text is
// deterministic (the value only, no stack addresses).
func PanicError(r any) error { return fmt.Errorf("panic: %v", r) }
