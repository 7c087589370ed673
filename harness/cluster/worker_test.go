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

// A local cluster with a bad configuration is refused before any process
// starts (a namespace Azure would refuse used to start Azurite and NATS,
// then each worker died on it).
func TestLocalRefusesBadConfig(t *testing.T) {
	ok := Local{Dir: t.TempDir(), Workers: 2, Engine: "netherite", Namespace: "bench"}
	for _, tc := range []struct {
		change func(l *Local)
		want   string
	}{
		{func(l *Local) { l.Namespace = "b1" }, `--namespace: bad request: Options.Namespace = "b1", allowed: empty, or 3..24 of [a-z0-9] starting with a letter`},
		{func(l *Local) { l.Workers = 0 }, "--workers 0: allowed 1..16"},
		{func(l *Local) { l.Engine = "sql" }, `--engine "sql": allowed netherite | original`},
		{func(l *Local) { l.Dir = "" }, "--dir is empty"},
	} {
		l := ok
		tc.change(&l)
		require.ErrorContains(t, l.Up(context.Background(), func(State) { t.Fatal("a bad cluster came up") }), tc.want)
	}
	require.NoError(t, ok.check())
}
