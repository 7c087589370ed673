package sim

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// Service is a storage service with a CPU of its own, such as a database
// server: each request whose op kind matches Ops queues for one of Cores
// cores (FIFO, as a node's CPU) and occupies it for Cost(kind, bytes)
// before the op's latency model runs. A deployment adds it to the driver
// (Driver.AddService) when its system brings its own server.
type Service struct {
	Name string
	// Ops are op kinds or kind prefixes ending in '*' ("sql-*").
	Ops   []string
	Cores int
	// Cost is the CPU time one request takes.
	Cost func(kind string, bytes int) port.Time
	cpu  *CPU
}

// AddService adds a service; requests issued from now on queue on it.
func (d *Driver) AddService(s Service) error {
	if s.Name == "" || len(s.Ops) == 0 || s.Cores < 1 || s.Cost == nil {
		return fmt.Errorf("sim.AddService: Service{Name: %q, Ops: %v, Cores: %d, Cost set: %v}: want a name, ops, Cores >= 1 and a Cost",
			s.Name, s.Ops, s.Cores, s.Cost != nil)
	}
	s.cpu = NewCPU(s.Cores)
	d.services = append(d.services, &s)
	return nil
}

// ServiceBusy returns the CPU time a service has charged and its cores (0,
// 0 for an unknown name).
func (d *Driver) ServiceBusy(name string) (busy port.Time, cores int) {
	for _, s := range d.services {
		if s.Name == name {
			return s.cpu.Busy(), s.cpu.Cores()
		}
	}
	return 0, 0
}

// serve queues a request on the services matching its kind and returns
// when it leaves the last one.
func (d *Driver) serve(at port.Time, kind string, bytes int) port.Time {
	for _, s := range d.services {
		for _, p := range s.Ops {
			if matchKind(p, kind) {
				_, at = s.cpu.Submit(at, s.Cost(kind, bytes))
				break
			}
		}
	}
	return at
}
