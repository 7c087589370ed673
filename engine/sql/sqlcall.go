package sql

import (
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// hubReactor is the cores' reactor (engine/reactor) with the task hub
// their procedure calls name; K is the core's continuation type.
type hubReactor[K reactor.Cont] struct {
	reactor.Reactor[K]
	hub string
}

func newHubReactor[K reactor.Cont](hub string) hubReactor[K] {
	return hubReactor[K]{Reactor: reactor.New[K](reactor.PerKind), hub: hub}
}

// call issues one procedure call; k is handed its completion.
func (r *hubReactor[K]) call(p port.Proc, k K) {
	r.Issue(port.SQLCall{Hub: r.hub, Proc: p}, k)
}
