package azurite_test

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/internal/azurite"
)

func TestStartServerListensAndStops(t *testing.T) {
	if _, err := azurite.FindBin(); err != nil && !azurite.InCI() {
		t.Skipf("skipping: %v", err)
	}
	s, err := azurite.StartServer(context.Background(), azurite.Options{})
	require.NoError(t, err)
	ports := []int{s.BlobPort, s.QueuePort, s.TablePort}
	for _, p := range ports {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		require.NoError(t, err)
		require.NoError(t, c.Close())
	}
	require.Contains(t, s.ConnString(), "BlobEndpoint=http://127.0.0.1:"+strconv.Itoa(s.BlobPort)+"/")
	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop(), "Stop is idempotent")
	for _, p := range ports {
		_, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		require.Error(t, err, "port %d still open after Stop", p)
	}
}

func TestStartServerMissingBinary(t *testing.T) {
	_, err := azurite.StartServer(context.Background(), azurite.Options{Bin: t.TempDir() + "/nope"})
	require.ErrorIs(t, err, azurite.ErrNotInstalled)
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "true": true, "1": true} {
		t.Setenv("CI", v)
		require.Equal(t, want, azurite.InCI(), "CI=%q", v)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := azurite.RepoRoot()
	require.NoError(t, err)
	require.FileExists(t, root+"/go.mod")
}
