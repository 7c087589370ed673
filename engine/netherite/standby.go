package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// A standby is a core of a partition on a node other than the one it is
// placed on, waiting for the lease: when the owner's node crashes and does
// not come back, its lease expires and a standby takes the partition over
// (load the checkpoint, replay the log suffix, resend the unconfirmed
// outbox, resume the input stream), as a Netherite node takes an expired
// lease. Nothing tells a standby that a node is dead: it only learns that
// a lease is free by acquiring it.
//
// Standbys of one partition are ranked (a deployment spreads the ranks of
// a node's partitions over the other nodes). The standby of rank r tries
// for the lease on the ticks of period r×TakeoverPoll, at half a
// TakeoverPoll plus (r-1)/16 of one past a multiple of the period: every
// tick of rank r falls just after one of rank 1, so that of the live
// standbys the lowest rank usually acquires first (unless the lease lapses
// between the two) and the orphaned partitions of a node spread as their
// rank-1 standbys do. Leases taken at deployment and renewed every third
// of a LeaseDuration lapse near multiples of TakeoverPoll (when it divides
// LeaseDuration/3), half a poll away from the ticks. Its
// first try is AcquireRetry after it starts, so that at deployment the
// core a partition is placed on acquires first, and a standby whose node
// restarts while it still holds the lease gets it back soon. Once a
// standby has owned the partition it waits like any owner (AcquireRetry).

// TakeOver, sent to a partition core as port.ClientCall.Req, makes a core
// waiting for the lease try for it now and then every AcquireRetry, as
// the target of a partition move does (the deployment sends it to the
// target when the move starts and when the old owner released the lease).
// A core that is not waiting for the lease only stops being a standby.
// The call is answered at once.
type TakeOver struct{}

// NewStandby returns a standby core of partition p (see above) with lease
// owner name owner and rank >= 1. cfg must be valid.
func NewStandby(cfg *Config, p int, owner string, rank int) (*Partition, error) {
	if rank < 1 {
		return nil, fmt.Errorf("partition %d: standby rank %d: allowed >= 1", p, rank)
	}
	x, err := NewPartition(cfg, p, owner)
	if err != nil {
		return nil, err
	}
	x.standby = rank
	return x, nil
}

// Standby returns the core's standby rank (0: it is not a standby, or it
// has owned its partition).
func (x *Partition) Standby() int { return x.standby }

// start begins the core's first life: at once, or for a standby after
// AcquireRetry.
func (x *Partition) start() {
	if x.standby == 0 {
		x.boot()
		return
	}
	x.waitLease(x.k.AcquireRetry, bootNext)
}

// leaseNext is what a wait for the lease goes on with.
type leaseNext int

const (
	noWait      leaseNext = iota
	bootNext              // boot (a standby's first try)
	acquireNext           // try for the lease again
)

func (x *Partition) goOn(n leaseNext) {
	switch n {
	case bootNext:
		x.boot()
	case acquireNext:
		x.acquireLease()
	}
}

// waitLease goes on with next after d, unless a TakeOver came first (it
// moves on at once and supersedes the wait).
func (x *Partition) waitLease(d port.Time, next leaseNext) {
	x.leaseWait++
	x.waiting = next
	x.After(d, leaseWaited{gen: x.leaseWait, next: next})
}

// leaseWaited: the wait of generation gen for the lease is over, unless a
// TakeOver superseded it.
type leaseWaited struct {
	gen  uint64
	next leaseNext
}

func (leaseWaited) Then() reactor.Then { return reactor.Then{Step: "lease-wait"} }

func (k leaseWaited) step(x *Partition, _ reactor.Outcome) {
	if x.leaseWait == k.gen && x.waiting != noWait {
		x.waiting = noWait
		x.goOn(k.next)
	}
}

// acquireWait is how long to wait before trying again for a lease another
// core holds.
func (x *Partition) acquireWait() port.Time {
	if x.standby == 0 {
		return x.k.AcquireRetry
	}
	r := port.Time(x.standby)
	period := r * x.k.TakeoverPoll
	off := x.k.TakeoverPoll/2 + (r-1)%8*x.k.TakeoverPoll/16
	next := off
	if x.Now() >= off {
		next = (x.Now()-off)/period*period + period + off
	}
	return next - x.Now()
}

// takeOver serves a TakeOver call.
func (x *Partition) takeOver(id port.CallID) {
	x.standby = 0
	x.Respond(id, nil, nil)
	if n := x.waiting; n != noWait {
		x.waiting = noWait
		x.leaseWait++
		x.goOn(n)
	}
}
