package dflab_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/internal/postgres"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/stretchr/testify/require"
)

// runSuite runs every scenario of the end-to-end suite on a fresh engine
// made by opts (one task hub per scenario).
func runSuite(t *testing.T, opts func(t *testing.T, name string) dflab.Options) {
	runScenarios(t, scenarios.Suite(), opts)
}

func runScenarios(t *testing.T, scs []scenarios.Scenario, opts func(t *testing.T, name string) dflab.Options) {
	for _, sc := range scs {
		t.Run(sc.Name, func(t *testing.T) {
			reg := durable.NewRegistry()
			require.NoError(t, sc.Setup(reg))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, reg, opts(t, sc.Name))
			require.NoError(t, err)
			res, err := scenarios.RunReal(ctx, e, sc)
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			require.Empty(t, e.Violations())
			require.NoError(t, e.Stop())
		})
	}
}

func TestNetheriteOnMem(t *testing.T) {
	runSuite(t, func(t *testing.T, _ string) dflab.Options {
		return dflab.Options{Engine: "netherite", Storage: "mem", Partitions: 4}
	})
}

func TestNetheriteOnDisk(t *testing.T) {
	runSuite(t, func(t *testing.T, _ string) dflab.Options {
		return dflab.Options{Engine: "netherite", Storage: "disk", Dir: t.TempDir(), Partitions: 4}
	})
}

func TestOriginalOnMem(t *testing.T) {
	runSuite(t, func(t *testing.T, _ string) dflab.Options {
		return dflab.Options{Engine: "original", Storage: "mem", Workers: 2, ControlQueues: 4, MaxPoll: 100 * time.Millisecond}
	})
}

// The parity table (issue 22) for real: Netherite on mem and on disk, the
// original engine on mem (with extended sessions it runs in the simulator:
// internal/scenarios TestParityInSimulator), all with replayCheck on, and
// the sql engine on mem and on PostgreSQL.
func TestParityForReal(t *testing.T) {
	t.Run("netherite-mem", func(t *testing.T) {
		runScenarios(t, scenarios.Parity(), func(t *testing.T, _ string) dflab.Options {
			return dflab.Options{Engine: "netherite", Storage: "mem", Partitions: 4, Knobs: replayCheck}
		})
	})
	t.Run("netherite-disk", func(t *testing.T) {
		runScenarios(t, scenarios.Parity(), func(t *testing.T, _ string) dflab.Options {
			return dflab.Options{Engine: "netherite", Storage: "disk", Dir: t.TempDir(), Partitions: 4, Knobs: replayCheck}
		})
	})
	t.Run("original-mem", func(t *testing.T) {
		runScenarios(t, scenarios.Parity(), func(t *testing.T, _ string) dflab.Options {
			return dflab.Options{Engine: "original", Storage: "mem", Workers: 2, ControlQueues: 4, MaxPoll: 100 * time.Millisecond,
				Knobs: replayCheck}
		})
	})
	t.Run("sql-mem", func(t *testing.T) {
		runSQLScenarios(t, scenarios.Parity(), func(int) dflab.Options { return dflab.Options{Engine: "sql", Storage: "mem", Workers: 2} })
	})
	t.Run("sql-postgres", func(t *testing.T) {
		pg := postgres.Start(t)
		runSQLScenarios(t, scenarios.Parity(), func(i int) dflab.Options {
			return dflab.Options{Engine: "sql", Storage: "postgres", ConnectionString: pg.ConnString(),
				Namespace: fmt.Sprintf("parity%d", i), Workers: 2}
		})
	})
}

var replayCheck = map[string]string{"replayCheck": "true"}

func TestOnAzurite(t *testing.T) {
	conn := azurite.Start(t)
	n := 0
	for _, engine := range []string{"original", "netherite"} {
		t.Run(engine, func(t *testing.T) {
			runSuite(t, func(t *testing.T, _ string) dflab.Options {
				n++
				return dflab.Options{Engine: engine, Storage: "azure", ConnectionString: conn, Namespace: fmt.Sprintf("tst%d", n),
					Transport: "nats", Dir: t.TempDir(), Partitions: 4, Workers: 2, MaxPoll: 100 * time.Millisecond}
			})
		})
	}
}

