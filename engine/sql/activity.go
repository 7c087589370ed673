package sql

import (
	"context"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
	"github.com/dflab/dflab/engine/replay"
)

// runTask runs a locked activity task, then CompleteTasks puts its result
// in the instance's NewEvents and deletes the task in one transaction.
func (w *Worker) runTask(t port.SQLTask) {
	ev, _, err := durable.DecodeEvent(t.Event)
	if err != nil || ev.Kind != durable.TaskScheduled {
		// A row no worker can run: answer it as failed so the
		// orchestration does not wait forever.
		ev = durable.Event{Kind: durable.TaskScheduled, ID: ev.ID, Name: ev.Name}
		w.complete(t, durable.Event{Kind: durable.TaskFailed, ID: ev.ID,
			Failure: fmt.Sprintf("sql: task %d of %s: undecodable TaskScheduled row: %v", t.Seq, t.Instance, err)})
		return
	}
	w.stats.Activities++
	reg, m := w.reg, durable.Message{To: t.Instance, Event: ev}
	run := func() ([]byte, error) {
		reply := replay.RunActivity(context.Background(), reg, m)
		return durable.AppendEvent(nil, &reply.Event), nil
	}
	w.Run(ev.Name, ev.Payload, run, taskDone{task: t, id: ev.ID, name: ev.Name})
}

// taskDone: the activity of a locked task (its TaskScheduled's id and
// name) returned: complete the task with its result.
type taskDone struct {
	task port.SQLTask
	id   int32
	name string
}

func (k taskDone) Then() reactor.Then { return reactor.Then{Step: "task-done", About: k.task.Instance} }

func (k taskDone) step(w *Worker, o reactor.Outcome) {
	d := o.Done
	res, _, err := durable.DecodeEvent(d.Output)
	if d.Err != nil || err != nil {
		res = durable.Event{Kind: durable.TaskFailed, ID: k.id,
			Failure: fmt.Sprintf("activity %q: %v", k.name, errors.Join(d.Err, err))}
	}
	w.complete(k.task, res)
}

func (w *Worker) complete(t port.SQLTask, res durable.Event) {
	p := port.SQLCompleteTasks{Seqs: []int64{t.Seq},
		Results: []port.SQLNewEvent{{Instance: t.Instance, Exec: t.Exec, Event: durable.AppendEvent(nil, &res)}}}
	w.call(p, tasksCompleted{instance: t.Instance})
}

// tasksCompleted: a task's result is in its instance's NewEvents (or the
// call failed): the activity slot is free.
type tasksCompleted struct{ instance string }

func (k tasksCompleted) Then() reactor.Then {
	return reactor.Then{Step: "tasks-completed", About: k.instance}
}

func (tasksCompleted) step(w *Worker, o reactor.Outcome) {
	switch c := o.Completion; {
	case c.Err == nil:
		w.wake(orchestrations)
	case errors.Is(c.Err, port.ErrDuplicateExecution):
		w.stats.Duplicates++
	default:
		// Abandoned: the task's lock expires and it runs again.
		w.stats.Abandoned++
	}
	w.acts.busy--
	w.pollTasks()
}
