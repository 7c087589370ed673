package dflab_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/postgres"
	"github.com/dflab/dflab/internal/scenarios"
)

// runSQL runs the sql engine's suite, the scenarios in parallel (each
// waits on the client's one-second polls), one engine and schema each.
func runSQL(t *testing.T, opts func(i int) dflab.Options) {
	runSQLScenarios(t, scenarios.SQLSuite(), opts)
}

func runSQLScenarios(t *testing.T, suite []scenarios.Scenario, opts func(i int) dflab.Options) {
	for i, sc := range suite {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			reg := durable.NewRegistry()
			require.NoError(t, sc.Setup(reg))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			e, err := dflab.Start(ctx, reg, opts(i))
			require.NoError(t, err)
			res, err := scenarios.RunReal(ctx, e, sc)
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			require.NoError(t, e.Stop())
		})
	}
}

func TestSQLOnMem(t *testing.T) {
	runSQL(t, func(int) dflab.Options { return dflab.Options{Engine: "sql", Storage: "mem", Workers: 2} })
}

func TestSQLOnPostgres(t *testing.T) {
	pg := postgres.Start(t)
	runSQL(t, func(i int) dflab.Options {
		return dflab.Options{Engine: "sql", Storage: "postgres", ConnectionString: pg.ConnString(),
			Namespace: fmt.Sprintf("suite%d", i), Workers: 2}
	})
}

func TestSQLBadStorage(t *testing.T) {
	reg := durable.NewRegistry()
	_, err := dflab.Start(context.Background(), reg, dflab.Options{Engine: "sql", Storage: "disk", Dir: t.TempDir()})
	require.ErrorContains(t, err, "storage disk: the sql engine needs a relational store; allowed mem, postgres")
	_, err = dflab.Start(context.Background(), reg, dflab.Options{Engine: "sql", Storage: "postgres"})
	require.ErrorContains(t, err, "Options.Storage = postgres needs Options.ConnectionString")
	_, err = dflab.Start(context.Background(), reg, dflab.Options{Engine: "sql", Storage: "postgres",
		ConnectionString: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"})
	require.ErrorContains(t, err, "postgres: connect to 127.0.0.1:1")
}

// The database goes away mid-run (PostgreSQL halted by its PID) and comes
// back on the same data: while it is gone every worker reports itself
// restarting with the connection error and the client's calls wait; once
// it is back the workers poll again, and every start that was
// acknowledged before the outage completes with its output.
func TestSQLSurvivesPostgresOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("halts and resumes a PostgreSQL cluster")
	}
	pg := postgres.Start(t)
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Square", func(ctx durable.ActivityContext) (any, error) {
		var n int
		err := ctx.GetInput(&n)
		return n * n, err
	}))
	require.NoError(t, reg.AddOrchestrator("Squares", func(ctx *durable.OrchestrationContext) (any, error) {
		var n, sum int
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		for i := 1; i <= 3; i++ {
			var sq int
			if err := ctx.CallActivity("Square", n+i).Await(&sq); err != nil {
				return nil, err
			}
			sum += sq
		}
		return sum, nil
	}))
	var logs []string
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := dflab.Start(ctx, reg, dflab.Options{Engine: "sql", Storage: "postgres", ConnectionString: pg.ConnString() + "&connect_timeout=2",
		Namespace: "outage", Workers: 2,
		// A lock a worker took just before the halt outlives its failed
		// transaction: with the provider's 2-min default the instance
		// would wait out the test's context; 10 s is the provider's least.
		Knobs: map[string]string{"lockTimeout": "10s"}, Logf: func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }})
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Stop()) }()
	const n = 20
	for i := range n {
		_, err := e.Client().Start(ctx, "Squares", i, durable.StartWithID(fmt.Sprintf("o%d", i)))
		require.NoError(t, err)
	}
	require.NoError(t, pg.Halt())
	// A call during the outage waits for the database rather than failing
	// for good; the workers say why they are not working.
	short, stop := context.WithTimeout(ctx, 3*time.Second)
	_, err = e.Client().Status(short, "o0")
	stop()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Eventually(t, func() bool {
		for _, h := range e.Health() {
			if h.State != port.HealthRestarting || !strings.Contains(h.Reason, "polling the database failed") {
				return false
			}
		}
		return len(e.Health()) == 2
	}, 30*time.Second, 50*time.Millisecond, "both workers report the outage: %v", e.Health())
	h := e.Health()[0]
	require.Regexp(t, `postgres: lock-next-(orchestration|task): `, h.Reason, "the reason names the database and the call that failed")

	require.NoError(t, pg.Resume(ctx))
	for i := range n {
		st, err := e.Client().Wait(ctx, fmt.Sprintf("o%d", i))
		require.NoError(t, err)
		require.Equal(t, durable.StatusCompleted, st.Status, "o%d: %s", i, st.Failure)
		want := 0
		for k := 1; k <= 3; k++ {
			want += (i + k) * (i + k)
		}
		require.Equal(t, fmt.Sprint(want), string(st.Output), "o%d", i)
	}
	require.Eventually(t, func() bool {
		for _, h := range e.Health() {
			if h.State != port.HealthOK {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "the workers are ok again: %v", e.Health())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, logs, "the outage was logged")
	require.Contains(t, strings.Join(logs, "\n"), "worker0: restarting")
}

// The task hub's schema dropped under a running engine: the workers report
// the missing schema as the reason they are not working, create it again
// and go on; an orchestration started after that completes.
func TestSQLRecreatesADroppedSchema(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	pg := postgres.Start(t)
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Echo", func(ctx durable.ActivityContext) (any, error) {
		var s string
		err := ctx.GetInput(&s)
		return s, err
	}))
	require.NoError(t, reg.AddOrchestrator("Once", func(ctx *durable.OrchestrationContext) (any, error) {
		var s string
		err := ctx.CallActivity("Echo", "hi").Await(&s)
		return s, err
	}))
	var logs []string
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := dflab.Start(ctx, reg, dflab.Options{Engine: "sql", Storage: "postgres", ConnectionString: pg.ConnString(),
		Namespace: "gone", Workers: 1, Logf: func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }})
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Stop()) }()
	id, err := e.Client().Start(ctx, "Once", nil)
	require.NoError(t, err)
	_, err = e.Client().Wait(ctx, id)
	require.NoError(t, err)

	conn, err := pgx.Connect(ctx, pg.ConnString())
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "DROP SCHEMA gone CASCADE")
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(logs, "\n"), "schema missing")
	}, 30*time.Second, 20*time.Millisecond, "the worker reports the missing schema")
	id, err = e.Client().Start(ctx, "Once", nil)
	require.NoError(t, err)
	st, err := e.Client().Wait(ctx, id)
	require.NoError(t, err)
	require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
	require.Equal(t, `"hi"`, string(st.Output))
}
