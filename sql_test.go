package dflab_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
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
