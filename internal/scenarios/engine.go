package scenarios

import "github.com/dflab/dflab/systems"

// Engine is what an engine implements to run the suite: a system's
// simulator deployment (systems.Deployment). The runner owns the kernel,
// the driver, the mem store and the nodes; the engine only deploys onto
// them.
type Engine = systems.Deployment
