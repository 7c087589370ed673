package systems

import "github.com/dflab/dflab/sim"

// Charge is a billed item of a system beyond its storage traffic (the
// workflow service's state transitions): a billing class, how many of it
// were used and what they cost at the system's list price.
type Charge struct {
	Class    string
	Requests int64
	Dollars  float64
}

// Charges is implemented by deployments whose system bills more than the
// storage the meter prices: the runner adds the charges to the run's cost.
type Charges interface {
	Charges(d *sim.Driver) []Charge
}
