package durable

import "context"

// ActivityContext is what an activity function gets.
type ActivityContext interface {
	// Context is cancelled when the engine shuts down.
	Context() context.Context
	// Name is the activity's registered name.
	Name() string
	// InstanceID is the id of the orchestration that scheduled the activity.
	InstanceID() string
	// TaskID is the activity's task id within that orchestration.
	TaskID() int32
	// GetInput decodes the activity's input into out.
	GetInput(out any) error
	// Version is the version the orchestration called the activity with
	// (WithVersion; by default the orchestration's own).
	Version() string
}

// NewActivityContext returns the ActivityContext executors hand to an
// activity function.
func NewActivityContext(ctx context.Context, name, instance string, taskID int32, input []byte) ActivityContext {
	return &activityContext{ctx: ctx, name: name, instance: instance, taskID: taskID, input: input}
}

// NewVersionedActivityContext is NewActivityContext for an activity
// called with a version.
func NewVersionedActivityContext(ctx context.Context, name, instance string, taskID int32, input []byte, version string) ActivityContext {
	return &activityContext{ctx: ctx, name: name, instance: instance, taskID: taskID, input: input, version: version}
}

type activityContext struct {
	ctx      context.Context
	name     string
	instance string
	taskID   int32
	input    []byte
	version  string
}

func (a *activityContext) Context() context.Context { return a.ctx }
func (a *activityContext) Name() string             { return a.name }
func (a *activityContext) InstanceID() string       { return a.instance }
func (a *activityContext) TaskID() int32            { return a.taskID }
func (a *activityContext) GetInput(out any) error   { return Unmarshal(a.input, out) }
func (a *activityContext) Version() string          { return a.version }