// What a Netherite engine on disk acknowledged survives a restart.
func TestNetheriteOnDiskSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Echo", func(ctx durable.ActivityContext) (any, error) {
		var s string
		err := ctx.GetInput(&s)
		return s, err
	}))
	require.NoError(t, reg.AddOrchestrator("Echo", func(ctx *durable.OrchestrationContext) (any, error) {
		var s string
		if err := ctx.GetInput(&s); err != nil {
			return nil, err
		}
		return s, ctx.CallActivity("Echo", s).Await(&s)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := dflab.Options{Engine: "netherite", Storage: "disk", Dir: dir, Partitions: 2}
	e, err := dflab.Start(ctx, reg, opts)
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		_, err := e.Client().Start(ctx, "Echo", fmt.Sprint(i), durable.StartWithID(fmt.Sprintf("e%d", i)))
		require.NoError(t, err)
	}
	for i := 0; i < 10; i++ {
		st, err := e.Client().Wait(ctx, fmt.Sprintf("e%d", i))
		require.NoError(t, err)
		require.Equal(t, durable.StatusCompleted, st.Status)
	}
	require.NoError(t, e.Stop())

	_, err = e.Client().Start(ctx, "Echo", "late")
	require.ErrorIs(t, err, dflab.ErrStopped, "a stopped engine answers, it does not hang")
	_, err = e.Client().Wait(ctx, "e0")
	require.ErrorIs(t, err, dflab.ErrStopped)

	e, err = dflab.Start(ctx, reg, opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Stop()) }()
	for i := 0; i < 10; i++ {
		st, err := e.Client().Status(ctx, fmt.Sprintf("e%d", i))
		require.NoError(t, err)
		require.Equal(t, durable.StatusCompleted, st.Status)
		require.Equal(t, fmt.Sprintf("%q", fmt.Sprint(i)), string(st.Output))
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	reg := durable.NewRegistry()
	ctx := context.Background()
	for opts, want := range map[*dflab.Options]string{
		{Engine: "temporal"}:                                             `Options.Engine = "temporal": allowed netherite, original, sql`,
		{Storage: "s3"}:                                                  `Options.Storage = "s3": allowed mem, disk, azure, postgres`,
		{Storage: "disk"}:                                                "needs Options.Dir",
		{Engine: "original", Storage: "disk"}:                            "the original engine needs queues and tables",
		{Speculation: "eager"}:                                           "Options.Speculation",
		{Storage: "mem", Transport: "carrier"}:                           `Options.Transport = "carrier"`,
		{Storage: "azure"}:                                               "needs Options.ConnectionString",
		{Engine: "netherite", Partitions: 100000}:                        "Partitions = 100000",
		{Engine: "original", Visibility: 500 * time.Millisecond}:         "Options.Visibility = 500ms: allowed 1s..7d",
		{Engine: "original", Visibility: -time.Second}:                   "Options.Visibility = -1s: allowed 1s..7d",
		{Engine: "original", Visibility: 8 * 24 * time.Hour}:             "Options.Visibility = 192h0m0s: allowed 1s..7d",
		{Knobs: map[string]string{"colour": "red"}}:                      "knob colour of system netherite: no such knob; allowed partitions",
		{Knobs: map[string]string{"takeoverPoll": "5s"}}:                 "knob takeoverPoll of system netherite: the real runner cannot honour it",
		{Engine: "original", Knobs: map[string]string{"maxPoll": "-1s"}}: `knob maxPoll of system original: "-1s": allowed a duration > 0`,
	} {
		_, err := dflab.Start(ctx, reg, *opts)
		require.ErrorContains(t, err, want)
	}
	_, err := dflab.Start(ctx, nil, dflab.Options{})
	require.ErrorContains(t, err, "registry is nil")
}

// A status request on an entity id answers with the entity's state, on
// both engines.
func TestEntityStatusReadsState(t *testing.T) {
	for _, engine := range []string{"netherite", "original"} {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, crashRegistry(t), dflab.Options{Engine: engine, Partitions: 2, MaxPoll: 100 * time.Millisecond})
			require.NoError(t, err)
			defer func() { require.NoError(t, e.Stop()) }()
			_, err = e.Client().Status(ctx, counter.String())
			require.ErrorContains(t, err, "unknown instance", "no state yet")
			for i := 0; i < 3; i++ {
				id, err := e.Client().Start(ctx, "Work", i)
				require.NoError(t, err)
				st, err := e.Client().Wait(ctx, id)
				require.NoError(t, err)
				require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
			}
			st, err := e.Client().Status(ctx, counter.String())
			require.NoError(t, err)
			require.JSONEq(t, `{"0":1,"1":1,"2":1}`, string(st.Output), "each instance's update applied once")
			require.Equal(t, "Counter", st.Name)
		})
	}
}

