package cli

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/internal/azurite"
)

// dflab azurite starts Azurite, prints a connection string the Azure
// backend opens (so the SDK's requests pass: the flags are right), and a
// real SIGINT stops it by its PID and exits 0.
func TestAzuriteCommandServesAndStopsOnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dflab binary and starts Azurite")
	}
	if _, err := azurite.FindBin(); err != nil && !azurite.InCI() {
		t.Skipf("skipping: %v", err)
	}
	root, err := azurite.RepoRoot()
	require.NoError(t, err)
	cmd := exec.Command(buildDflab(t), "azurite", "--blob-port", "0", "--queue-port", "0", "--table-port", "0")
	cmd.Dir = root
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	errLines := bufio.NewScanner(stderr)
	require.True(t, errLines.Scan(), "a line on stderr")
	m := regexp.MustCompile(`^azurite pid (\d+) on 127\.0\.0\.1: blob \d+, queue \d+, table \d+ \(data in memory\); Ctrl-C stops it$`).FindStringSubmatch(errLines.Text())
	require.NotNil(t, m, errLines.Text())
	pid, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	outLines := bufio.NewScanner(stdout)
	require.True(t, outLines.Scan(), "the connection string on stdout")
	conn := outLines.Text()

	s, err := azure.Open(context.Background(), conn, azure.Options{Namespace: "clitest"})
	require.NoError(t, err, "the SDK's requests pass")
	require.NoError(t, s.Drop(context.Background()))

	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	var rest strings.Builder
	for errLines.Scan() {
		rest.WriteString(errLines.Text() + "\n")
	}
	require.NoError(t, cmd.Wait(), rest.String())
	require.Equal(t, "azurite pid "+m[1]+" stopped\n", rest.String())
	require.True(t, errors.Is(syscall.Kill(pid, 0), syscall.ESRCH), "azurite pid %d is gone", pid)
}
