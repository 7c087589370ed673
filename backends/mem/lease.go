package mem

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// lease is a blob's lease. Expiry and breaking are evaluated lazily
// against the clock, so no timers are needed.
type lease struct {
	id      string
	held    bool      // acquired and neither released nor broken at acquire time
	expires port.Time // port.LeaseInfinite: never
	breaks  bool      // a break is under way or done
	breakAt port.Time // when the break completes
	dur     port.Time // the acquired duration, for renewals
}

type leaseState uint8

const (
	available leaseState = iota
	leased
	expired
	breaking
	broken
)

func (l *lease) state(now port.Time) leaseState {
	switch {
	case !l.held:
		return available
	case l.breaks && now >= l.breakAt:
		return broken
	case l.breaks:
		return breaking
	case l.expires != port.LeaseInfinite && now >= l.expires:
		return expired
	}
	return leased
}

// active reports whether the lease fences writes.
func (l *lease) active(now port.Time) bool {
	st := l.state(now)
	return st == leased || st == breaking
}

// fence checks a write's lease id.
func (l *lease) fence(name, id string, now port.Time) error {
	if l.active(now) {
		if id == "" {
			return fmt.Errorf("blob %q is leased, no lease id given: %w", name, port.ErrLeaseHeld)
		}
		if id != l.id {
			return fmt.Errorf("blob %q lease %q is not the active lease: %w", name, id, port.ErrLeaseLost)
		}
		return nil
	}
	if id != "" {
		return fmt.Errorf("blob %q has no active lease, lease %q given: %w", name, id, port.ErrLeaseLost)
	}
	return nil
}

func expiry(now, d port.Time) port.Time {
	if d == port.LeaseInfinite {
		return port.LeaseInfinite
	}
	return now + d
}

// leased returns the blob to lease, or ErrNotFound.
func (s *Store) leased(name string) (*blob, error) {
	b, ok := s.blobs[name]
	if !ok {
		return nil, port.NotFound("blob", name)
	}
	return b, nil
}

// AcquireLease implements port.Leases.
func (s *Store) AcquireLease(_ context.Context, name, id string, d port.Time) error {
	if id == "" {
		return port.BadRequest("lease id", `""`, "a non-empty proposed id")
	}
	if err := port.ValidLeaseDuration(d); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	now := s.now()
	switch st := b.lease.state(now); {
	case st == breaking:
		return fmt.Errorf("blob %q lease is breaking: %w", name, port.ErrLeaseHeld)
	case st == leased && b.lease.id != id:
		return fmt.Errorf("blob %q is leased by another id: %w", name, port.ErrLeaseHeld)
	}
	b.lease = lease{id: id, held: true, expires: expiry(now, d), dur: d}
	return nil
}

// RenewLease implements port.Leases.
func (s *Store) RenewLease(_ context.Context, name, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	now := s.now()
	st := b.lease.state(now)
	if b.lease.id != id || (st != leased && st != expired) {
		return fmt.Errorf("blob %q renew lease %q: %w", name, id, port.ErrLeaseLost)
	}
	b.lease.expires = expiry(now, b.lease.dur)
	return nil
}

// ReleaseLease implements port.Leases.
func (s *Store) ReleaseLease(_ context.Context, name, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	if !b.lease.held || b.lease.id != id {
		return fmt.Errorf("blob %q release lease %q: %w", name, id, port.ErrLeaseLost)
	}
	b.lease = lease{}
	return nil
}

// BreakLease implements port.Leases.
func (s *Store) BreakLease(_ context.Context, name string, period port.Time) (port.BreakResult, error) {
	if err := port.ValidBreakPeriod(period); err != nil {
		return port.BreakResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return port.BreakResult{}, err
	}
	now := s.now()
	switch b.lease.state(now) {
	case available, broken:
		return port.BreakResult{}, nil
	case expired:
		b.lease.breaks, b.lease.breakAt = true, now
		return port.BreakResult{}, nil
	case breaking:
		if now+period < b.lease.breakAt {
			b.lease.breakAt = now + period
		}
		return port.BreakResult{Remaining: b.lease.breakAt - now}, nil
	}
	at := now + period
	if b.lease.expires != port.LeaseInfinite && b.lease.expires < at {
		at = b.lease.expires
	}
	b.lease.breaks, b.lease.breakAt = true, at
	return port.BreakResult{Remaining: at - now}, nil
}
