package port

import (
	"context"
	"fmt"
)

// Relational is the relational port: a database that runs stored
// procedures, each one transaction (the SQL engine's storage, after
// DurableTask.SQLServer). A procedure is a typed value (the SQL* types
// below); Exec returns its typed result. Backends: an in-memory model with
// row locks in simulation, PostgreSQL for real.
type Relational interface {
	Exec(ctx context.Context, hub string, p Proc) (any, error)
}

// Proc is one stored-procedure call with its typed parameters.
type Proc interface {
	// ProcName names the procedure ("lock-next-orchestration"); the op
	// kind is "sql-" + ProcName.
	ProcName() string
	// ProcBytes is the size of the parameters the call carries.
	ProcBytes() int
	// ProcTarget names what the call acts on within the task hub: an
	// instance id, or ":orchestrations", ":tasks" or ":schema".
	ProcTarget() string
}

// SQLCall is a procedure call as a storage op ("sql-<proc>"); its result is
// the procedure's result type (see each SQL* type).
type SQLCall struct {
	Hub  string
	Proc Proc
}

// Kind implements Op.
func (o SQLCall) Kind() OpKind {
	switch o.Proc.(type) { // this package's procedures: a constant, no concatenation per call
	case nil:
		return "sql-nil"
	case SQLCreateSchema, *SQLCreateSchema:
		return "sql-" + procCreateSchema
	case SQLCreateInstance, *SQLCreateInstance:
		return "sql-" + procCreateInstance
	case SQLRaiseEvent, *SQLRaiseEvent:
		return "sql-" + procRaiseEvent
	case SQLLockNextOrchestration, *SQLLockNextOrchestration:
		return "sql-" + procLockNextOrchestration
	case SQLCheckpoint, *SQLCheckpoint:
		return "sql-" + procCheckpoint
	case SQLLockNextTask, *SQLLockNextTask:
		return "sql-" + procLockNextTask
	case SQLDiscardEvents, *SQLDiscardEvents:
		return "sql-" + procDiscardEvents
	case SQLCompleteTasks, *SQLCompleteTasks:
		return "sql-" + procCompleteTasks
	case SQLQueryInstance, *SQLQueryInstance:
		return "sql-" + procQueryInstance
	case SQLPurgeInstance, *SQLPurgeInstance:
		return "sql-" + procPurgeInstance
	case SQLQueryInstances, *SQLQueryInstances:
		return "sql-" + procQueryInstances
	}
	return OpKind("sql-" + o.Proc.ProcName())
}

// The names of this package's procedures.
const (
	procCreateSchema          = "create-schema"
	procCreateInstance        = "create-instance"
	procRaiseEvent            = "raise-event"
	procLockNextOrchestration = "lock-next-orchestration"
	procCheckpoint            = "checkpoint-orchestration"
	procLockNextTask          = "lock-next-task"
	procDiscardEvents         = "discard-events"
	procCompleteTasks         = "complete-tasks"
	procQueryInstance         = "query-instance"
	procPurgeInstance         = "purge-instance"
	procQueryInstances        = "query-instances"
)

// Bytes implements Op.
func (o SQLCall) Bytes() int {
	if o.Proc == nil {
		return 0
	}
	return o.Proc.ProcBytes()
}

// Target implements Op: the instance a procedure acts on
// ("sql/<hub>/<instance>"), or the queue a lock-next call scans
// ("sql/<hub>/:orchestrations", "sql/<hub>/:tasks"). Transactions on
// different connections complete in any order; only calls on one instance
// keep their issue order.
func (o SQLCall) Target() string {
	if o.Proc == nil {
		return "sql/" + o.Hub + "/:schema"
	}
	return "sql/" + o.Hub + "/" + o.Proc.ProcTarget()
}

// AppendTarget implements TargetAppender: the bytes of Target.
func (o SQLCall) AppendTarget(dst []byte) []byte {
	dst = append(append(append(dst, "sql/"...), o.Hub...), '/')
	if o.Proc == nil {
		return append(dst, ":schema"...)
	}
	return append(dst, o.Proc.ProcTarget()...)
}

