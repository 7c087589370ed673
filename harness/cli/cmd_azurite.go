package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/dflab/dflab/internal/azurite"
)

func cmdAzurite(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "azurite", "[--blob-port N] [--queue-port N] [--table-port N] [--bin FILE]", `
Starts the pinned Azurite (node_modules/.bin/azurite, installed by npm ci
from package-lock.json) on 127.0.0.1 with its data in memory and the flags
the Azure SDK needs (`+strings.Join(azurite.Flags, " ")+`),
prints its connection string on stdout, and runs until Ctrl-C (or
SIGTERM), then stops it by its process id. In another shell, set
DFLAB_AZURE_CONNECTION to that line: dflab run --backend azure reads it.
Port 0 lets the kernel choose a free port.`)
	blob := fs.Int("blob-port", azurite.DefaultPorts[0], "blob service port")
	queue := fs.Int("queue-port", azurite.DefaultPorts[1], "queue service port")
	table := fs.Int("table-port", azurite.DefaultPorts[2], "table service port")
	bin := fs.String("bin", "", "Azurite launcher (default: node_modules/.bin/azurite above the working directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, p := range []struct {
		flag string
		v    int
	}{{"--blob-port", *blob}, {"--queue-port", *queue}, {"--table-port", *table}} {
		if p.v < 0 || p.v > 65535 {
			return fmt.Errorf("%s %d: allowed 0 (any free port) to 65535", p.flag, p.v)
		}
	}
	s, err := azurite.StartServer(ctx, azurite.Options{Bin: *bin, BlobPort: *blob, QueuePort: *queue, TablePort: *table})
	if err != nil {
		return err
	}
	defer s.Stop()
	fmt.Fprintln(e.stdout, s.ConnString())
	fmt.Fprintf(e.stderr, "azurite pid %d on 127.0.0.1: blob %d, queue %d, table %d (data in memory); Ctrl-C stops it\n",
		s.PID(), s.BlobPort, s.QueuePort, s.TablePort)
	select {
	case <-ctx.Done():
	case <-s.Done():
		return fmt.Errorf("azurite pid %d exited by itself", s.PID())
	}
	if err := s.Stop(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "azurite pid %d stopped\n", s.PID())
	return nil
}
