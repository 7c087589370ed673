package meter

import (
	"sort"
	"sync"

	"github.com/dflab/dflab/engine/port"
)

// Counts are the traffic of one op kind (or a total).
type Counts struct {
	Requests     int64 `json:"requests"`
	Errors       int64 `json:"errors"`
	BytesWritten int64 `json:"bytesWritten"`
	BytesRead    int64 `json:"bytesRead"`
	Events       int64 `json:"events"` // Event Hubs ingress events (stream-append)
}

func (c *Counts) add(o Counts) {
	c.Requests += o.Requests
	c.Errors += o.Errors
	c.BytesWritten += o.BytesWritten
	c.BytesRead += o.BytesRead
	c.Events += o.Events
}

// KindCounts are the counts of one op kind.
type KindCounts struct {
	Kind string `json:"kind"`
	Counts
}

// Snapshot is the meter's counts at one time, sorted by kind.
type Snapshot []KindCounts

// Total sums all kinds.
func (s Snapshot) Total() Counts {
	var t Counts
	for _, k := range s {
		t.add(k.Counts)
	}
	return t
}

// Kind returns one kind's counts (zero if none).
func (s Snapshot) Kind(kind string) Counts {
	for _, k := range s {
		if k.Kind == kind {
			return k.Counts
		}
	}
	return Counts{}
}

// Meter counts requests per op kind. The zero value is not usable; call New.
type Meter struct {
	mu sync.Mutex
	by map[string]*Counts
}

// New returns an empty meter.
func New() *Meter { return &Meter{by: map[string]*Counts{}} }

// record counts one request.
func (m *Meter) record(kind string, c Counts) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.by[kind]
	if !ok {
		k = &Counts{}
		m.by[kind] = k
	}
	k.add(c)
}

// Snapshot returns the counts so far.
func (m *Meter) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := make(Snapshot, 0, len(m.by))
	for k, c := range m.by {
		s = append(s, KindCounts{Kind: k, Counts: *c})
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Kind < s[j].Kind })
	return s
}

// Reset zeroes the counts.
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.by = map[string]*Counts{}
}

// Events is the number of Event Hubs ingress events for records: one per
// started 64 KiB of each record (port.EventHubsEvents).
func Events(records [][]byte) int64 { return int64(port.EventHubsEvents(records)) }

// EventUnitBytes is the size of one billed Event Hubs ingress event.
const EventUnitBytes = port.EventUnitBytes
