// Package builtin holds the registry of the systems dflab ships: the
// original engine, Netherite, the SQL engine and the workflow service
// (Step Functions style; it runs the workloads it has state machines for,
// systems.System.Workloads) and the trigger chains of the Sequence
// workload (queuechain, blobchain, lambdachain). Registries are open: Systems returns a
// fresh one, to which a researcher's module adds its own systems.
package builtin

import (
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/chain"
	"github.com/dflab/dflab/systems/netherite"
	"github.com/dflab/dflab/systems/original"
	"github.com/dflab/dflab/systems/sql"
	"github.com/dflab/dflab/systems/workflow"
)

// Systems returns a new registry holding the built-in systems, netherite
// first (the default engine).
func Systems() *systems.Registry {
	r, err := systems.NewRegistry(netherite.System, original.System, sql.System, workflow.System,
		chain.QueueChain, chain.BlobChain, chain.LambdaChain)
	if err != nil {
		panic(err) // a programming error in a built-in descriptor
	}
	return r
}
