package azure

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/dflab/dflab/engine/port"
)

var _ port.Leases = (*Store)(nil)

// leaseGUID maps a caller's lease id to the GUID Azure requires: a GUID is
// kept (lower-cased); anything else becomes the name-based (SHA-1,
// version 5 layout) UUID of "dflab-lease:"+id, the same in every process.
func leaseGUID(id string) string {
	if isGUID(id) {
		return strings.ToLower(id)
	}
	h := sha1.Sum([]byte("dflab-lease:" + id))
	h[6] = h[6]&0x0f | 0x50 // version 5
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func (s *Store) leaseClient(name, id string) (*lease.BlobClient, error) {
	if err := port.ValidBlobName(name); err != nil {
		return nil, err
	}
	var o *lease.BlobClientOptions
	if id != "" {
		g := leaseGUID(id)
		o = &lease.BlobClientOptions{LeaseID: &g}
	}
	lc, err := lease.NewBlobClient(s.container.NewBlobClient(name), o)
	if err != nil {
		return nil, fmt.Errorf("azure lease %q: %w", name, err)
	}
	return lc, nil
}

func checkLeaseID(id string) error {
	if id == "" {
		return port.BadRequest("lease id", `""`, "a non-empty id")
	}
	return nil
}

// AcquireLease implements port.Leases.
func (s *Store) AcquireLease(ctx context.Context, name, id string, d port.Time) error {
	if err := checkLeaseID(id); err != nil {
		return err
	}
	if err := port.ValidLeaseDuration(d); err != nil {
		return err
	}
	lc, err := s.leaseClient(name, id)
	if err != nil {
		return err
	}
	secs := int32(-1)
	if d != port.LeaseInfinite {
		secs = seconds(d)
	}
	_, err = lc.AcquireLease(ctx, secs, nil)
	return wrap(err, "acquire lease", name)
}

// RenewLease implements port.Leases.
func (s *Store) RenewLease(ctx context.Context, name, id string) error {
	if err := checkLeaseID(id); err != nil {
		return err
	}
	lc, err := s.leaseClient(name, id)
	if err != nil {
		return err
	}
	_, err = lc.RenewLease(ctx, nil)
	return wrap(err, "renew lease", name)
}

// ReleaseLease implements port.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, id string) error {
	if err := checkLeaseID(id); err != nil {
		return err
	}
	lc, err := s.leaseClient(name, id)
	if err != nil {
		return err
	}
	_, err = lc.ReleaseLease(ctx, nil)
	return wrap(err, "release lease", name)
}

// BreakLease implements port.Leases. Breaking a blob without a lease
// succeeds with Remaining 0.
func (s *Store) BreakLease(ctx context.Context, name string, period port.Time) (port.BreakResult, error) {
	if err := port.ValidBreakPeriod(period); err != nil {
		return port.BreakResult{}, err
	}
	lc, err := s.leaseClient(name, "")
	if err != nil {
		return port.BreakResult{}, err
	}
	resp, err := lc.BreakLease(ctx, &lease.BlobBreakOptions{BreakPeriod: ptr(seconds(period))})
	if hasCode(err, "LeaseNotPresentWithLeaseOperation") {
		return port.BreakResult{}, nil
	}
	if err != nil {
		return port.BreakResult{}, wrap(err, "break lease", name)
	}
	return port.BreakResult{Remaining: port.Time(deref(resp.LeaseTime)) * port.Second}, nil
}
