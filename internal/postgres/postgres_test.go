package postgres

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestStartQueryStop(t *testing.T) {
	s, err := StartServer(context.Background())
	skipOrFail(t, err)
	for _, cs := range []string{s.ConnString(), s.SocketConnString()} {
		c, err := pgx.Connect(context.Background(), cs)
		require.NoError(t, err, cs)
		var n int
		require.NoError(t, c.QueryRow(context.Background(), "select 1 + 1").Scan(&n))
		require.Equal(t, 2, n)
		require.NoError(t, c.Close(context.Background()))
	}
	pid, dir := s.PID(), s.Dir
	require.NoError(t, s.Stop())
	require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "the server is gone")
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "its directory is removed")
	require.NoError(t, s.Stop(), "Stop is idempotent")
}
