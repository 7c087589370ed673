package sql

import (
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// hubReactor is the cores' reactor (engine/reactor) with the task hub
// their procedure calls name.
type hubReactor struct {
	reactor.Funcs
	hub string
}

func newHubReactor(hub string) hubReactor {
	return hubReactor{Funcs: reactor.NewFuncs(reactor.PerKind), hub: hub}
}

// call issues one procedure call; do runs with its completion.
func (r *hubReactor) call(p port.Proc, step, about string, do func(port.Completion)) {
	r.Issue(port.SQLCall{Hub: r.hub, Proc: p}, step, about, do)
}
