package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// A standby of rank r tries for a held lease on the ticks of period
// r×TakeoverPoll offset by rank; an owner (rank 0) every AcquireRetry.
func TestStandbyTriesOnItsRanksTicks(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 2, Clients: 1, Registry: durable.NewRegistry()}
	_, err := NewStandby(cfg, 0, "n1", 0)
	require.ErrorContains(t, err, "standby rank 0: allowed >= 1")
	s := port.Second
	for _, c := range []struct {
		rank      int
		now, want port.Time
	}{
		{0, 3500 * port.Millisecond, s},
		{1, 3500 * port.Millisecond, 1500 * port.Millisecond}, // ticks at 5s, 15s, ...
		{1, 5 * s, 10 * s},
		{2, 3500 * port.Millisecond, 2125 * port.Millisecond}, // ticks at 5.625s, 25.625s, ...
		{2, 6 * s, 19625 * port.Millisecond},
		{3, 0, 6250 * port.Millisecond},
		{9, 0, 5 * s}, // offsets repeat every 8 ranks
	} {
		x, err := NewPartition(cfg, 0, "n1")
		require.NoError(t, err)
		x.standby = c.rank
		x.SetNow(c.now)
		require.Equal(t, c.want, x.acquireWait(), "rank %d at %v", c.rank, c.now)
	}
}

// TakeOver answers at once, ends the standby's rank and cuts its wait
// short: the lease is tried at once.
func TestTakeOverTriesTheLeaseNow(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 2, Clients: 1, Registry: durable.NewRegistry()}
	x, err := NewStandby(cfg, 1, "n1", 2)
	require.NoError(t, err)
	x.Step(0, port.Started{})
	rd := x.Ready()
	require.Empty(t, rd.Requests, "a standby waits AcquireRetry before its first try")
	require.Len(t, rd.Timers, 1)
	first := rd.Timers[0].ID
	x.Advance(rd)
	x.Step(port.Millisecond, port.ClientCall{ID: 7, Req: TakeOver{}})
	rd = x.Ready()
	require.Equal(t, []port.Response{{ID: 7}}, rd.Responses)
	require.Len(t, rd.Requests, 2, "log create (if missing) and lease acquire, as an owner boots")
	require.IsType(t, port.LeaseAcquire{}, rd.Requests[1].Op)
	require.Zero(t, x.Standby())
	x.Advance(rd)
	x.Step(port.Second, port.TimerFired{ID: first})
	require.Empty(t, x.Ready().Requests, "the superseded wait does nothing")
}

// A standby only tries for the lease; if the log does not exist (the core
// placed first never created it), it creates it and tries again.
func TestStandbyCreatesTheLogOnlyIfMissing(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 2, Clients: 1, Registry: durable.NewRegistry()}
	x, err := NewStandby(cfg, 1, "n1", 1)
	require.NoError(t, err)
	x.Step(0, port.Started{})
	rd := x.Ready()
	x.Advance(rd)
	x.Step(port.Second, port.TimerFired{ID: rd.Timers[0].ID})
	rd = x.Ready()
	require.Len(t, rd.Requests, 1)
	require.IsType(t, port.LeaseAcquire{}, rd.Requests[0].Op)
	x.Advance(rd)
	x.Step(port.Second+port.Millisecond, port.Completion{ID: rd.Requests[0].ID, Err: port.NotFound("blob", "h/p01/log")})
	rd = x.Ready()
	require.Len(t, rd.Requests, 2)
	require.IsType(t, port.PageCreate{}, rd.Requests[0].Op)
	require.IsType(t, port.LeaseAcquire{}, rd.Requests[1].Op)
}
