package durable

import (
	"fmt"
	"slices"
)

// RequestKind names what a client asks an engine for. Both engines accept
// the same requests (carried in port.ClientCall.Req) so that a load
// generator or the harness drives either one unchanged.
type RequestKind uint8

// Client request kinds.
const (
	RequestStart     RequestKind = iota + 1 // Instance, Name, Payload=input
	RequestRaise                            // Instance, Name=event, Payload
	RequestSignal                           // Instance=entity id, Name=operation, Payload
	RequestStatus                           // Instance (for an entity id: Status.Output = its state)
	RequestWait                             // Instance: answered when the instance is done
	RequestTerminate                        // Instance, Payload=reason
	RequestPurge                            // Instance
	RequestSuspend                          // Instance, Payload=reason
	RequestResume                           // Instance, Payload=reason
	RequestQuery                            // Payload=InstanceQuery (JSON); no Instance

	// RequestLast is the highest request kind (for range checks).
	RequestLast = RequestQuery
)

var requestNames = [...]string{"", "start", "raise", "signal", "status", "wait", "terminate", "purge", "suspend", "resume", "query"}

func (k RequestKind) String() string {
	if int(k) < len(requestNames) && k > 0 {
		return requestNames[k]
	}
	return fmt.Sprintf("RequestKind(%d)", uint8(k))
}

// ClientRequest is one client request.
type ClientRequest struct {
	Kind     RequestKind
	Instance string
	Name     string
	Payload  []byte
	// Reuse is a start's policy for an id whose instance is not finished.
	Reuse ReusePolicy
	// Version is a start's orchestration version.
	Version string
	// StartAt, when set, is a scheduled start's time (Unix ns): the
	// instance is Pending until then.
	StartAt int64
	// OnlyThis makes a terminate leave the instance's sub-orchestrations
	// running, and a purge leave them unpurged (by default they are
	// terminated, or purged, too, recursively).
	OnlyThis bool
}

// TerminateOnlyThisID is the ID of an ExecutionTerminated event that does
// not terminate the instance's sub-orchestrations.
const TerminateOnlyThisID = 1

// TerminateEvent is the ExecutionTerminated event a terminate request
// delivers to its instance.
func TerminateEvent(req ClientRequest) Event {
	e := Event{Kind: ExecutionTerminated, Payload: req.Payload}
	if req.OnlyThis {
		e.ID = TerminateOnlyThisID
	}
	return e
}

// LifecycleEvent is the ExecutionSuspended or ExecutionResumed event a
// suspend or resume request delivers, stamped with the time the engine
// took the request (now, Unix ns): an executor ignores one older than the
// last it applied, so a suspend redelivered, or overtaken by its resume,
// after the resume does not suspend the instance again.
func LifecycleEvent(req ClientRequest, now int64) Event {
	k := ExecutionResumed
	if req.Kind == RequestSuspend {
		k = ExecutionSuspended
	}
	return Event{Kind: k, Payload: req.Payload, At: now}
}

// StartTimerID is the task id of the TimerFired that a scheduled start
// (an ExecutionStarted whose At is later than the step applying it) waits
// for: the instance is Pending until it fires.
const StartTimerID = -1

// StartEvent is the ExecutionStarted event a start request delivers.
func StartEvent(req ClientRequest) Event {
	return Event{Kind: ExecutionStarted, Name: req.Name, Payload: req.Payload, Version: req.Version, At: req.StartAt}
}

// ReusePolicy is what a start does when an instance with the id exists
// and is not finished (Pending or Running). A finished id is always
// started anew, as a new execution.
type ReusePolicy uint8

// Reuse policies.
const (
	// ReuseError refuses the start with ErrInstanceExists (the default).
	ReuseError ReusePolicy = iota
	// ReuseIgnore leaves the instance as it is and reports its status.
	ReuseIgnore
	// ReuseTerminate terminates the instance, then starts the new one.
	ReuseTerminate
	reuseCount
)

var reuseNames = [...]string{"error", "ignore", "terminate"}

func (p ReusePolicy) String() string {
	if p < reuseCount {
		return reuseNames[p]
	}
	return fmt.Sprintf("ReusePolicy(%d)", uint8(p))
}

// Validate reports a policy outside the allowed ones.
func (p ReusePolicy) Validate() error {
	if p >= reuseCount {
		return fmt.Errorf("start reuse policy %d: allowed error, ignore, terminate", uint8(p))
	}
	return nil
}

// ClientResponse answers a ClientRequest: the instance's status for
// status, wait and start (Pending or Running once accepted), nothing else
// for the one-way requests. Found is false when the instance is unknown.
// A status request for an entity id answers with the entity's state as
// Status.Output (Found false when it has no state), so oracles can read
// entity states through any engine.
type ClientResponse struct {
	Found  bool
	Status InstanceStatus
	// Page answers a RequestQuery.
	Page *InstancePage
	// Refused, when set, says the engine refused the request; the client
	// core answers with Refused.Err.
	Refused Refusal
	// Purged answers a RequestPurge: how many instances it purged (the
	// instance and the sub-orchestrations it purged with it).
	Purged int
}

// SubOrchestrations returns the ids of the sub-orchestrations a history
// created, in the order of their first creation (a child id created
// again, e.g. by a retry, is listed once). A recursive purge purges them.
func SubOrchestrations(history []Event) []string {
	var ids []string
	for i := range history {
		if e := &history[i]; e.Kind == SubOrchestrationCreated && e.Instance != "" && !slices.Contains(ids, e.Instance) {
			ids = append(ids, e.Instance)
		}
	}
	return ids
}