// Apply implements Op.
func (o SQLCall) Apply(ctx context.Context, s *Stores) (any, error) {
	if s.SQL == nil {
		return nil, noStore(o.Kind(), "SQL")
	}
	if o.Proc == nil {
		return nil, BadRequest("SQLCall.Proc", "nil", "a procedure value")
	}
	return s.SQL.Exec(ctx, o.Hub, o.Proc)
}

// ErrDuplicateExecution: a checkpoint's history insert hit the primary key
// (another worker ran the same step after this one's lock expired), or a
// task completion found its task gone (another worker completed it). The
// transaction changed nothing. It wraps ErrConflict.
var ErrDuplicateExecution = fmt.Errorf("duplicate execution: %w", ErrConflict)

// ErrNoSchema: the task hub's schema has not been created (run
// SQLCreateSchema first).
var ErrNoSchema = fmt.Errorf("schema missing: %w", ErrNotFound)

// Runtime statuses stored in the Instances table (the provider's names).
const (
	SQLPending        = "Pending"
	SQLRunning        = "Running"
	SQLCompleted      = "Completed"
	SQLFailed         = "Failed"
	SQLTerminated     = "Terminated"
	SQLContinuedAsNew = "ContinuedAsNew"
	// SQLSuspended: a client suspended the instance; it runs on (its
	// tasks complete, its events wait in the executor) once resumed.
	SQLSuspended = "Suspended"
)

// SQLActive reports whether an instance in status takes task results: its
// execution runs, or is suspended.
func SQLActive(status string) bool { return status == SQLRunning || status == SQLSuspended }

// SQLEntityName returns the entity name of an entity instance id
// ("@name@key") and whether id is one.
func SQLEntityName(id string) (string, bool) {
	if len(id) < 3 || id[0] != '@' {
		return "", false
	}
	for i := 2; i < len(id); i++ {
		if id[i] == '@' {
			return id[1:i], true
		}
	}
	return "", false
}

// SQLDone reports whether a runtime status is terminal.
func SQLDone(status string) bool {
	return status == SQLCompleted || status == SQLFailed || status == SQLTerminated
}

// SQLNewEvent is a row to insert into NewEvents (an instance's inbox).
type SQLNewEvent struct {
	Instance string
	Exec     string // execution the event is for ("": any)
	Visible  Time   // not visible before (0: at once)
	Event    []byte // the encoded event
}

// SQLEvent is a NewEvents row read back.
type SQLEvent struct {
	Seq      int64 // the table's identity column
	Exec     string
	Visible  Time
	Dequeues int
	Event    []byte
}

// SQLHistoryRow is a History row: primary key (hub, instance, exec, seq).
type SQLHistoryRow struct {
	Exec  string
	Seq   int
	Event []byte
}

// SQLNewTask is a row to insert into NewTasks (the activity queue).
type SQLNewTask struct {
	Instance string
	Exec     string
	Event    []byte // the encoded TaskScheduled
}

// SQLCreateSchema creates the task hub's tables if missing; result nil.
type SQLCreateSchema struct{}

// SQLCreateInstance inserts an instance as Pending with its
// ExecutionStarted event, unless it exists and its status is in Dedupe
// (ErrConflict, result the existing row); a finished instance is purged
// first. Result: SQLInstance (the row as inserted).
type SQLCreateInstance struct {
	Instance, Name, Exec string
	Input                []byte
	Start                []byte // the encoded ExecutionStarted
	Dedupe               []string
}

// SQLRaiseEvent inserts an event for an existing instance (ErrNotFound
// otherwise); an entity id ("@name@key", SQLEntityName) without an
// instance gets one, as the provider auto-starts entities. A call whose
// Request id the instance has seen before inserts nothing (a client's
// retry of a call that took effect but whose answer was lost). Result:
// nil.
type SQLRaiseEvent struct {
	Instance string
	Event    []byte
	// Request identifies the client's call ("": not deduplicated).
	Request string
}

// SQLLockNextOrchestration locks the first instance with a visible event
// whose lock is free or expired (skipping rows other transactions hold),
// sets its lock to Owner until now+Lock, and returns up to Batch of its
// visible events and its full history. Result: SQLWorkItem (Found false
// when no instance has work).
type SQLLockNextOrchestration struct {
	Owner string
	Lock  Time
	Batch int
}

