package check

import (
	"fmt"
	"strings"
	"sync"

	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/trace"
)

// OrderViolation is a broken ordering mark (the outbox rule, "persist
// before send"): a request with Needs was issued before any completed
// request had made Needs.Log durable up to Needs.Pos. It has the shape of
// sim.Violation and host.Violation, so both drivers' lists convert.
type OrderViolation struct {
	At      port.Time // when it was issued (0 from the real driver, which does not record it)
	Core    string
	Request port.RequestID
	Kind    string // op kind of the request
	Needs   port.Mark
	Durable int64 // highest durable position on Needs.Log, -1 if none
}

func (v OrderViolation) String() string {
	at := ""
	if v.At != 0 {
		at = string(trace.AppendTime(nil, v.At)) + " "
	}
	return fmt.Sprintf("%s%s: request %d (%s) needs %s but %s is durable only to %d",
		at, v.Core, v.Request, v.Kind, v.Needs, v.Needs.Log, v.Durable)
}

// FromSim converts the simulator's violations.
func FromSim(vs []sim.Violation) []OrderViolation {
	out := make([]OrderViolation, len(vs))
	for i, v := range vs {
		out[i] = OrderViolation{At: v.At, Core: v.Core, Request: v.Request, Kind: v.Kind, Needs: v.Needs, Durable: v.Durable}
	}
	return out
}

// FromHost converts the real driver's violations.
func FromHost(vs []host.Violation) []OrderViolation {
	out := make([]OrderViolation, len(vs))
	for i, v := range vs {
		out[i] = OrderViolation{Core: v.Core, Request: v.Request, Kind: v.Kind, Needs: v.Needs, Durable: v.Durable}
	}
	return out
}

// PersistBeforeSend fails when there is any violation, listing them.
func PersistBeforeSend(vs []OrderViolation) error {
	if len(vs) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d request(s) issued before the log position they need was durable", len(vs))
	for i, v := range vs {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  ... and %d more", len(vs)-maxListed)
			break
		}
		b.WriteString("\n  " + v.String())
	}
	return &Failure{Checker: "persist-before-send", Detail: b.String()}
}

// Ordering finds violations from a log of requests, for drivers or traces
// that do not check marks themselves: call Issued when a request is handed
// to storage and Completed when it completes. It is safe for concurrent
// use.
type Ordering struct {
	mu   sync.Mutex
	book port.MarkBook
	vs   []OrderViolation
}

// Issued checks r's Needs mark against what is durable now.
func (o *Ordering) Issued(at port.Time, core string, r port.Request) {
	if r.Needs.IsZero() {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if ok, have := o.book.Satisfied(r.Needs); !ok {
		kind := ""
		if r.Op != nil {
			kind = string(r.Op.Kind())
		}
		o.vs = append(o.vs, OrderViolation{At: at, Core: core, Request: r.ID, Kind: kind, Needs: r.Needs, Durable: have})
	}
}

// Completed makes r's Makes mark durable if r succeeded.
func (o *Ordering) Completed(r port.Request, err error) {
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.book.Made(r.Makes)
}

// Violations returns the violations so far, in order.
func (o *Ordering) Violations() []OrderViolation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OrderViolation(nil), o.vs...)
}
