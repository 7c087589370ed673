package sim

import (
	"fmt"
	"math"

	"github.com/dflab/dflab/engine/port"
)

// Server is a rate limiter in virtual time: each request occupies it for
// max(1/reqPerSec, units/unitsPerSec, bytes/bytesPerSec) (rounded up to a
// whole nanosecond) of slot time. With no burst allowance it is a
// next-free-slot server: requests are paced strictly, never two slots at
// once. With a burst allowance of B it is a token bucket of depth B
// (the generic cell rate algorithm): a request starts as soon as the slot
// time owed by the requests before it, beyond now, is at most B, so after
// an idle spell up to B seconds' worth of requests start at once, while
// over any long window the rate never exceeds the limits (at most B
// seconds' worth more than rate × window in any window).
type Server struct {
	nsPerReq  float64
	nsPerUnit float64
	nsPerByte float64
	burst     port.Time // bucket depth: slot time that may be owed ahead of now
	next      port.Time // theoretical arrival time: when the owed slot time is paid
	served    uint64
	busy      port.Time // total slot time of the admitted requests
}

// NewServer returns a server with the given limits and no burst allowance
// (strict pacing); 0 means unlimited.
func NewServer(reqPerSec, unitsPerSec, bytesPerSec float64) *Server {
	return NewBucket(reqPerSec, unitsPerSec, bytesPerSec, 0)
}

// NewBucket returns a server with the given limits (0: unlimited) that
// allows bursts of burstSec seconds' worth of its rate (a token bucket of
// that depth; 0: strict pacing).
func NewBucket(reqPerSec, unitsPerSec, bytesPerSec, burstSec float64) *Server {
	s := &Server{burst: port.Time(math.Round(burstSec * float64(port.Second)))}
	if reqPerSec > 0 {
		s.nsPerReq = float64(port.Second) / reqPerSec
	}
	if unitsPerSec > 0 {
		s.nsPerUnit = float64(port.Second) / unitsPerSec
	}
	if bytesPerSec > 0 {
		s.nsPerByte = float64(port.Second) / bytesPerSec
	}
	return s
}

// Admit queues a request of units (port.ScaleUnits) and bytes arriving at
// now and returns when it is served.
func (s *Server) Admit(now port.Time, units, bytes int) port.Time {
	slot := max(s.nsPerReq, s.nsPerUnit*float64(units), s.nsPerByte*float64(bytes))
	d := port.Time(math.Ceil(slot))
	start := max(now, s.next-s.burst)
	s.next = max(s.next, start) + d
	s.busy += d
	s.served++
	return start
}

// Busy returns the total slot time of the requests admitted.
func (s *Server) Busy() port.Time { return s.busy }

// Served returns the number of requests admitted.
func (s *Server) Served() uint64 { return s.served }

// throttle applies a model set's caps to requests.
type throttle struct {
	caps []capState
	// byKind caches which caps (indexes, in order) match an op kind:
	// matching is by pattern over every cap, and a run has few kinds.
	byKind map[string][]int
}

type capState struct {
	cap       Cap
	account   *Server
	perTarget map[string]*Server
}

func newThrottle(caps []Cap) *throttle {
	t := &throttle{}
	for _, c := range caps {
		t.add(c)
	}
	return t
}

func (t *throttle) add(c Cap) {
	st := capState{cap: c}
	if c.Scope == ScopeAccount {
		st.account = NewBucket(c.ReqPerSec, c.UnitsPerSec, c.MBPerSec*1e6, c.BurstSec)
	} else {
		st.perTarget = map[string]*Server{}
	}
	t.caps = append(t.caps, st)
	t.byKind = nil // the cache predates this cap
}

// AddCap adds a throughput cap of the deployment (a service it provisions,
// such as an Event Hubs namespace of some throughput units) to the model
// set's; requests issued from now on pass through it.
func (d *Driver) AddCap(c Cap) error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("sim.AddCap %s: %w", c.Name, err)
	}
	d.throttle.add(c)
	return nil
}

// admit passes a request through every matching cap in order and returns
// when the last one serves it.
func (t *throttle) admit(now port.Time, kind, target string, units, bytes int) port.Time {
	at := now
	for _, i := range t.matching(kind) {
		c := &t.caps[i]
		s := c.account
		if s == nil {
			s = c.perTarget[target]
			if s == nil {
				s = NewBucket(c.cap.ReqPerSec, c.cap.UnitsPerSec, c.cap.MBPerSec*1e6, c.cap.BurstSec)
				c.perTarget[target] = s
			}
		}
		at = s.Admit(at, units, bytes)
	}
	return at
}

// matching returns the indexes of the caps that match kind, in order.
func (t *throttle) matching(kind string) []int {
	if is, ok := t.byKind[kind]; ok {
		return is
	}
	var is []int
	for i := range t.caps {
		if t.caps[i].matches(kind) {
			is = append(is, i)
		}
	}
	if t.byKind == nil {
		t.byKind = map[string][]int{}
	}
	t.byKind[kind] = is
	return is
}

func (c *capState) matches(kind string) bool {
	for _, p := range c.cap.Ops {
		if matchKind(p, kind) {
			return true
		}
	}
	return false
}
