package chain

import (
	"fmt"

	"github.com/dflab/dflab/engine/reactor"
)

// chainStep is a continuation of a chain core, as data: what it does with
// the outcome of a storage request, timer or function execution, or, as
// the then of another continuation, what it does next. It is a hostStep
// (the Host's), a frontStep (the Frontend's) or a baseStep (the trigger
// writes both cores make).
type chainStep interface{ reactor.Cont }

type hostStep interface {
	chainStep
	hostStep(h *Host, o reactor.Outcome)
}

type frontStep interface {
	chainStep
	frontStep(f *Frontend, o reactor.Outcome)
}

type baseStep interface {
	chainStep
	baseStep(c core, o reactor.Outcome)
}

// core is what a baseStep sees of the core that takes it.
type core interface {
	shared() *base
	// take takes a continuation's step at once (a then).
	take(k chainStep)
	// enqueued is told of every step message the core enqueued.
	enqueued(queue string)
}

// run takes a continuation's step (the Host's reactor dispatches to it).
func (h *Host) run(k chainStep, o reactor.Outcome) {
	switch k := k.(type) {
	case hostStep:
		k.hostStep(h, o)
	case baseStep:
		k.baseStep(h, o)
	default:
		panic(fmt.Sprintf("chain: host continuation %T: not a host's", k))
	}
}

func (h *Host) take(k chainStep)      { h.run(k, reactor.Outcome{}) }
func (h *Host) shared() *base         { return &h.base }
func (h *Host) enqueued(queue string) { h.wake(queue) }

// run takes a continuation's step (the Frontend's reactor dispatches to it).
func (f *Frontend) run(k chainStep, o reactor.Outcome) {
	switch k := k.(type) {
	case frontStep:
		k.frontStep(f, o)
	case baseStep:
		k.baseStep(f, o)
	default:
		panic(fmt.Sprintf("chain: frontend continuation %T: not a frontend's", k))
	}
}

func (f *Frontend) take(k chainStep) { f.run(k, reactor.Outcome{}) }
func (f *Frontend) shared() *base    { return &f.base }
func (f *Frontend) enqueued(string)  {}

// nothing is a then that does nothing.
type nothing struct{}

func (nothing) Then() reactor.Then { return reactor.Then{Step: "nothing"} }

func (nothing) baseStep(core, reactor.Outcome) {}