// Client.Start with JSON bytes hands the orchestrator that JSON (as
// Work's integer input), not a base64 string of it, on every engine.
func TestClientStartTakesJSONBytes(t *testing.T) {
	for _, engine := range []string{"netherite", "original", "sql"} {
		t.Run(engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, crashRegistry(t), dflab.Options{Engine: engine, Partitions: 2, MaxPoll: 100 * time.Millisecond})
			require.NoError(t, err)
			defer func() { require.NoError(t, e.Stop()) }()
			id, err := e.Client().Start(ctx, "Work", []byte(`7`))
			require.NoError(t, err)
			st, err := e.Client().Wait(ctx, id)
			require.NoError(t, err)
			require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
			require.Equal(t, "7", string(st.Input))
			require.Equal(t, "49", string(st.Output))
		})
	}
}

// Engine.Health lists every partition (Netherite) or control queue
// (original) with its state; the unit an instance ran on is ok.
func TestHealthListsEveryUnit(t *testing.T) {
	for _, c := range []struct {
		opts  dflab.Options
		units []string
	}{
		{dflab.Options{Engine: "netherite", Partitions: 3}, []string{"p00", "p01", "p02"}},
		{dflab.Options{Engine: "original", ControlQueues: 2, MaxPoll: 100 * time.Millisecond}, []string{"control-00", "control-01"}},
	} {
		t.Run(c.opts.Engine, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, crashRegistry(t), c.opts)
			require.NoError(t, err)
			defer func() { require.NoError(t, e.Stop()) }()
			_, err = e.Client().Start(ctx, "Work", 3, durable.StartWithID("h1"))
			require.NoError(t, err)
			st, err := e.Client().Wait(ctx, "h1")
			require.NoError(t, err)
			require.Equal(t, "9", string(st.Output))
			hs := e.Health()
			require.Len(t, hs, len(c.units))
			ok := 0
			for i, h := range hs {
				require.Equal(t, c.units[i], h.Unit)
				if h.State == port.HealthOK {
					ok++
				}
			}
			require.Positive(t, ok, "the unit h1 ran on is ok: %v", hs)
		})
	}
}

// One directory holds one task hub: reopening it needs the same hub and
// engine, and a directory dflab did not make is refused, never mixed.
func TestDirHoldsOneTaskHub(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reg := durable.NewRegistry()
	dir := filepath.Join(t.TempDir(), "hub") // absent: created
	opts := dflab.Options{Engine: "netherite", Storage: "disk", Dir: dir, Partitions: 2, Hub: "a"}
	e, err := dflab.Start(ctx, reg, opts)
	require.NoError(t, err)
	require.NoError(t, e.Stop())
	data, err := os.ReadFile(filepath.Join(dir, dflab.HubFile))
	require.NoError(t, err)
	require.JSONEq(t, `{"hub":"a","engine":"netherite"}`, string(data))

	e, err = dflab.Start(ctx, reg, opts) // the same hub, reopened
	require.NoError(t, err)
	require.NoError(t, e.Stop())

	other := opts
	other.Hub = "b"
	_, err = dflab.Start(ctx, reg, other)
	require.ErrorContains(t, err, `holds task hub "a" of engine netherite; reopening it needs Options.Hub "a" and Engine "netherite", a new hub needs an empty directory`)

	foreign := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o600))
	other = opts
	other.Dir = foreign
	_, err = dflab.Start(ctx, reg, other)
	require.ErrorContains(t, err, "is not empty and holds no task hub")
	require.ErrorContains(t, err, "e.g. notes.txt, and no dflab-hub.json")
}
