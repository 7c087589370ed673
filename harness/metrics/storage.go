package metrics

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/backends/meter"
)

// Ports are the storage ports an op kind belongs to (the kind's prefix).
var Ports = []string{"blob", "page", "append", "lease", "queue", "table", "stream"}

// PortOf returns the port of an op kind ("page-write" → "page"); kinds
// without a known prefix are their own port.
func PortOf(kind string) string {
	prefix, _, _ := strings.Cut(kind, "-")
	return prefix
}

// TrafficCounts are requests and megabytes (10^6 bytes) moved.
type TrafficCounts struct {
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	Events    int64   `json:"events"` // Event Hubs ingress events
	MBRead    float64 `json:"mbRead"`
	MBWritten float64 `json:"mbWritten"`
}

func countsOf(c meter.Counts) TrafficCounts {
	return TrafficCounts{Requests: c.Requests, Errors: c.Errors, Events: c.Events,
		MBRead: float64(c.BytesRead) / 1e6, MBWritten: float64(c.BytesWritten) / 1e6}
}

func (t *TrafficCounts) add(o TrafficCounts) {
	t.Requests += o.Requests
	t.Errors += o.Errors
	t.Events += o.Events
	t.MBRead += o.MBRead
	t.MBWritten += o.MBWritten
}

// KindTraffic is the traffic of one op kind.
type KindTraffic struct {
	Kind string `json:"kind"`
	Port string `json:"port"`
	TrafficCounts
}

// PortTraffic is the traffic of one port.
type PortTraffic struct {
	Port string `json:"port"`
	TrafficCounts
}

// Traffic is a run's storage traffic per op kind, per port and in total,
// each list sorted by name.
type Traffic struct {
	Kinds []KindTraffic  `json:"kinds,omitempty"`
	Ports []PortTraffic  `json:"ports,omitempty"`
	Total TrafficCounts  `json:"total"`
	Raw   meter.Snapshot `json:"raw,omitempty"` // the exact counts, bytes and all
}

// TrafficOf converts a meter snapshot.
func TrafficOf(s meter.Snapshot) Traffic {
	t := Traffic{Raw: append(meter.Snapshot(nil), s...)}
	sort.Slice(t.Raw, func(i, j int) bool { return t.Raw[i].Kind < t.Raw[j].Kind })
	ports := map[string]*PortTraffic{}
	for _, k := range t.Raw {
		kt := KindTraffic{Kind: k.Kind, Port: PortOf(k.Kind), TrafficCounts: countsOf(k.Counts)}
		t.Kinds = append(t.Kinds, kt)
		p := ports[kt.Port]
		if p == nil {
			p = &PortTraffic{Port: kt.Port}
			ports[kt.Port] = p
		}
		p.add(kt.TrafficCounts)
	}
	names := make([]string, 0, len(ports))
	for n := range ports {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Ports = append(t.Ports, *ports[n])
	}
	t.Total = countsOf(s.Total()) // exact bytes, then one conversion
	return t
}

// Port returns one port's counts (zero if none).
func (t Traffic) Port(name string) TrafficCounts {
	for _, p := range t.Ports {
		if p.Port == name {
			return p.TrafficCounts
		}
	}
	return TrafficCounts{}
}

// Cost is what a run's storage traffic costs.
type Cost struct {
	PriceList string  `json:"priceList"`
	Dollars   float64 `json:"dollars"`
	// DollarsPer1000Units is dollars per 1,000 work units (the paper's
	// "cost per 1,000 orchestrations").
	DollarsPer1000Units float64    `json:"dollarsPer1000Units"`
	Bill                meter.Bill `json:"bill"`
}

// CostOf prices a snapshot plus tuHours Event Hubs throughput-unit hours
// and divides by the work units done.
func CostOf(p meter.Prices, s meter.Snapshot, tuHours, units float64) (Cost, error) {
	b, err := p.Bill(s, tuHours)
	if err != nil {
		return Cost{}, fmt.Errorf("metrics: cost: %w", err)
	}
	c := Cost{PriceList: p.Name, Dollars: b.Dollars, Bill: b}
	if units > 0 {
		c.DollarsPer1000Units = b.Dollars / units * 1000
	}
	return c, nil
}
