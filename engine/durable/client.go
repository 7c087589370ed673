package durable

import (
	"context"
	"time"
)

// Client is how programs outside the engine start and observe work. Both
// engines implement it. Inputs are Go values encoded as JSON, except that
// a []byte or json.RawMessage input is the JSON itself, passed through
// unchanged (see ClientPayload).
type Client interface {
	// Start starts an orchestration and returns its instance id. A start
	// under the id of an unfinished instance follows the StartReuse policy
	// (default: ErrInstanceExists); a finished id starts a new execution.
	Start(ctx context.Context, name string, input any, opts ...StartOption) (string, error)
	// RaiseEvent delivers an external event to an orchestration instance.
	RaiseEvent(ctx context.Context, instance, name string, data any) error
	// SignalEntity sends a one-way operation to an entity.
	SignalEntity(ctx context.Context, id EntityID, operation string, input any) error
	// Status returns the instance's current status (ErrUnknownInstance
	// for an id never started or purged).
	Status(ctx context.Context, instance string) (InstanceStatus, error)
	// Wait blocks until the instance completes, fails or is terminated;
	// for an id never started (or purged) it returns ErrUnknownInstance at
	// once.
	Wait(ctx context.Context, instance string) (InstanceStatus, error)
	// WaitForStart blocks until the instance is no longer Pending (it
	// runs, or has already finished); ErrUnknownInstance for an id never
	// started.
	WaitForStart(ctx context.Context, instance string) (InstanceStatus, error)
	// Terminate ends a running instance and, unless TerminateOnlyThis is
	// given, its running sub-orchestrations, recursively.
	Terminate(ctx context.Context, instance, reason string, opts ...TerminateOption) error
	// Suspend pauses a running instance: it is Suspended, and what it
	// receives (events, activity results, timers) waits until Resume. A
	// suspended instance can still be terminated.
	Suspend(ctx context.Context, instance, reason string) error
	// Resume lets a suspended instance go on with what it received.
	Resume(ctx context.Context, instance, reason string) error
	// QueryInstances lists the orchestration instances q selects, a page
	// at a time (pass the page's ContinuationToken for the next).
	QueryInstances(ctx context.Context, q InstanceQuery) (InstancePage, error)
	// PurgeInstances purges every finished instance q selects (its
	// Statuses narrowed to the finished ones), each as Purge does, and
	// returns how many instances it purged, sub-orchestrations included.
	PurgeInstances(ctx context.Context, q InstanceQuery, opts ...PurgeOption) (int, error)
	// Purge deletes a finished instance's history and status
	// (ErrNotFinished while it is pending or running, ErrUnknownInstance
	// for an unknown id) and, unless PurgeOnlyThis is given, those of its
	// finished sub-orchestrations, recursively (a sub-orchestration still
	// running, or already purged, is left as it is).
	Purge(ctx context.Context, instance string, opts ...PurgeOption) error
}

// PurgeOption configures Client.Purge and Client.PurgeInstances.
type PurgeOption func(*ClientRequest)

// PurgeOnlyThis leaves the instance's sub-orchestrations unpurged.
func PurgeOnlyThis() PurgeOption { return func(r *ClientRequest) { r.OnlyThis = true } }

// TerminateOption configures Client.Terminate.
type TerminateOption func(*ClientRequest)

// TerminateOnlyThis leaves the instance's sub-orchestrations running.
func TerminateOnlyThis() TerminateOption { return func(r *ClientRequest) { r.OnlyThis = true } }

// StartOption configures Client.Start.
type StartOption func(*StartOptions)

// StartOptions are the resolved options of Client.Start.
type StartOptions struct {
	InstanceID string
	StartAt    time.Time
	Reuse      ReusePolicy
	Version    string
}

// StartVersion sets the orchestration's version, which its code reads
// with OrchestrationContext.Version (and its activities and
// sub-orchestrations inherit unless a call sets another).
func StartVersion(v string) StartOption { return func(o *StartOptions) { o.Version = v } }

// StartWithID sets the new instance's id (default: a generated one).
func StartWithID(id string) StartOption { return func(o *StartOptions) { o.InstanceID = id } }

// StartReuse sets what the start does when the id names an instance that
// is not finished (default ReuseError: the start fails with
// ErrInstanceExists).
func StartReuse(p ReusePolicy) StartOption { return func(o *StartOptions) { o.Reuse = p } }

// StartAt delays the start until t.
func StartAt(t time.Time) StartOption { return func(o *StartOptions) { o.StartAt = t } }

// ResolveStartOptions applies opts.
func ResolveStartOptions(opts []StartOption) StartOptions {
	var o StartOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// InstanceStatus is the observable state of an orchestration instance.
type InstanceStatus struct {
	InstanceID   string `json:"instanceId"`
	Name         string `json:"name"`
	Status       Status `json:"status"`
	Input        []byte `json:"input,omitempty"`
	Output       []byte `json:"output,omitempty"`
	CustomStatus []byte `json:"customStatus,omitempty"`
	// Failure is the failure's message; FailureDetails has its type,
	// stack, inner failure and whether it is retriable.
	Failure        string          `json:"failure,omitempty"`
	FailureDetails *FailureDetails `json:"failureDetails,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
}

// WithFailure sets the status's Failure and FailureDetails from an
// Event's Failure field (an encoded FailureDetails or a plain text).
func (s InstanceStatus) WithFailure(failure string) InstanceStatus {
	s.FailureDetails = DecodeFailure(failure)
	s.Failure = ""
	if s.FailureDetails != nil {
		s.Failure = s.FailureDetails.Message
	}
	return s
}

// Done reports whether the instance has finished for good.
func (s InstanceStatus) Done() bool {
	return s.Status == StatusCompleted || s.Status == StatusFailed || s.Status == StatusTerminated
}
