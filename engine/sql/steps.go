package sql

import "github.com/dflab/dflab/engine/reactor"

// workerStep is a Worker's continuation: what it does with the outcome of
// a procedure call, timer or activity, as data (its fields are what the
// step needs: the instance, the checkpoint, the task).
type workerStep interface {
	reactor.Cont
	step(w *Worker, o reactor.Outcome)
}

// run takes a continuation's step (the Worker's reactor dispatches to it).
func (w *Worker) run(k workerStep, o reactor.Outcome) { k.step(w, o) }

// loop names one of a worker's two dispatchers.
type loop int

const (
	orchestrations loop = iota
	tasks
)

// String is what the dispatcher polls for, as its continuations print it.
func (l loop) String() string {
	if l == tasks {
		return "tasks"
	}
	return "orchestrations"
}

func (w *Worker) dispatcher(l loop) *dispatcher {
	if l == tasks {
		return &w.acts
	}
	return &w.orch
}

// poll polls a dispatcher's work.
func (w *Worker) poll(l loop) {
	if l == tasks {
		w.pollTasks()
		return
	}
	w.pollOrchestrations()
}

// clientStep is a Client's continuation: what it does with the outcome of
// a procedure call or timer, as data (the instance, the request, who the
// answer goes to).
type clientStep interface {
	reactor.Cont
	step(c *Client, o reactor.Outcome)
}

// run takes a continuation's step (the Client's reactor dispatches to it).
func (c *Client) run(k clientStep, o reactor.Outcome) { k.step(c, o) }
