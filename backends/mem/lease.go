package mem

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// Lease is the state of a blob lease, with Azure's state machine
// (available, leased, expired, breaking, broken) evaluated lazily against
// the time passed in, so no timers are needed. It is exported so that
// backends/disk keeps the same semantics in its lease files.
type Lease struct {
	ID      string    `json:"id"`
	Held    bool      `json:"held"`    // acquired and not released
	Expires port.Time `json:"expires"` // port.LeaseInfinite: never
	Dur     port.Time `json:"dur"`     // the acquired duration, for renewals
	Breaks  bool      `json:"breaks"`  // a break is under way or done
	BreakAt port.Time `json:"breakAt"` // when the break completes
}

// LeaseState is a lease's state at some time.
type LeaseState uint8

// Lease states, as Azure names them.
const (
	Available LeaseState = iota
	Leased
	Expired
	Breaking
	Broken
)

// State returns the lease's state at now.
func (l *Lease) State(now port.Time) LeaseState {
	switch {
	case !l.Held:
		return Available
	case l.Breaks && now >= l.BreakAt:
		return Broken
	case l.Breaks:
		return Breaking
	case l.Expires != port.LeaseInfinite && now >= l.Expires:
		return Expired
	}
	return Leased
}

// Active reports whether the lease fences writes at now.
func (l *Lease) Active(now port.Time) bool {
	st := l.State(now)
	return st == Leased || st == Breaking
}

// Fence checks a write to blob name carrying lease id (possibly empty).
func (l *Lease) Fence(name, id string, now port.Time) error {
	if l.Active(now) {
		if id == "" {
			return fmt.Errorf("blob %q is leased, no lease id given: %w", name, port.ErrLeaseHeld)
		}
		if id != l.ID {
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

// Acquire takes the lease for id and d (validated here).
func (l *Lease) Acquire(name, id string, d, now port.Time) error {
	if id == "" {
		return port.BadRequest("lease id", `""`, "a non-empty proposed id")
	}
	if err := port.ValidLeaseDuration(d); err != nil {
		return err
	}
	switch st := l.State(now); {
	case st == Breaking:
		return fmt.Errorf("blob %q lease is breaking: %w", name, port.ErrLeaseHeld)
	case st == Leased && l.ID != id:
		return fmt.Errorf("blob %q is leased by another id: %w", name, port.ErrLeaseHeld)
	}
	*l = Lease{ID: id, Held: true, Expires: expiry(now, d), Dur: d}
	return nil
}

// Renew restarts the lease's duration.
func (l *Lease) Renew(name, id string, now port.Time) error {
	st := l.State(now)
	if l.ID != id || (st != Leased && st != Expired) {
		return fmt.Errorf("blob %q renew lease %q: %w", name, id, port.ErrLeaseLost)
	}
	l.Expires = expiry(now, l.Dur)
	return nil
}

// Release ends the lease.
func (l *Lease) Release(name, id string) error {
	if !l.Held || l.ID != id {
		return fmt.Errorf("blob %q release lease %q: %w", name, id, port.ErrLeaseLost)
	}
	*l = Lease{}
	return nil
}

// Break ends the lease after min(period, remaining).
func (l *Lease) Break(period, now port.Time) (port.BreakResult, error) {
	if err := port.ValidBreakPeriod(period); err != nil {
		return port.BreakResult{}, err
	}
	switch l.State(now) {
	case Available, Broken:
		return port.BreakResult{}, nil
	case Expired:
		l.Breaks, l.BreakAt = true, now
		return port.BreakResult{}, nil
	case Breaking:
		l.BreakAt = min(l.BreakAt, now+period)
		return port.BreakResult{Remaining: l.BreakAt - now}, nil
	}
	at := now + period
	if l.Expires != port.LeaseInfinite && l.Expires < at {
		at = l.Expires
	}
	l.Breaks, l.BreakAt = true, at
	return port.BreakResult{Remaining: at - now}, nil
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
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	return b.lease.Acquire(name, id, d, s.now())
}

// RenewLease implements port.Leases.
func (s *Store) RenewLease(_ context.Context, name, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	return b.lease.Renew(name, id, s.now())
}

// ReleaseLease implements port.Leases.
func (s *Store) ReleaseLease(_ context.Context, name, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return err
	}
	return b.lease.Release(name, id)
}

// BreakLease implements port.Leases.
func (s *Store) BreakLease(_ context.Context, name string, period port.Time) (port.BreakResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.leased(name)
	if err != nil {
		return port.BreakResult{}, err
	}
	return b.lease.Break(period, s.now())
}
