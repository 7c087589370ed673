package dflab_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
)

// The client's lifecycle calls on every engine for real: a scheduled
// start (StartAt) is Pending until its time and WaitForStart returns once
// it runs; QueryInstances pages through instances by name; PurgeInstances
// purges the finished ones a filter selects and leaves the rest, their
// sub-orchestrations with them unless PurgeOnlyThis.
func TestClientLifecycleCalls(t *testing.T) {
	for name, opts := range map[string]dflab.Options{
		"netherite": {Engine: "netherite", Storage: "mem", Partitions: 4},
		"original":  {Engine: "original", Storage: "mem", Workers: 2, ControlQueues: 4, MaxPoll: 100 * time.Millisecond},
		"sql":       {Engine: "sql", Storage: "mem", Workers: 2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			reg := durable.NewRegistry()
			require.NoError(t, reg.AddOrchestrator("Echo", func(ctx *durable.OrchestrationContext) (any, error) {
				var s string
				err := ctx.GetInput(&s)
				return s, err
			}))
			require.NoError(t, setupGatedForTest(reg))
			require.NoError(t, reg.AddOrchestrator("Parent", func(ctx *durable.OrchestrationContext) (any, error) {
				var s string
				err := ctx.CallSubOrchestrator("Echo", "child", durable.WithInstanceID(ctx.InstanceID()+"-child")).Await(&s)
				return s, err
			}))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, reg, opts)
			require.NoError(t, err)
			defer func() { require.NoError(t, e.Stop()) }()
			c := e.Client()

			at := time.Now().Add(time.Second)
			_, err = c.Start(ctx, "Echo", "later", durable.StartWithID("later"), durable.StartAt(at))
			require.NoError(t, err)
			st, err := c.Status(ctx, "later")
			require.NoError(t, err)
			require.Equal(t, durable.StatusPending, st.Status, "before its time")
			st, err = c.WaitForStart(ctx, "later")
			require.NoError(t, err)
			require.NotEqual(t, durable.StatusPending, st.Status)
			require.False(t, time.Now().Before(at), "it started at its time, not before")
			_, err = c.WaitForStart(ctx, "never-started")
			require.True(t, errors.Is(err, durable.ErrUnknownInstance), "%v", err)

			for _, id := range []string{"echo-1", "echo-2", "echo-3"} {
				_, err := c.Start(ctx, "Echo", id, durable.StartWithID(id))
				require.NoError(t, err)
				_, err = c.Wait(ctx, id)
				require.NoError(t, err)
			}
			_, err = c.Start(ctx, "Gated", "x", durable.StartWithID("echo-gated"))
			require.NoError(t, err)
			_, err = c.WaitForStart(ctx, "echo-gated")
			require.NoError(t, err)
			_, err = c.Wait(ctx, "later")
			require.NoError(t, err)

			var ids []string
			q := durable.InstanceQuery{NamePrefix: "Echo", PageSize: 2}
			for {
				page, err := c.QueryInstances(ctx, q)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page.Instances), 2)
				for _, st := range page.Instances {
					ids = append(ids, st.InstanceID)
				}
				if page.ContinuationToken == "" {
					break
				}
				q.ContinuationToken = page.ContinuationToken
			}
			require.Equal(t, []string{"echo-1", "echo-2", "echo-3", "later"}, ids)

			n, err := c.PurgeInstances(ctx, durable.InstanceQuery{NamePrefix: "Echo"})
			require.NoError(t, err)
			require.Equal(t, 4, n)
			_, err = c.Status(ctx, "echo-2")
			require.True(t, errors.Is(err, durable.ErrUnknownInstance), "%v", err)
			st, err = c.Status(ctx, "echo-gated")
			require.NoError(t, err, "a running instance of another name is left")
			require.Equal(t, durable.StatusRunning, st.Status)

			// Purge recurses into sub-orchestrations unless PurgeOnlyThis:
			// a filter that selects the parents purges their children too,
			// and counts them.
			for _, id := range []string{"parent-1", "parent-2"} {
				_, err := c.Start(ctx, "Parent", nil, durable.StartWithID(id))
				require.NoError(t, err)
				st, err := c.Wait(ctx, id)
				require.NoError(t, err)
				require.Equal(t, `"child"`, string(st.Output))
			}
			n, err = c.PurgeInstances(ctx, durable.InstanceQuery{NamePrefix: "Parent"}, durable.PurgeOnlyThis())
			require.NoError(t, err)
			require.Equal(t, 2, n, "the parents only")
			st, err = c.Status(ctx, "parent-1-child")
			require.NoError(t, err, "PurgeOnlyThis left the child")
			require.Equal(t, durable.StatusCompleted, st.Status)
			_, err = c.Start(ctx, "Parent", nil, durable.StartWithID("parent-3"))
			require.NoError(t, err)
			_, err = c.Wait(ctx, "parent-3")
			require.NoError(t, err)
			n, err = c.PurgeInstances(ctx, durable.InstanceQuery{NamePrefix: "Parent"})
			require.NoError(t, err)
			require.Equal(t, 2, n, "parent-3 and its child")
			_, err = c.Status(ctx, "parent-3-child")
			require.True(t, errors.Is(err, durable.ErrUnknownInstance), "%v", err)
			require.NoError(t, c.Purge(ctx, "parent-1-child"))
			require.NoError(t, c.Purge(ctx, "parent-2-child"))

			n, err = c.PurgeInstances(ctx, durable.InstanceQuery{})
			require.NoError(t, err)
			require.Zero(t, n, "the running instance is not purged")
		})
	}
}

func setupGatedForTest(reg *durable.Registry) error {
	return reg.AddOrchestrator("Gated", func(ctx *durable.OrchestrationContext) (any, error) {
		return nil, ctx.WaitForExternalEvent("go").Await(nil)
	})
}
