package sim

import (
	"sort"

	"github.com/dflab/dflab/engine/port"
)

// Resource kinds of Utilisation.
const (
	ResourceCPU   = "cpu"            // a node's cores (every core run and worker item)
	ResourceCore  = "core"           // one engine core's own thread (a partition, a dispatcher)
	ResourceSlots = "activity-slots" // a node's activity slots
	ResourceCap   = "cap"            // a throughput cap (per target or per account)
	ResourceServe = "service"        // a service's cores (a database server)
)

// Resource is one resource's utilisation over a run: the fraction of its
// capacity in use, 0..1 (work still queued at the end counts as in use).
type Resource struct {
	Kind        string
	Name        string // "node0", "node0/p03", "event-hubs-ingress hub/p03"...
	Utilisation float64
}

// Utilisation returns every modelled resource's utilisation from virtual
// time 0 to elapsed, in a fixed order: nodes (CPU, activity slots), cores,
// services, caps (by cap, then target name).
func (d *Driver) Utilisation(elapsed port.Time) []Resource {
	if elapsed <= 0 {
		return nil
	}
	frac := func(busy port.Time, capacity int) float64 {
		return min(1, float64(busy)/(float64(elapsed)*float64(max(capacity, 1))))
	}
	var out []Resource
	for _, n := range d.nodes {
		out = append(out, Resource{Kind: ResourceCPU, Name: n.name, Utilisation: frac(n.cpu.Busy(), n.cpu.Cores())})
		if n.actSlots > 0 {
			out = append(out, Resource{Kind: ResourceSlots, Name: n.name, Utilisation: frac(n.slotBusy, n.actSlots)})
		}
	}
	for _, cr := range d.cores {
		out = append(out, Resource{Kind: ResourceCore, Name: cr.name, Utilisation: frac(cr.ownBusy, 1)})
	}
	for _, s := range d.services {
		out = append(out, Resource{Kind: ResourceServe, Name: s.Name, Utilisation: frac(s.busy(d.k.Now()), s.Cores)})
	}
	for i, c := range d.throttle.caps {
		if c.account != nil {
			out = append(out, Resource{Kind: ResourceCap, Name: c.cap.Name, Utilisation: frac(c.account.Busy(), 1)})
			continue
		}
		targets := append([]*object(nil), c.targets...)
		sort.Slice(targets, func(a, b int) bool { return targets[a].name < targets[b].name })
		for _, o := range targets {
			out = append(out, Resource{Kind: ResourceCap, Name: c.cap.Name + " " + o.name, Utilisation: frac(o.servers[i].Busy(), 1)})
		}
	}
	return out
}

// Binding returns the busiest resource of rs (the first on ties), or false
// if rs is empty.
func Binding(rs []Resource) (Resource, bool) {
	if len(rs) == 0 {
		return Resource{}, false
	}
	b := rs[0]
	for _, r := range rs[1:] {
		if r.Utilisation > b.Utilisation {
			b = r
		}
	}
	return b, true
}
