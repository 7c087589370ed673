package workflow

import "github.com/dflab/dflab/engine/reactor"

// serviceStep is a Service's continuation: what it does with the outcome
// of a request, timer or task invocation, as data (the execution, the
// timer or task id).
type serviceStep interface {
	reactor.Cont
	step(s *Service, o reactor.Outcome)
}

// run takes a continuation's step (the Service's reactor dispatches to it).
func (s *Service) run(k serviceStep, o reactor.Outcome) { k.step(s, o) }

// frontendStep is a Frontend's continuation: what it does with the
// outcome of a request or timer, as data (the execution, the call the
// answer goes to).
type frontendStep interface {
	reactor.Cont
	step(f *Frontend, o reactor.Outcome)
}

// run takes a continuation's step (the Frontend's reactor dispatches to it).
func (f *Frontend) run(k frontendStep, o reactor.Outcome) { k.step(f, o) }
