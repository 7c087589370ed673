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
	// objects are the storage objects seen, by name (see object).
	objects map[string]*object
	// nameBuf holds the target an op appends (port.TargetAppender).
	nameBuf []byte
}

type capState struct {
	cap     Cap
	account *Server
	// targets are the objects that have a Server of this cap (a
	// per-target cap), in the order first seen.
	targets []*object
}

// object is what the driver keeps per storage object, found by one map
// lookup per request: the servers of the per-target caps that meter it
// (by cap index; a request's object is its Op.Target) and, per core, the
// completion time of its latest request to it (a request's order object is
// its target, or "kind:"+kind when it names none; see orderKey).
type object struct {
	name    string
	servers []*Server // by cap index; nil until a request uses it
	order   []orderSlot
	byCore  map[*coreRun]int // index in order, once it has linearSlots
}

// orderSlot is one core's latest completion on an object, in one life of
// the core (a slot of an earlier life counts as none).
type orderSlot struct {
	cr     *coreRun
	life   uint64
	doneAt port.Time
}

// object returns the object named name, making it on first use.
func (t *throttle) object(name string) *object {
	if o, ok := t.objects[name]; ok {
		return o
	}
	o := &object{name: name}
	if t.objects == nil {
		t.objects = map[string]*object{}
	}
	t.objects[name] = o
	return o
}

// objectOf returns op's target and its object. An op that can append its
// target is looked up by those bytes, so a seen target costs no string;
// the target returned is then the object's name (the same text).
func (t *throttle) objectOf(op port.Op) (string, *object) {
	a, ok := op.(port.TargetAppender)
	if !ok {
		target := op.Target()
		return target, t.object(target)
	}
	t.nameBuf = a.AppendTarget(t.nameBuf[:0])
	if o, ok := t.objects[string(t.nameBuf)]; ok {
		return o.name, o
	}
	o := t.object(string(t.nameBuf))
	return o.name, o
}

// after orders a completion of cr's on o: it returns done, or the latest
// earlier completion of cr's on o if that is later, and records it.
func (o *object) after(cr *coreRun, done port.Time) port.Time {
	i := o.slotOf(cr)
	if i < 0 {
		if len(o.order) == linearSlots {
			o.byCore = make(map[*coreRun]int, 2*linearSlots)
			for j, s := range o.order {
				o.byCore[s.cr] = j
			}
		}
		if o.byCore != nil {
			o.byCore[cr] = len(o.order)
		}
		o.order = append(o.order, orderSlot{cr: cr, life: cr.life, doneAt: done})
		return done
	}
	s := &o.order[i]
	if s.life == cr.life {
		done = max(done, s.doneAt)
	}
	s.life, s.doneAt = cr.life, done
	return done
}

// linearSlots is how many cores' order slots an object scans before it
// indexes them by core (an object polled by every core of a big cluster).
const linearSlots = 8

// slotOf returns the index of cr's order slot on o, or -1.
func (o *object) slotOf(cr *coreRun) int {
	if o.byCore != nil {
		if i, ok := o.byCore[cr]; ok {
			return i
		}
		return -1
	}
	for i := range o.order {
		if o.order[i].cr == cr {
			return i
		}
	}
	return -1
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
	return t.admitTo(now, kind, t.object(target), units, bytes)
}

// admitTo is admit for a request to the object o.
func (t *throttle) admitTo(now port.Time, kind string, o *object, units, bytes int) port.Time {
	at := now
	for _, i := range t.matching(kind) {
		c := &t.caps[i]
		s := c.account
		if s == nil {
			if len(o.servers) <= i {
				o.servers = append(o.servers, make([]*Server, i+1-len(o.servers))...)
			}
			s = o.servers[i]
			if s == nil {
				s = NewBucket(c.cap.ReqPerSec, c.cap.UnitsPerSec, c.cap.MBPerSec*1e6, c.cap.BurstSec)
				o.servers[i] = s
				c.targets = append(c.targets, o)
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