// SQLWorkItem is a locked orchestration instance.
type SQLWorkItem struct {
	Found    bool
	Instance string
	Name     string
	Exec     string
	Status   string
	Events   []SQLEvent
	History  []SQLHistoryRow
	// LockExpires is when the lock taken expires (the database's clock).
	LockExpires Time
}

// SQLCheckpoint commits an orchestration step in one transaction: a new
// Exec (ContinueAsNew, or a restart) deletes the old history; it updates
// the instance (status, payloads) and releases its lock, creates missing
// instances for outgoing sub-orchestration starts, inserts the outgoing
// events, deletes the consumed ones, inserts the new history (a primary-key
// violation is ErrDuplicateExecution and rolls everything back) and inserts
// the new tasks. Result: nil.
type SQLCheckpoint struct {
	Instance, Exec string
	// Read is the execution the step read (the work item's Exec; "": not
	// checked). An instance whose execution is no longer Read moved on
	// under a stolen lock (another worker's step began a new execution, as
	// every entity batch does): the step is ErrDuplicateExecution, as a
	// History key violation is, instead of a new execution over it.
	Read    string
	Status  string
	Input   []byte // set on an execution's first step
	Output  []byte
	Custom  []byte
	Failure string
	Deleted []int64
	History []SQLHistoryRow
	Events  []SQLNewEvent
	Starts  []SQLStart // sub-orchestration instances to create if missing
	Tasks   []SQLNewTask
	// KeepLock leaves the lock in place (a step that did nothing).
	KeepLock bool
}

// SQLDiscardEvents deletes consumed events that changed nothing (for a
// finished instance, or stale ones) and releases the instance's lock (the
// provider's _DiscardEventsAndUnlockInstance). Result: nil.
type SQLDiscardEvents struct {
	Instance string
	Deleted  []int64
}

// SQLStart names an instance a checkpoint creates as Pending if missing.
type SQLStart struct {
	Instance, Name, Exec, Parent string
	Input                        []byte
}

// SQLLockNextTask locks the first task whose lock is free or expired
// (skipping locked rows), adds one to its dequeue count and returns it.
// Result: SQLTask (Found false when none).
type SQLLockNextTask struct {
	Owner string
	Lock  Time
}

// SQLTask is a locked NewTasks row.
type SQLTask struct {
	Found    bool
	Seq      int64
	Instance string
	Exec     string
	Dequeues int
	Event    []byte
}

// SQLCompleteTasks inserts activity results into NewEvents (only for
// instances whose execution is still running) and deletes the tasks; a task
// already gone is ErrDuplicateExecution and rolls everything back. Result:
// nil.
type SQLCompleteTasks struct {
	Seqs    []int64
	Results []SQLNewEvent
}

// SQLQueryInstance reads an instance row. Result: SQLInstance.
type SQLQueryInstance struct{ Instance string }

// SQLQueryInstances lists orchestration instances (not entities) in
// instance-id order (bytewise), after After, with a status among
// Statuses (none: any), a name starting with NamePrefix and a creation
// time in [CreatedFrom, CreatedTo) (0: unbounded), at most Limit of them
// (1..1001). Result: []SQLInstance.
type SQLQueryInstances struct {
	After                  string
	Statuses               []string
	NamePrefix             string
	CreatedFrom, CreatedTo Time
	Limit                  int
}

// SQLInstance is an Instances row with its payloads.
type SQLInstance struct {
	Found                  bool
	Instance, Name, Exec   string
	Status                 string
	Input, Output, Custom  []byte
	Failure                string
	Created, Updated       Time
	LockedBy               string
	LockExpires            Time
	Parent                 string
	PendingEvents, History int
	// Children answers SQLPurgeInstance{Children: true}.
	Children []string
}

// SQLPurgeInstance deletes a finished instance's rows (history, payloads,
// events, the instance); a running one is ErrConflict. Result: SQLInstance
// (the row deleted; Found false if there was none), with Children, if
// asked, the ids of the instances whose Parent it is, in bytewise order
// (a recursive purge purges them next).
type SQLPurgeInstance struct {
	Instance string
	Children bool
}

