package sqlconf

import (
	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

func (e *env) create(inst, exec string) port.SQLInstance {
	e.t.Helper()
	return e.must(port.SQLCreateInstance{Instance: inst, Name: "Orch", Exec: exec, Input: []byte(`"in"`),
		Start: []byte("start:" + exec), Dedupe: []string{port.SQLPending, port.SQLRunning}}).(port.SQLInstance)
}

func (e *env) query(inst string) port.SQLInstance {
	e.t.Helper()
	return e.must(port.SQLQueryInstance{Instance: inst}).(port.SQLInstance)
}

func (e *env) lockNext(owner string) port.SQLWorkItem {
	e.t.Helper()
	return e.must(port.SQLLockNextOrchestration{Owner: owner, Lock: lock, Batch: 10}).(port.SQLWorkItem)
}

func seqs(evs []port.SQLEvent) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func bodies(evs []port.SQLEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Event))
	}
	return out
}

func createQuery(e *env) {
	row := e.create("a", "x1")
	require.True(e.t, row.Found)
	require.Equal(e.t, port.SQLPending, row.Status)
	require.Equal(e.t, "x1", row.Exec)
	require.Equal(e.t, `"in"`, string(row.Input))
	require.Equal(e.t, 1, row.PendingEvents)
	require.False(e.t, e.query("nope").Found)

	r, err := e.exec(port.SQLCreateInstance{Instance: "a", Name: "Orch", Exec: "x2", Start: []byte("s"),
		Dedupe: []string{port.SQLPending, port.SQLRunning}})
	require.ErrorIs(e.t, err, port.ErrConflict, "a pending instance refuses a second start")
	require.Equal(e.t, "x1", r.(port.SQLInstance).Exec, "the error carries the existing row")

	w := e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "x1", Status: port.SQLCompleted, Output: []byte(`"out"`),
		Deleted: seqs(w.Events), History: []port.SQLHistoryRow{{Exec: "x1", Seq: 0, Event: []byte("h0")}}})
	row = e.query("a")
	require.Equal(e.t, port.SQLCompleted, row.Status)
	require.Equal(e.t, `"out"`, string(row.Output))
	require.Zero(e.t, row.LockExpires, "the checkpoint released the lock")

	row = e.create("a", "x2") // a finished instance is purged and started again
	require.Equal(e.t, port.SQLPending, row.Status)
	require.Equal(e.t, "x2", row.Exec)
	require.Empty(e.t, row.Output)
	require.Equal(e.t, 0, row.History)
	require.Equal(e.t, 1, row.PendingEvents)
}

func lockNext(e *env) {
	e.create("a", "xa")
	e.c.T += port.Millisecond
	e.create("b", "xb")
	for i := 0; i < 12; i++ {
		e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte{byte('0' + i%10)}})
	}
	_, err := e.exec(port.SQLRaiseEvent{Instance: "ghost", Event: []byte("x")})
	require.ErrorIs(e.t, err, port.ErrNotFound)

	w := e.lockNext("w1")
	require.True(e.t, w.Found)
	require.Equal(e.t, "a", w.Instance, "the instance with the oldest visible event")
	require.Len(e.t, w.Events, 10, "at most Batch events")
	require.Equal(e.t, "start:xa", string(w.Events[0].Event))
	require.Equal(e.t, 1, w.Events[0].Dequeues)
	require.Equal(e.t, e.c.T+lock, w.LockExpires)
	require.Equal(e.t, "Orch", w.Name)

	w2 := e.lockNext("w2")
	require.Equal(e.t, "b", w2.Instance, "a locked instance is skipped")
	require.False(e.t, e.lockNext("w3").Found, "nothing else has work")
	require.Equal(e.t, "w1", e.query("a").LockedBy)
}

func lockExpires(e *env) {
	e.create("a", "xa")
	w := e.lockNext("w1")
	require.True(e.t, w.Found)
	e.c.T += lock - port.Second
	require.False(e.t, e.lockNext("w2").Found, "still locked")
	e.c.T += port.Second
	w2 := e.lockNext("w2")
	require.True(e.t, w2.Found, "the lock expired: another worker takes the instance")
	require.Equal(e.t, seqs(w.Events), seqs(w2.Events), "the same events again")
	require.Equal(e.t, 2, w2.Events[0].Dequeues)
	require.Equal(e.t, "w2", e.query("a").LockedBy)
}

