package scenarios

import (
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim"
)

// Engine is what an engine implements to run the suite: it places its
// cores on a simulated cluster. The runner owns the kernel, the driver,
// the mem store and the nodes; the engine only deploys onto them.
type Engine interface {
	// Name names the engine and its configuration in test names.
	Name() string
	// StreamPartitions is how many stream partitions the engine needs in
	// the mem store (0: it uses no stream).
	StreamPartitions() int
	// Deploy places the engine's cores on nodes (it may add nodes of its
	// own, e.g. for clients) and returns the core that takes client calls:
	// port.ClientCall{Req: durable.ClientRequest}, answered with
	// port.Response{Resp: durable.ClientResponse}.
	Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (client sim.CoreID, err error)
}
