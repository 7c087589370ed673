package port

import "fmt"

// Time is a point in time in nanoseconds since the Unix epoch. Under the
// simulator it is virtual time; under the real driver it is the wall clock.
// Engine code never reads a clock: it is handed Time with every Step.
type Time int64

// Common durations in Time units, so engine code need not import time for
// arithmetic on Time values.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
)

// Core is a deterministic state machine run by a driver (after etcd-io/raft's
// RawNode). The driver calls Step with each input in the order it chose,
// then Ready to collect what the core asks for, performs or schedules those
// requests, and calls Advance with the same Ready to say it has taken them.
// A core never blocks, never reads a clock, never starts a goroutine and
// never touches storage itself: the same core runs in simulation and for real.
type Core interface {
	// Step feeds one input at time now.
	Step(now Time, in Input)
	// Ready returns everything the core asks for since the last Advance.
	Ready() Ready
	// Advance acknowledges that the driver has taken rd. rd's slices stay
	// as they are until the core is stepped again, which may then reuse
	// their arrays (engine/reactor does): a driver copies what it keeps.
	Advance(rd Ready)
}

// Closer is implemented by cores that hold resources beyond plain memory,
// such as suspended orchestrator coroutines kept as cached cursors. A driver
// calls Close when it discards a core — at a simulated crash, or when the
// real driver stops — and never steps it again.
type Closer interface {
	Close()
}

// Input is what a driver feeds into Core.Step. The concrete kinds are
// Started, Completion, TimerFired, ActivityDone and ClientCall.
type Input interface{ inputKind() string }

// Started is the first input of a core's life (and of each life after a
// restart): the core begins loading its state.
type Started struct{}

// Completion reports the outcome of a storage Request.
type Completion struct {
	ID     RequestID
	Result any   // the op's result type (see each Op), nil for ops without one
	Err    error // nil on success; errors wrap the port's sentinel errors
}

// TimerFired reports that a timer the core set has come due.
type TimerFired struct {
	ID TimerID
}

// ActivityDone reports the outcome of an ActivityTask.
type ActivityDone struct {
	ID     ActivityID
	Output []byte
	Err    error // the activity's error, or a panic turned into an error
}

// ClientCall is a request from a client of the engine (start an
// orchestration, raise an event, query a status...). Req is engine-defined.
type ClientCall struct {
	ID  CallID
	Req any
}

func (Started) inputKind() string      { return "started" }
func (Completion) inputKind() string   { return "completion" }
func (TimerFired) inputKind() string   { return "timer" }
func (ActivityDone) inputKind() string { return "activity-done" }
func (ClientCall) inputKind() string   { return "client-call" }

// InputKind names an input's kind, for traces and CPU cost models.
func InputKind(in Input) string { return in.inputKind() }

// Identifiers a core chooses for the things it asks for. They need only be
// unique within one core's life.
type (
	RequestID  uint64
	TimerID    uint64
	ActivityID uint64
	CallID     uint64
)

// Ready is everything a core asks its driver for after some steps.
type Ready struct {
	// Requests are storage operations, in the order the core issued them.
	// The driver may complete them in any order unless they target the same
	// object, in which case completions follow issue order.
	Requests []Request
	// Timers are timers to set. A core ignores firings it no longer wants.
	Timers []Timer
	// Activities are activity executions to run (at least once).
	Activities []ActivityTask
	// Responses answer ClientCalls.
	Responses []Response
	// Work is CPU work the core did in the steps since the last Advance,
	// by kind, for the simulator's CPU model. The real driver ignores it.
	Work []Work
	// Health reports the units whose state changed (see Health); drivers
	// keep the latest per unit. It asks the driver for nothing.
	Health []Health
}

// Empty reports whether rd asks for nothing.
func (rd *Ready) Empty() bool {
	return len(rd.Requests) == 0 && len(rd.Timers) == 0 && len(rd.Activities) == 0 &&
		len(rd.Responses) == 0 && len(rd.Work) == 0
}

// Mark names a position in a durable log: Log is the log's name (for example
// "np03/commit") and Pos a byte or record position in it.
type Mark struct {
	Log string
	Pos int64
}

// IsZero reports whether m names no position.
func (m Mark) IsZero() bool { return m.Log == "" }

func (m Mark) String() string {
	if m.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s@%d", m.Log, m.Pos)
}

// Request is one storage operation with its ordering marks. The marks are
// data so that a checker can verify the outbox rule: a request with Needs
// set must not be issued before some completed request with Makes on the same
// log at a position >= Needs.Pos.
type Request struct {
	ID    RequestID
	Op    Op
	Needs Mark // this request may be issued only once Needs is durable
	Makes Mark // once this request completes, Makes is durable
}

// Timer asks for a TimerFired at or after At.
type Timer struct {
	ID TimerID
	At Time
}

// ActivityTask asks the driver to run an activity. Run executes the user's
// function (panics already turned into errors); Name and Input let the
// simulator's cost model charge the right CPU time.
type ActivityTask struct {
	ID    ActivityID
	Name  string
	Input []byte
	Run   func() ([]byte, error)
}

// Response answers a ClientCall.
type Response struct {
	ID   CallID
	Resp any
	Err  error
}

// Work is CPU work of one kind (for example "orchestration-step") done N
// times, charged by the simulator's cost model.
type Work struct {
	Kind string
	N    int
}