func checkpoint(e *env) {
	e.create("p", "xp")
	w := e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "p", Exec: "xp", Status: port.SQLRunning, Custom: []byte(`"c"`),
		Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "xp", Seq: 0, Event: []byte("h0")}, {Exec: "xp", Seq: 1, Event: []byte("h1")}},
		Events:  []port.SQLNewEvent{{Instance: "child", Exec: "xc", Event: []byte("start-child")}, {Instance: "p", Exec: "xp", Event: []byte("self")}},
		Starts:  []port.SQLStart{{Instance: "child", Name: "Child", Exec: "xc", Parent: "p", Input: []byte(`1`)}},
		Tasks:   []port.SQLNewTask{{Instance: "p", Exec: "xp", Event: []byte("task")}}})
	row := e.query("p")
	require.Equal(e.t, port.SQLRunning, row.Status)
	require.Equal(e.t, `"c"`, string(row.Custom))
	require.Equal(e.t, 2, row.History)
	require.Equal(e.t, 1, row.PendingEvents, "consumed events deleted, the new one there")
	child := e.query("child")
	require.Equal(e.t, port.SQLPending, child.Status)
	require.Equal(e.t, "p", child.Parent)
	require.Equal(e.t, "Child", child.Name)

	w = e.lockNext("w1")
	require.Equal(e.t, "child", w.Instance, "the child's start was inserted before p's own event")
	require.Equal(e.t, []string{"start-child"}, bodies(w.Events))
	require.Equal(e.t, "p", e.lockNext("w2").Instance)
}

func duplicateExecution(e *env) {
	e.create("a", "xa")
	w1 := e.lockNext("w1")
	e.c.T += lock
	w2 := e.lockNext("w2") // w1's lock expired
	cp := func(owner string, w port.SQLWorkItem) error {
		_, err := e.exec(port.SQLCheckpoint{Instance: "a", Exec: "xa", Status: port.SQLRunning, Deleted: seqs(w.Events),
			History: []port.SQLHistoryRow{{Exec: "xa", Seq: 0, Event: []byte(owner)}},
			Events:  []port.SQLNewEvent{{Instance: "other", Event: []byte("from " + owner)}},
			Tasks:   []port.SQLNewTask{{Instance: "a", Exec: "xa", Event: []byte("task " + owner)}}})
		return err
	}
	require.NoError(e.t, cp("w2", w2))
	err := cp("w1", w1)
	require.ErrorIs(e.t, err, port.ErrDuplicateExecution, "the same step committed twice")
	require.ErrorIs(e.t, err, port.ErrConflict)
	row := e.query("a")
	require.Equal(e.t, 1, row.History, "the duplicate changed nothing")
	t := e.must(port.SQLLockNextTask{Owner: "w", Lock: lock}).(port.SQLTask)
	require.Equal(e.t, "task w2", string(t.Event))
	require.False(e.t, e.must(port.SQLLockNextTask{Owner: "w", Lock: lock}).(port.SQLTask).Found, "one task, not two")
}

func continueAsNew(e *env) {
	e.create("a", "x1")
	w := e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "x1", Status: port.SQLRunning, Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "x1", Seq: 0, Event: []byte("h0")}, {Exec: "x1", Seq: 1, Event: []byte("h1")}}})
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e")})
	w = e.lockNext("w1")
	require.Len(e.t, w.History, 2)
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "x2", Status: port.SQLRunning, Input: []byte(`2`), Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "x2", Seq: 0, Event: []byte("n0")}}})
	row := e.query("a")
	require.Equal(e.t, "x2", row.Exec)
	require.Equal(e.t, 1, row.History, "the old execution's history is gone")
	require.Equal(e.t, `2`, string(row.Input))
}

func timers(e *env) {
	e.create("a", "xa")
	w := e.lockNext("w1")
	due := e.c.T + 5*port.Second
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "xa", Status: port.SQLRunning, Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "xa", Seq: 0, Event: []byte("h0")}},
		Events:  []port.SQLNewEvent{{Instance: "a", Exec: "xa", Visible: due, Event: []byte("timer")}}})
	require.False(e.t, e.lockNext("w1").Found, "the timer is not visible yet")
	e.c.T = due
	w = e.lockNext("w1")
	require.True(e.t, w.Found)
	require.Equal(e.t, []string{"timer"}, bodies(w.Events))
	require.Equal(e.t, due, w.Events[0].Visible)
}

func tasks(e *env) {
	e.create("a", "xa")
	w := e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "xa", Status: port.SQLRunning, Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "xa", Seq: 0, Event: []byte("h0")}},
		Tasks:   []port.SQLNewTask{{Instance: "a", Exec: "xa", Event: []byte("t1")}, {Instance: "a", Exec: "xa", Event: []byte("t2")}}})
	t1 := e.must(port.SQLLockNextTask{Owner: "w1", Lock: lock}).(port.SQLTask)
	t2 := e.must(port.SQLLockNextTask{Owner: "w2", Lock: lock}).(port.SQLTask)
	require.Equal(e.t, []string{"t1", "t2"}, []string{string(t1.Event), string(t2.Event)}, "in order, locked ones skipped")
	require.False(e.t, e.must(port.SQLLockNextTask{Owner: "w3", Lock: lock}).(port.SQLTask).Found)
	e.c.T += lock
	again := e.must(port.SQLLockNextTask{Owner: "w3", Lock: lock}).(port.SQLTask)
	require.Equal(e.t, t1.Seq, again.Seq, "an expired task lock: the task runs again")
	require.Equal(e.t, 2, again.Dequeues)

	done := port.SQLCompleteTasks{Seqs: []int64{t1.Seq}, Results: []port.SQLNewEvent{{Instance: "a", Exec: "xa", Event: []byte("r1")}}}
	e.must(done)
	_, err := e.exec(done)
	require.ErrorIs(e.t, err, port.ErrDuplicateExecution, "the second completion of a task is a duplicate")
	// A result for another execution is dropped, the task still deleted.
	e.must(port.SQLCompleteTasks{Seqs: []int64{t2.Seq}, Results: []port.SQLNewEvent{{Instance: "a", Exec: "old", Event: []byte("r2")}}})
	w = e.lockNext("w1")
	require.Equal(e.t, []string{"r1"}, bodies(w.Events), "one result, once")
	require.False(e.t, e.must(port.SQLLockNextTask{Owner: "w3", Lock: lock}).(port.SQLTask).Found)
}

