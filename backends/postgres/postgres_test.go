package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/postgres"
	"github.com/dflab/dflab/backends/sqlconf"
	"github.com/dflab/dflab/engine/port"
	pgtest "github.com/dflab/dflab/internal/postgres"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := pgtest.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

var schemas atomic.Int64

// open returns a store on a schema of its own.
func open(t *testing.T, clock func() port.Time) *postgres.Store {
	s := pgtest.Shared(t)
	st, err := postgres.Open(context.Background(), s.ConnString(),
		postgres.Options{Schema: fmt.Sprintf("t%d", schemas.Add(1)), Clock: clock, MaxConns: 4})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	return st
}

func TestConformance(t *testing.T) {
	sqlconf.Run(t, func(t *testing.T, clock func() port.Time, _ bool) port.Relational { return open(t, clock) })
}

func TestBadInput(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", postgres.Options{})
	require.ErrorContains(t, err, "postgres: connect to 127.0.0.1:1")
	_, err = postgres.Open(context.Background(), "host=/nonexistent", postgres.Options{Schema: "Bad-Name"})
	require.EqualError(t, err, `postgres: Options.Schema = "Bad-Name": allowed 1..41 of [a-z0-9_], not starting with a digit`)
}
