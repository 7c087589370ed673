package cluster

import (
	"context"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/stretchr/testify/require"
)

// Bad worker configurations fail with an error naming the flag and what
// is allowed, before anything is opened.
func TestWorkerRefusesBadConfig(t *testing.T) {
	ok := WorkerConfig{Name: "w1", Registry: durable.NewRegistry(),
		Shared: Shared{ConnectionString: "UseDevelopmentStorage=true", NATSURL: "nats://127.0.0.1:1"}}
	for _, tc := range []struct {
		change func(c *WorkerConfig)
		want   string
	}{
		{func(c *WorkerConfig) { c.Name = "" }, `--name = ""`},
		{func(c *WorkerConfig) { c.Name = "a/b" }, "[A-Za-z0-9_-]"},
		{func(c *WorkerConfig) { c.Engine = "sql" }, "allowed netherite, original"},
		{func(c *WorkerConfig) { c.Cores = -1 }, "--cores = -1"},
		{func(c *WorkerConfig) { c.Nodes = -2 }, "--nodes = -2"},
		{func(c *WorkerConfig) { c.Shared.NATSURL = "" }, "NATS URL is empty"},
		{func(c *WorkerConfig) { c.Shared.ConnectionString = "" }, "connection string is empty"},
		{func(c *WorkerConfig) { c.Registry = nil }, "registry is nil"},
	} {
		c := ok
		tc.change(&c)
		require.ErrorContains(t, RunWorker(context.Background(), c), tc.want)
	}
	// The original engine needs no stream.
	c := ok
	c.Engine, c.Shared.NATSURL = "original", ""
	require.NoError(t, c.check())
}
