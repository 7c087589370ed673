package check_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/check"
	"github.com/dflab/dflab/sim"
)

func TestOrderingFindsSendsBeforePersist(t *testing.T) {
	var o check.Ordering
	commit := port.Request{ID: 1, Op: port.PageWrite{Name: "np03/commit"}, Makes: port.Mark{Log: "np03/commit", Pos: 4096}}
	send := port.Request{ID: 2, Op: port.StreamAppend{Partition: 5}, Needs: port.Mark{Log: "np03/commit", Pos: 4096}}
	o.Issued(port.Second, "p3", commit)
	o.Issued(port.Second, "p3", send) // too early: the commit has not completed
	o.Completed(commit, fmt.Errorf("injected"))
	o.Issued(2*port.Second, "p3", send) // still too early: the commit failed
	o.Completed(commit, nil)
	o.Issued(3*port.Second, "p3", send)
	o.Issued(3*port.Second, "p3", port.Request{ID: 3, Op: port.StreamAppend{}}) // no Needs
	vs := o.Violations()
	require.Len(t, vs, 2)
	err := check.PersistBeforeSend(vs)
	require.EqualError(t, err, `persist-before-send: 2 request(s) issued before the log position they need was durable
  `+vs[0].String()+`
  `+vs[1].String())
	require.Contains(t, vs[0].String(), "p3: request 2 (stream-append) needs np03/commit@4096 but np03/commit is durable only to -1")
	require.NoError(t, check.PersistBeforeSend(nil))
}

func TestViolationsConvertFromBothDrivers(t *testing.T) {
	needs := port.Mark{Log: "np01/commit", Pos: 10}
	s := check.FromSim([]sim.Violation{{At: 5 * port.Second, Core: "p1", Request: 9, Kind: "stream-append", Needs: needs, Durable: 3}})
	h := check.FromHost([]host.Violation{{Core: "p1", Request: 9, Kind: "stream-append", Needs: needs, Durable: 3}})
	require.Equal(t, check.OrderViolation{At: 5 * port.Second, Core: "p1", Request: 9, Kind: "stream-append", Needs: needs, Durable: 3}, s[0])
	require.Equal(t, check.OrderViolation{Core: "p1", Request: 9, Kind: "stream-append", Needs: needs, Durable: 3}, h[0])
	require.Equal(t, "p1: request 9 (stream-append) needs np01/commit@10 but np01/commit is durable only to 3", h[0].String())
	many := make([]check.OrderViolation, 25)
	require.Contains(t, check.PersistBeforeSend(many).Error(), "\n  ... and 5 more")
}
