package conformance

import (
	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

var leaseCases = []testCase{
	{"lease/fencing", leaseFencing},
	{"lease/break-then-acquire", leaseBreakAcquire},
	{"lease/bad-input", leaseBadInput},
	{"lease/expiry", leaseExpiry},
	{"lease/break-period", leaseBreakPeriod},
}

func leaseFencing(e *env) {
	t, b, l := e.t, e.s.Blob, e.s.Leases
	_, err := b.PutBlob(ctx, "owner", []byte("v0"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, l.AcquireLease(ctx, "owner", "A", 15*port.Second))
	_, err = b.PutBlob(ctx, "owner", []byte("v1"), port.Cond{})
	require.ErrorIs(t, err, port.ErrLeaseHeld, "write without lease id")
	_, err = b.PutBlob(ctx, "owner", []byte("v1"), port.Cond{LeaseID: "B"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "write with wrong lease id")
	require.ErrorIs(t, b.DeleteBlob(ctx, "owner", port.Cond{}), port.ErrLeaseHeld)
	_, err = b.PutBlob(ctx, "owner", []byte("v1"), port.Cond{LeaseID: "A"})
	require.NoError(t, err)
	require.ErrorIs(t, l.AcquireLease(ctx, "owner", "B", 15*port.Second), port.ErrLeaseHeld)
	require.NoError(t, l.AcquireLease(ctx, "owner", "A", 15*port.Second), "re-acquire by the holder")
	require.NoError(t, l.RenewLease(ctx, "owner", "A"))
	require.ErrorIs(t, l.RenewLease(ctx, "owner", "B"), port.ErrLeaseLost)
	require.ErrorIs(t, l.ReleaseLease(ctx, "owner", "B"), port.ErrLeaseLost)
	require.NoError(t, l.ReleaseLease(ctx, "owner", "A"))
	_, err = b.PutBlob(ctx, "owner", []byte("v2"), port.Cond{LeaseID: "A"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "write with a released lease")
	_, err = b.PutBlob(ctx, "owner", []byte("v2"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, l.AcquireLease(ctx, "owner", "B", port.LeaseInfinite))
	_, err = port.PageCreate{Name: "owner", Size: 512}.Apply(ctx, e.s)
	require.ErrorIs(t, err, port.ErrLeaseHeld, "replacing a leased blob needs the lease")
	got, err := b.GetBlob(ctx, "owner", port.Range{})
	require.NoError(t, err, "reads need no lease")
	require.Equal(t, []byte("v2"), got.Data)
}

func leaseBreakAcquire(e *env) {
	t, l, p := e.t, e.s.Leases, e.s.Page
	_, err := p.CreatePageBlob(ctx, "part03", 1024, port.Cond{})
	require.NoError(t, err)
	page := make([]byte, 512)
	require.NoError(t, l.AcquireLease(ctx, "part03", "node1", port.LeaseInfinite))
	_, err = p.WritePages(ctx, "part03", 0, page, port.Cond{LeaseID: "node1"})
	require.NoError(t, err)
	br, err := l.BreakLease(ctx, "part03", 0)
	require.NoError(t, err)
	require.EqualValues(t, 0, br.Remaining)
	_, err = p.WritePages(ctx, "part03", 0, page, port.Cond{LeaseID: "node1"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "write fenced after break")
	require.ErrorIs(t, l.RenewLease(ctx, "part03", "node1"), port.ErrLeaseLost, "a broken lease cannot be renewed")
	require.NoError(t, l.AcquireLease(ctx, "part03", "node2", 30*port.Second))
	_, err = p.WritePages(ctx, "part03", 512, page, port.Cond{LeaseID: "node2"})
	require.NoError(t, err)
	_, err = p.WritePages(ctx, "part03", 512, page, port.Cond{LeaseID: "node1"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "the old owner stays fenced")
}

func leaseBadInput(e *env) {
	t, l := e.t, e.s.Leases
	require.ErrorIs(t, l.AcquireLease(ctx, "missing", "A", 15*port.Second), port.ErrNotFound)
	_, err := e.s.Blob.PutBlob(ctx, "b", []byte("x"), port.Cond{})
	require.NoError(t, err)
	err = l.AcquireLease(ctx, "b", "A", 10*port.Second)
	require.ErrorIs(t, err, port.ErrBadRequest, "lease shorter than 15s")
	require.ErrorContains(t, err, "15s..60s")
	require.ErrorIs(t, l.AcquireLease(ctx, "b", "A", 61*port.Second), port.ErrBadRequest)
	_, err = l.BreakLease(ctx, "b", 61*port.Second)
	require.ErrorIs(t, err, port.ErrBadRequest)
}

func leaseExpiry(e *env) {
	e.needTime()
	t, b, l := e.t, e.s.Blob, e.s.Leases
	_, err := b.PutBlob(ctx, "owner", []byte("v0"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, l.AcquireLease(ctx, "owner", "A", 15*port.Second))
	e.clock.Advance(14 * port.Second)
	_, err = b.PutBlob(ctx, "owner", []byte("v1"), port.Cond{LeaseID: "A"})
	require.NoError(t, err)
	require.NoError(t, l.RenewLease(ctx, "owner", "A"))
	e.clock.Advance(14 * port.Second)
	_, err = b.PutBlob(ctx, "owner", []byte("v2"), port.Cond{LeaseID: "A"})
	require.NoError(t, err, "renewed lease still valid")
	e.clock.Advance(2 * port.Second)
	_, err = b.PutBlob(ctx, "owner", []byte("v3"), port.Cond{LeaseID: "A"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "write with an expired lease")
	_, err = b.PutBlob(ctx, "owner", []byte("v3"), port.Cond{})
	require.NoError(t, err, "an expired lease does not fence")
	require.NoError(t, l.AcquireLease(ctx, "owner", "B", 15*port.Second))
	require.ErrorIs(t, l.RenewLease(ctx, "owner", "A"), port.ErrLeaseLost)
	_, err = b.PutBlob(ctx, "owner", []byte("v4"), port.Cond{LeaseID: "A"})
	require.ErrorIs(t, err, port.ErrLeaseLost)
}

func leaseBreakPeriod(e *env) {
	e.needTime()
	t, l := e.t, e.s.Leases
	_, err := e.s.Blob.PutBlob(ctx, "b", []byte("x"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, l.AcquireLease(ctx, "b", "A", 60*port.Second))
	br, err := l.BreakLease(ctx, "b", 10*port.Second)
	require.NoError(t, err)
	require.Equal(t, 10*port.Second, br.Remaining)
	require.ErrorIs(t, l.AcquireLease(ctx, "b", "B", 15*port.Second), port.ErrLeaseHeld, "breaking")
	e.clock.Advance(10 * port.Second)
	require.NoError(t, l.AcquireLease(ctx, "b", "B", 15*port.Second), "broken: acquirable")
}
