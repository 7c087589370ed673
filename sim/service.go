package sim

import (
	"fmt"
	"math"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// Service is a storage service with a CPU of its own, such as a database
// server: each request whose op kind matches Ops is served on Cores cores
// by processor sharing (n requests in service each progress at
// min(1, Cores/n) of a core, as a database's worker threads share its
// vCores) for Cost(op) of CPU time, then the op's latency model runs. A
// deployment adds it to the driver (Driver.AddService) when its system
// brings its own server.
type Service struct {
	Name string
	// Ops are op kinds or kind prefixes ending in '*' ("sql-*").
	Ops   []string
	Cores int
	// Cost is the CPU time one request takes; nil: the model set's
	// Services[Name] costs and Bound (an error if it has none).
	Cost func(op port.Op) port.Time
	// Bound makes each core a scheduler of its own: a request is bound at
	// arrival to one core picked at random (seeded) and shares only that
	// core with the requests bound to it, as SQL Server's SQLOS binds a
	// task to one scheduler per vCore for its life. Unbound, every request
	// shares all Cores (one processor-sharing pool).
	Bound bool
	ps    []psQueue
	pick  *rng.Source
}

// psQueue is processor sharing over cores in virtual time. Every request
// in service has attained the same service since it arrived, so progress
// is one number: v, the service each request has received since the
// queue's origin (in ns of one core). A request arriving at virtual
// service v with cost c leaves when v reaches v+c; the next departure is
// the smallest such finish tag.
type psQueue struct {
	cores int
	jobs  []*request // in service, in arrival order
	v     float64    // attained service per job since the origin (ns)
	at    port.Time  // when v was last advanced
	next  EventID    // the next departure
	busy  float64    // core-ns charged
}

// rate is each job's share of a core with n jobs in service.
func (q *psQueue) rate() float64 {
	n := len(q.jobs)
	if n == 0 {
		return 0
	}
	return math.Min(1, float64(q.cores)/float64(n))
}

// advance brings v to now.
func (q *psQueue) advance(now port.Time) {
	if now > q.at {
		dt := float64(now - q.at)
		q.v += dt * q.rate()
		q.busy += dt * math.Min(float64(len(q.jobs)), float64(q.cores))
	}
	q.at = now
}

// AddService adds a service; requests issued from now on queue on it.
func (d *Driver) AddService(s Service) error {
	if s.Name == "" || len(s.Ops) == 0 || s.Cores < 1 {
		return fmt.Errorf("sim.AddService: Service{Name: %q, Ops: %v, Cores: %d}: want a name, ops and Cores >= 1", s.Name, s.Ops, s.Cores)
	}
	if s.Cost == nil {
		m, ok := d.models.Services[s.Name]
		if !ok {
			return fmt.Errorf("sim.AddService: service %q has no Cost and model set %q has no services[%q]", s.Name, d.models.Name, s.Name)
		}
		s.Bound = m.Bound
		src := d.root.Fork("service/" + s.Name)
		s.Cost = func(op port.Op) port.Time {
			dist, ok := m.CostsMs[string(op.Kind())]
			if !ok {
				if dist, ok = m.CostsMs["*"]; !ok {
					return 0
				}
			}
			return msToTime(dist.Sample(src))
		}
	}
	if s.Bound {
		s.ps = make([]psQueue, s.Cores)
		for i := range s.ps {
			s.ps[i] = psQueue{cores: 1, at: d.k.Now()}
		}
		s.pick = d.root.Fork("service/" + s.Name + "/schedulers")
	} else {
		s.ps = []psQueue{{cores: s.Cores, at: d.k.Now()}}
	}
	d.services = append(d.services, &s)
	d.kinds = nil // a kind may be this service's now
	return nil
}

// HasServiceModel reports whether the model set has CPU costs for the
// service name.
func (d *Driver) HasServiceModel(name string) bool {
	_, ok := d.models.Services[name]
	return ok
}

// ServiceBusy returns the CPU time a service has charged and its cores (0,
// 0 for an unknown name).
func (d *Driver) ServiceBusy(name string) (busy port.Time, cores int) {
	for _, s := range d.services {
		if s.Name == name {
			return s.busy(d.k.Now()), s.Cores
		}
	}
	return 0, 0
}

// serviceOf returns the first service whose ops match kind, or nil.
func (d *Driver) serviceOf(kind string) *Service {
	for _, s := range d.services {
		for _, p := range s.Ops {
			if matchKind(p, kind) {
				return s
			}
		}
	}
	return nil
}

// busy returns the CPU time charged up to now.
func (s *Service) busy(now port.Time) port.Time {
	var b float64
	for i := range s.ps {
		s.ps[i].advance(now)
		b += s.ps[i].busy
	}
	return port.Time(b)
}

// enter puts r in service at now.
func (s *Service) enter(d *Driver, now port.Time, r *request) {
	i := 0
	if s.Bound {
		i = s.pick.Intn(len(s.ps))
	}
	q := &s.ps[i]
	q.advance(now)
	r.svc, r.queue, r.finish = s, i, q.v+float64(max(s.Cost(r.req.Op), 0))
	q.jobs = append(q.jobs, r)
	s.schedule(d, i)
}

// leave takes r out of service (a crash of its node).
func (s *Service) leave(d *Driver, now port.Time, r *request) {
	q := &s.ps[r.queue]
	q.advance(now)
	for i, j := range q.jobs {
		if j == r {
			q.jobs = append(q.jobs[:i], q.jobs[i+1:]...)
			break
		}
	}
	r.svc = nil
	s.schedule(d, r.queue)
}

// schedule (re)schedules queue i's next departure.
func (s *Service) schedule(d *Driver, i int) {
	q := &s.ps[i]
	d.k.Cancel(q.next)
	q.next = 0
	if len(q.jobs) == 0 {
		return
	}
	first := q.jobs[0]
	for _, j := range q.jobs[1:] {
		if j.finish < first.finish {
			first = j
		}
	}
	wait := math.Max(0, (first.finish-q.v)/q.rate())
	q.next = d.k.Schedule(q.at+port.Time(math.Ceil(wait)), departure{s: s, d: d}, uint64(i))
}

// departure is a service's next departure event.
type departure struct {
	s *Service
	d *Driver
}

// Handle ends the service of every request whose finish tag v has reached
// (in arrival order) and sends each on to its latency.
func (e departure) Handle(now port.Time, i uint64) {
	q := &e.s.ps[i]
	q.next = 0
	q.advance(now)
	var done []*request
	kept := q.jobs[:0]
	for _, j := range q.jobs {
		if j.finish <= q.v+0.5 {
			done = append(done, j)
		} else {
			kept = append(kept, j)
		}
	}
	clear(q.jobs[len(kept):])
	q.jobs = kept
	e.s.schedule(e.d, int(i))
	for _, r := range done {
		r.svc = nil
		r.cr.afterService(now, r)
	}
}
