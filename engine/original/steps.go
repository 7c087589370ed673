package original

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// origStep is a continuation of an original-engine core, as data: what it
// does with the outcome of a storage request, timer or activity. It is a
// workerStep (the Worker's), a clientStep (the Client's) or a hubStep (the
// queue, table and blob work of hubIO both cores do).
type origStep interface{ reactor.Cont }

type workerStep interface {
	origStep
	workerStep(w *Worker, o reactor.Outcome)
}

type clientStep interface {
	origStep
	clientStep(c *Client, o reactor.Outcome)
}

type hubStep interface {
	origStep
	hubStep(c core, o reactor.Outcome)
}

// core is what hubIO's continuations see of the core that takes them.
type core interface {
	hub() *hubIO
	// enqueuedTo is told of every message the core enqueued.
	enqueuedTo(queue string)
}

// What hubIO's work hands its outcome to, once the requests it took are
// in: each is a value of the caller's (data, like the continuations).
type (
	errTo  interface{ gotErr(c core, err error) }
	etagTo interface {
		gotEtag(c core, etag string, err error)
	}
	rowTo interface {
		gotRow(c core, row instanceRow, found bool, err error)
	}
	historyTo interface {
		gotHistory(c core, h history, err error)
	}
	entityTo interface {
		gotEntity(c core, row entityRow, err error)
	}
	receivedTo interface{ gotReceived(c core, rs []received) }
)

// errFanIn gathers the outcomes of parts of one piece of work: then gets
// the first error once the last part is in.
type errFanIn struct {
	left  int
	first error
	then  errTo
}

func (g *errFanIn) gotErr(c core, err error) {
	if err != nil && g.first == nil {
		g.first = err
	}
	if g.left--; g.left == 0 {
		g.then.gotErr(c, g.first)
	}
}

// run takes a continuation's step (the Worker's reactor dispatches to it).
func (w *Worker) run(k origStep, o reactor.Outcome) {
	switch k := k.(type) {
	case workerStep:
		k.workerStep(w, o)
	case hubStep:
		k.hubStep(w, o)
	default:
		panic(fmt.Sprintf("original: worker continuation %T: not a worker's", k))
	}
}

// all issues ops at once for k, or takes k at once if there are none.
func (w *Worker) all(ops []port.Op, k workerStep) {
	if !w.All(ops, k) {
		k.workerStep(w, reactor.Outcome{})
	}
}

func (w *Worker) hub() *hubIO             { return &w.hubIO }
func (w *Worker) enqueuedTo(queue string) { w.wake(queue) }

// worker is the Worker a worker's own receiver is handed as a core.
func worker(c core) *Worker { return c.(*Worker) }

// run takes a continuation's step (the Client's reactor dispatches to it).
func (c *Client) run(k origStep, o reactor.Outcome) {
	switch k := k.(type) {
	case clientStep:
		k.clientStep(c, o)
	case hubStep:
		k.hubStep(c, o)
	default:
		panic(fmt.Sprintf("original: client continuation %T: not a client's", k))
	}
}

func (c *Client) hub() *hubIO       { return &c.hubIO }
func (c *Client) enqueuedTo(string) {}

// client is the Client a client's own receiver is handed as a core.
func client(c core) *Client { return c.(*Client) }
