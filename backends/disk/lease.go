package disk

import (
	"context"

	"github.com/dflab/dflab/engine/port"
)

// leaseOp runs f on the lease of an existing blob under the blob's lock
// and saves the lease if f succeeds.
func (s *Store) leaseOp(name string, f func(t *txn) error) error {
	t, err := s.lock(name)
	if err != nil {
		return err
	}
	defer t.unlock()
	cur, err := t.current()
	if err != nil {
		return err
	}
	if cur == nil {
		return port.NotFound("blob", name)
	}
	if err := f(t); err != nil {
		return err
	}
	return t.saveLease()
}

// AcquireLease implements port.Leases.
func (s *Store) AcquireLease(_ context.Context, name, id string, d port.Time) error {
	return s.leaseOp(name, func(t *txn) error { return t.lease.Acquire(name, id, d, t.now) })
}

// RenewLease implements port.Leases.
func (s *Store) RenewLease(_ context.Context, name, id string) error {
	return s.leaseOp(name, func(t *txn) error { return t.lease.Renew(name, id, t.now) })
}

// ReleaseLease implements port.Leases.
func (s *Store) ReleaseLease(_ context.Context, name, id string) error {
	return s.leaseOp(name, func(t *txn) error { return t.lease.Release(name, id) })
}

// BreakLease implements port.Leases.
func (s *Store) BreakLease(_ context.Context, name string, period port.Time) (port.BreakResult, error) {
	var r port.BreakResult
	err := s.leaseOp(name, func(t *txn) (err error) {
		r, err = t.lease.Break(period, t.now)
		return err
	})
	return r, err
}
