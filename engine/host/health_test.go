package host

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// healthCore reports the health a client call carries (as data in Ready).
type healthCore struct{ rd port.Ready }

func (c *healthCore) Step(_ port.Time, in port.Input) {
	if call, ok := in.(port.ClientCall); ok {
		c.rd.Health = append(c.rd.Health, call.Req.([]port.Health)...)
	}
}
func (c *healthCore) Ready() port.Ready  { return c.rd }
func (c *healthCore) Advance(port.Ready) { c.rd = port.Ready{} }

// The driver keeps each unit's latest report, lists them by unit, and
// hands every report to Config.OnHealth.
func TestDriverCollectsHealth(t *testing.T) {
	seen := make(chan port.Health, 10)
	d, err := New(Config{Stores: &port.Stores{}, OnHealth: func(_ CoreID, h port.Health) { seen <- h }})
	require.NoError(t, err)
	ca := d.AddCore("a", func() port.Core { return &healthCore{} })
	cb := d.AddCore("b", func() port.Core { return &healthCore{} })
	d.Start(context.Background())
	defer d.Stop()
	report := func(c CoreID, hs ...port.Health) {
		d.Call(c, port.ClientCall{Req: hs})
		for range hs {
			<-seen // recorded before OnHealth is called
		}
	}
	report(ca, port.Health{Unit: "p01", State: port.HealthRecovering}, port.Health{Unit: "p00", State: port.HealthOK})
	report(cb, port.Health{Unit: "p02", State: port.HealthRestarting, Reason: "read log: transient", Restarts: 3})
	report(ca, port.Health{Unit: "p01", State: port.HealthFailed, Reason: "corrupt stored data: log x at offset 0: a flush"})
	got := d.Health()
	require.Equal(t, []UnitHealth{
		{Core: "a", Health: port.Health{Unit: "p00", State: port.HealthOK}},
		{Core: "a", Health: port.Health{Unit: "p01", State: port.HealthFailed, Reason: "corrupt stored data: log x at offset 0: a flush"}},
		{Core: "b", Health: port.Health{Unit: "p02", State: port.HealthRestarting, Reason: "read log: transient", Restarts: 3}},
	}, got)
	require.Equal(t, "p01: failed: corrupt stored data: log x at offset 0: a flush", got[1].String())
	require.Equal(t, "p02: restarting (3 restarts): read log: transient", got[2].String())
}