// ProcName implements Proc.
func (SQLCreateSchema) ProcName() string          { return procCreateSchema }
func (SQLCreateInstance) ProcName() string        { return procCreateInstance }
func (SQLRaiseEvent) ProcName() string            { return procRaiseEvent }
func (SQLLockNextOrchestration) ProcName() string { return procLockNextOrchestration }
func (SQLCheckpoint) ProcName() string            { return procCheckpoint }
func (SQLLockNextTask) ProcName() string          { return procLockNextTask }
func (SQLDiscardEvents) ProcName() string         { return procDiscardEvents }
func (SQLCompleteTasks) ProcName() string         { return procCompleteTasks }
func (SQLQueryInstance) ProcName() string         { return procQueryInstance }
func (SQLPurgeInstance) ProcName() string         { return procPurgeInstance }
func (SQLQueryInstances) ProcName() string        { return procQueryInstances }

// ProcTarget implements Proc.
func (SQLCreateSchema) ProcTarget() string          { return ":schema" }
func (p SQLCreateInstance) ProcTarget() string      { return p.Instance }
func (p SQLRaiseEvent) ProcTarget() string          { return p.Instance }
func (SQLLockNextOrchestration) ProcTarget() string { return ":orchestrations" }
func (p SQLCheckpoint) ProcTarget() string          { return p.Instance }
func (SQLLockNextTask) ProcTarget() string          { return ":tasks" }
func (p SQLDiscardEvents) ProcTarget() string       { return p.Instance }
func (p SQLQueryInstance) ProcTarget() string       { return p.Instance }
func (p SQLPurgeInstance) ProcTarget() string       { return p.Instance }
func (SQLQueryInstances) ProcTarget() string        { return ":instances" }

// ProcTarget implements Proc: the first result's instance (":tasks" for
// none).
func (p SQLCompleteTasks) ProcTarget() string {
	if len(p.Results) > 0 {
		return p.Results[0].Instance
	}
	return ":tasks"
}

// ProcBytes implements Proc.
func (SQLCreateSchema) ProcBytes() int { return 0 }
func (p SQLCreateInstance) ProcBytes() int {
	return len(p.Instance) + len(p.Name) + len(p.Input) + len(p.Start)
}
func (p SQLRaiseEvent) ProcBytes() int          { return len(p.Instance) + len(p.Event) }
func (SQLLockNextOrchestration) ProcBytes() int { return 0 }
func (p SQLCheckpoint) ProcBytes() int {
	n := len(p.Instance) + len(p.Input) + len(p.Output) + len(p.Custom) + len(p.Failure) + 8*len(p.Deleted)
	for _, h := range p.History {
		n += len(h.Event) + 8
	}
	for _, e := range p.Events {
		n += len(e.Event) + len(e.Instance)
	}
	for _, s := range p.Starts {
		n += len(s.Instance) + len(s.Input)
	}
	for _, t := range p.Tasks {
		n += len(t.Event) + len(t.Instance)
	}
	return n
}
func (SQLLockNextTask) ProcBytes() int    { return 0 }
func (p SQLDiscardEvents) ProcBytes() int { return len(p.Instance) + 8*len(p.Deleted) }
func (p SQLCompleteTasks) ProcBytes() int {
	n := 8 * len(p.Seqs)
	for _, e := range p.Results {
		n += len(e.Event) + len(e.Instance)
	}
	return n
}
func (p SQLQueryInstance) ProcBytes() int  { return len(p.Instance) }
func (p SQLPurgeInstance) ProcBytes() int  { return len(p.Instance) }
func (p SQLQueryInstances) ProcBytes() int { return len(p.After) + len(p.NamePrefix) + 16 }

// SQLProcs are the procedures' names, sorted (op kinds "sql-<name>").
var sqlProcs = []Proc{SQLCheckpoint{}, SQLCompleteTasks{}, SQLCreateInstance{}, SQLCreateSchema{}, SQLDiscardEvents{},
	SQLLockNextOrchestration{}, SQLLockNextTask{}, SQLPurgeInstance{}, SQLQueryInstance{}, SQLQueryInstances{}, SQLRaiseEvent{}}