// purgeChildren: a purge asked for them lists the instances whose parent
// the purged one was, in id order, and leaves them.
func purgeChildren(e *env) {
	e.create("p", "xp")
	w := e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "p", Exec: "xp", Status: port.SQLCompleted, Deleted: seqs(w.Events),
		Starts: []port.SQLStart{{Instance: "c2", Name: "Child", Exec: "x2", Parent: "p"}, {Instance: "c1", Name: "Child", Exec: "x1", Parent: "p"}}})
	e.create("q", "xq")
	got := e.must(port.SQLPurgeInstance{Instance: "p", Children: true}).(port.SQLInstance)
	require.Equal(e.t, []string{"c1", "c2"}, got.Children)
	require.False(e.t, e.query("p").Found)
	require.True(e.t, e.query("c1").Found, "the children are left to the caller")
	require.Nil(e.t, e.must(port.SQLPurgeInstance{Instance: "nobody", Children: true}).(port.SQLInstance).Children)
}

func raiseDiscardPurge(e *env) {
	e.create("a", "xa")
	w := e.lockNext("w1")
	_, err := e.exec(port.SQLPurgeInstance{Instance: "a"})
	require.ErrorIs(e.t, err, port.ErrConflict, "a running instance is not purged")
	e.must(port.SQLDiscardEvents{Instance: "a", Deleted: seqs(w.Events)})
	row := e.query("a")
	require.Zero(e.t, row.LockExpires, "discard releases the lock")
	require.Equal(e.t, 0, row.PendingEvents)
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e")})
	w = e.lockNext("w1")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "xa", Status: port.SQLFailed, Failure: "boom", Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "xa", Seq: 0, Event: []byte("h0")}}})
	require.Equal(e.t, "boom", e.query("a").Failure)
	got := e.must(port.SQLPurgeInstance{Instance: "a"}).(port.SQLInstance)
	require.Equal(e.t, port.SQLFailed, got.Status)
	require.False(e.t, e.query("a").Found)
	require.False(e.t, e.must(port.SQLPurgeInstance{Instance: "a"}).(port.SQLInstance).Found)
	_, err = e.exec(port.SQLCheckpoint{Instance: "a", Exec: "xa", Status: port.SQLRunning})
	require.ErrorIs(e.t, err, port.ErrNotFound)
}

// staleExecution: a worker whose lock expired read execution x1; another
// worker's step began x2 and a third's x3 meanwhile (as every entity batch
// does). The stale step's new execution must not go over x3: the
// execution it read is not the instance's, so it is a duplicate execution
// and changes nothing.
func staleExecution(e *env) {
	e.create("a", "x1")
	stale := e.lockNext("w1")
	e.c.T += lock
	w := e.lockNext("w2")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "x2", Read: "x1", Status: port.SQLRunning, Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "x2", Seq: 0, Event: []byte("s2")}}})
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e")})
	w = e.lockNext("w2")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "x3", Read: "x2", Status: port.SQLRunning, Deleted: seqs(w.Events),
		History: []port.SQLHistoryRow{{Exec: "x3", Seq: 0, Event: []byte("s3")}}})
	_, err := e.exec(port.SQLCheckpoint{Instance: "a", Exec: "x2", Read: "x1", Status: port.SQLRunning, Deleted: seqs(stale.Events),
		History: []port.SQLHistoryRow{{Exec: "x2", Seq: 0, Event: []byte("stale")}}})
	require.ErrorIs(e.t, err, port.ErrDuplicateExecution, "a step of an execution the instance left")
	row := e.query("a")
	require.Equal(e.t, "x3", row.Exec, "the stale step changed nothing")
	require.Equal(e.t, 1, row.History)
}

// raiseRetried: a client's retry of a raise that took effect (its answer
// lost) carries the same request id and inserts nothing; another request
// inserts its own event.
func raiseRetried(e *env) {
	e.create("a", "xa")
	first := e.lockNext("w")
	e.must(port.SQLCheckpoint{Instance: "a", Exec: "xa", Read: "xa", Status: port.SQLRunning, Deleted: seqs(first.Events),
		History: []port.SQLHistoryRow{{Exec: "xa", Seq: 0, Event: []byte("h0")}}})
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e1"), Request: "c.r1"})
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e1"), Request: "c.r1"})
	e.must(port.SQLRaiseEvent{Instance: "a", Event: []byte("e2"), Request: "c.r2"})
	w := e.lockNext("w")
	require.Equal(e.t, []string{"e1", "e2"}, bodies(w.Events), "the retried request's event once")
}
