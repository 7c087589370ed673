package dflab_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
)

// Oversized payloads get clear errors on both engines, at the same limit,
// and cost nothing else: a client request over the limit is refused, an
// activity result over it fails the task (the orchestration sees a task
// failure), an orchestration output over it fails the orchestration; the
// engine keeps serving normal work afterwards.
func TestOversizedPayloadsAreRefusedAlike(t *testing.T) {
	big := strings.Repeat("x", durable.MaxPayloadBytes)
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Big", func(durable.ActivityContext) (any, error) { return big, nil }))
	require.NoError(t, reg.AddActivity("Small", func(durable.ActivityContext) (any, error) { return "ok", nil }))
	require.NoError(t, reg.AddOrchestrator("CallsBig", func(ctx *durable.OrchestrationContext) (any, error) {
		err := ctx.CallActivity("Big", nil).Await(nil)
		return "survived", err
	}))
	require.NoError(t, reg.AddOrchestrator("ReturnsBig", func(*durable.OrchestrationContext) (any, error) { return big, nil }))
	require.NoError(t, reg.AddOrchestrator("Normal", func(ctx *durable.OrchestrationContext) (any, error) {
		var s string
		err := ctx.CallActivity("Small", nil).Await(&s)
		return s, err
	}))
	for _, engine := range []string{"netherite", "original"} {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, reg, dflab.Options{Engine: engine, Partitions: 2, MaxPoll: 50 * time.Millisecond})
			require.NoError(t, err)
			defer e.Stop()
			c := e.Client()

			_, err = e.Do(ctx, durable.ClientRequest{Kind: durable.RequestStart, Instance: "raw", Name: "Normal",
				Payload: []byte(`"` + big + `"`)})
			require.ErrorIs(t, err, durable.ErrPayloadTooLarge)
			require.ErrorContains(t, err, "the limit is 262144")
			_, err = c.Start(ctx, "Normal", big)
			require.ErrorIs(t, err, durable.ErrPayloadTooLarge)

			id, err := c.Start(ctx, "CallsBig", nil)
			require.NoError(t, err)
			st, err := c.Wait(ctx, id)
			require.NoError(t, err)
			require.Equal(t, durable.StatusFailed, st.Status)
			require.Contains(t, st.Failure, "payload too large")

			id, err = c.Start(ctx, "ReturnsBig", nil)
			require.NoError(t, err)
			st, err = c.Wait(ctx, id)
			require.NoError(t, err)
			require.Equal(t, durable.StatusFailed, st.Status)
			require.Contains(t, st.Failure, "orchestration output: payload too large")

			id, err = c.Start(ctx, "Normal", nil)
			require.NoError(t, err)
			st, err = c.Wait(ctx, id)
			require.NoError(t, err)
			require.Equal(t, durable.StatusCompleted, st.Status)
			require.Equal(t, `"ok"`, string(st.Output))
		})
	}
}
