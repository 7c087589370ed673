package conformance

import (
	"sync"
	"testing"

	"github.com/dflab/dflab/engine/port"
)

// Backend describes a backend under test.
type Backend struct {
	// Open returns stores over fresh, empty state (a new directory, a new
	// name prefix...) that read the time only from clock (when VirtualTime).
	// The suite calls it once per subtest and uses only the Stores fields
	// its port needs: TestBlob Blob, Page, Append and Leases; TestQueue
	// Queue and Queues; TestTable Table; TestStream Stream (with at least
	// MinPartitions partitions) and, if set, Cursors.
	Open func(t *testing.T, clock func() port.Time) Instance
	// VirtualTime is true when the backend reads the time only from the
	// clock given to Open, so the suite can drive lease expiry and queue
	// visibility timeouts by advancing it. Backends on real services set it
	// false and the expiry subtests are skipped.
	VirtualTime bool
}

// Instance is an opened backend.
type Instance struct {
	Stores *port.Stores
	// Reopen, for persistent backends, closes Stores and opens the same
	// state again, as a restarted process would. Nil skips the reopen
	// subtests.
	Reopen func(t *testing.T) *port.Stores
}

// MinPartitions is the least number of stream partitions TestStream needs.
const MinPartitions = 2

// Clock is a manual clock for backends under test: Now is what the backend
// reads; Advance moves it. Safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now port.Time
}

// Start is the suite clocks' initial time (2024-01-01T00:00:00Z).
const Start port.Time = 1704067200 * port.Second

// NewClock returns a clock at start.
func NewClock(start port.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() port.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d port.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now += d
}

// env is one subtest's opened backend and clock.
type env struct {
	t     *testing.T
	clock *Clock
	inst  Instance
	s     *port.Stores
	b     Backend
}

func open(t *testing.T, b Backend) *env {
	t.Helper()
	c := NewClock(Start)
	inst := b.Open(t, c.Now)
	if inst.Stores == nil {
		t.Fatal("conformance: Backend.Open returned nil Stores")
	}
	return &env{t: t, clock: c, inst: inst, s: inst.Stores, b: b}
}

// needTime skips the calling subtest unless the backend has virtual time.
func (e *env) needTime() {
	if !e.b.VirtualTime {
		e.t.Skip("backend time cannot be faked (VirtualTime false)")
	}
}

// run runs one subtest on a freshly opened backend.
func run(t *testing.T, b Backend, name string, f func(e *env)) {
	t.Run(name, func(t *testing.T) { f(open(t, b)) })
}
