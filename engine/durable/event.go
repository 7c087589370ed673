package durable

import "fmt"

// EventKind tells what an Event records. The numbering is part of the
// binary encoding: append new kinds, never renumber.
type EventKind uint8

// Orchestration history events. Field use per kind is documented on Event.
const (
	KindInvalid               EventKind = iota
	ExecutionStarted                    // Name, Payload=input, Instance=parent, ID=parent task id, Version, At=scheduled start, Request=parent's execution
	OrchestratorStarted                 // At = the step's time
	TaskScheduled                       // ID, Name=activity, Payload=input
	TaskCompleted                       // ID, Payload=output
	TaskFailed                          // ID, Failure
	SubOrchestrationCreated             // ID, Name, Instance=child, Payload=input
	SubOrchestrationCompleted           // ID, Payload=output
	SubOrchestrationFailed              // ID, Failure
	TimerCreated                        // ID, At=fire time
	TimerFired                          // ID, At=fire time
	EventSent                           // ID, Instance=target, Name, Payload
	EventRaised                         // Name, Payload
	EntityCallSent                      // ID, Instance=entity, Name=operation, Payload, Request
	EntitySignalSent                    // ID, Instance=entity, Name=operation, Payload
	EntityLockSent                      // ID, Entities=sorted lock set, Request
	EntityUnlockSent                    // ID, Instance=entity, Request
	EntityResponded                     // Request, Payload=result, Failure
	EntityLockGranted                   // Request
	ExecutionCompleted                  // Status, Payload=output or new input, Failure
	ExecutionTerminated                 // Payload=reason; ID=TerminateOnlyThisID: not its sub-orchestrations

	// Messages delivered to entities.
	EntityCallRequested   // Instance=caller, Name=operation, Payload, Request
	EntitySignalRequested // Instance=caller ("" from a client), Name=operation, Payload
	EntityLockRequested   // Instance=orchestration, Entities, ID=position in Entities, Request
	EntityReleased        // Instance=orchestration, Request

	// Orchestration history events, continued.
	ExecutionSuspended // Payload=reason, At=when the engine took the request
	ExecutionResumed   // Payload=reason, At=when the engine took the request

	kindCount
)

var kindNames = [...]string{
	KindInvalid:               "Invalid",
	ExecutionStarted:          "ExecutionStarted",
	OrchestratorStarted:       "OrchestratorStarted",
	TaskScheduled:             "TaskScheduled",
	TaskCompleted:             "TaskCompleted",
	TaskFailed:                "TaskFailed",
	SubOrchestrationCreated:   "SubOrchestrationCreated",
	SubOrchestrationCompleted: "SubOrchestrationCompleted",
	SubOrchestrationFailed:    "SubOrchestrationFailed",
	TimerCreated:              "TimerCreated",
	TimerFired:                "TimerFired",
	EventSent:                 "EventSent",
	EventRaised:               "EventRaised",
	EntityCallSent:            "EntityCallSent",
	EntitySignalSent:          "EntitySignalSent",
	EntityLockSent:            "EntityLockSent",
	EntityUnlockSent:          "EntityUnlockSent",
	EntityResponded:           "EntityResponded",
	EntityLockGranted:         "EntityLockGranted",
	ExecutionCompleted:        "ExecutionCompleted",
	ExecutionTerminated:       "ExecutionTerminated",
	EntityCallRequested:       "EntityCallRequested",
	EntitySignalRequested:     "EntitySignalRequested",
	EntityLockRequested:       "EntityLockRequested",
	EntityReleased:            "EntityReleased",
	ExecutionSuspended:        "ExecutionSuspended",
	ExecutionResumed:          "ExecutionResumed",
}

func (k EventKind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// ParseEventKind is the inverse of EventKind.String.
func ParseEventKind(s string) (EventKind, error) {
	for k := KindInvalid + 1; k < kindCount; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return KindInvalid, fmt.Errorf("unknown event kind %q", s)
}

// IsAction reports whether events of kind k record something the
// orchestrator asked for (and must ask for again, identically, on replay).
func (k EventKind) IsAction() bool {
	switch k {
	case TaskScheduled, SubOrchestrationCreated, TimerCreated, EventSent,
		EntityCallSent, EntitySignalSent, EntityLockSent, EntityUnlockSent, ExecutionCompleted:
		return true
	}
	return false
}

// Status is the runtime status of an orchestration instance.
type Status uint8

// Runtime statuses.
const (
	StatusUnknown Status = iota
	StatusPending
	StatusRunning
	StatusCompleted
	StatusFailed
	StatusContinuedAsNew
	StatusTerminated
	// StatusSuspended: a client suspended the instance; the events it
	// receives wait until it is resumed.
	StatusSuspended
)

var statusNames = [...]string{"Unknown", "Pending", "Running", "Completed", "Failed", "ContinuedAsNew", "Terminated", "Suspended"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// ParseStatus is the inverse of Status.String.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown status %q (allowed: %v)", s, statusNames)
}

// Event is one history event or message. It is a flat value rather than one
// type per kind so that histories are slices without boxing and the encoder
// is one function; which fields a kind uses is listed at its constant.
type Event struct {
	Kind     EventKind
	Status   Status   // ExecutionCompleted
	ID       int32    // task id; position in Entities for lock requests; parent task id
	At       int64    // Unix nanoseconds: step time, timer fire time
	Name     string   // orchestrator, activity, event or operation name
	Instance string   // the other party: target, sender, child or parent instance
	Request  string   // correlation id of entity requests and critical sections
	Payload  []byte   // JSON input, output or event data
	Failure  string   // error text of a failed task, operation or execution
	Entities []string // sorted lock set of a critical section
	// Version is the orchestration's version (ExecutionStarted,
	// SubOrchestrationCreated) or the activity's (TaskScheduled).
	Version string
}

// Message is an event addressed to an instance (orchestration or entity).
// Activity work items are messages carrying TaskScheduled; timers are
// messages carrying TimerFired to be delivered at Event.At.
type Message struct {
	To    string
	Event Event
}

func (e Event) String() string {
	s := e.Kind.String()
	if e.ID != 0 || e.Kind.IsAction() {
		s += fmt.Sprintf("#%d", e.ID)
	}
	if e.Name != "" {
		s += " " + e.Name
	}
	if e.Instance != "" {
		s += " instance=" + e.Instance
	}
	if len(e.Entities) > 0 {
		s += fmt.Sprintf(" entities=%v", e.Entities)
	}
	if e.Failure != "" {
		s += fmt.Sprintf(" failure=%q", FailureText(e.Failure))
	}
	if e.Version != "" {
		s += " version=" + e.Version
	}
	return s
}
