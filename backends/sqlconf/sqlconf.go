package sqlconf

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// Clock is a manual clock the cases move.
type Clock struct{ T port.Time }

// Now returns the clock's time.
func (c *Clock) Now() port.Time { return c.T }

// Open returns a fresh database on clock; the hub names of the cases are
// unique, so one database may serve them all, except that noSchema asks
// for a database whose schema was never created.
type Open func(t *testing.T, clock func() port.Time, noSchema bool) port.Relational

const lock = 120 * port.Second

type env struct {
	t   *testing.T
	db  port.Relational
	hub string
	c   *Clock
}

func (e *env) exec(p port.Proc) (any, error) {
	return e.db.Exec(context.Background(), e.hub, p)
}

func (e *env) must(p port.Proc) any {
	e.t.Helper()
	r, err := e.exec(p)
	require.NoError(e.t, err, "%T", p)
	return r
}

// Run runs every case.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		f    func(*env)
	}{
		{"create-query-conflict-restart", createQuery},
		{"lock-next-orchestration", lockNext},
		{"lock-expires", lockExpires},
		{"checkpoint", checkpoint},
		{"duplicate-execution", duplicateExecution},
		{"continue-as-new", continueAsNew},
		{"stale-execution", staleExecution},
		{"raise-retried", raiseRetried},
		{"timers", timers},
		{"tasks", tasks},
		{"raise-discard-purge", raiseDiscardPurge},
		{"purge-children", purgeChildren},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Clock{T: port.Time(1_700_000_000) * port.Second}
			e := &env{t: t, db: open(t, c.Now, false), hub: "hub" + string(rune('a'+i)), c: c}
			e.must(port.SQLCreateSchema{})
			e.must(port.SQLCreateSchema{}) // idempotent
			tc.f(e)
		})
	}
	t.Run("no-schema", func(t *testing.T) {
		c := &Clock{T: port.Second}
		db := open(t, c.Now, true)
		_, err := db.Exec(context.Background(), "nohub", port.SQLQueryInstance{Instance: "x"})
		require.ErrorIs(t, err, port.ErrNoSchema)
		_, err = db.Exec(context.Background(), "nohub", port.SQLLockNextOrchestration{Owner: "w", Lock: lock, Batch: 10})
		require.ErrorIs(t, err, port.ErrNoSchema)
	})
}
