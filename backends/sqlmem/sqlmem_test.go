package sqlmem_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/sqlconf"
	"github.com/dflab/dflab/backends/sqlmem"
	"github.com/dflab/dflab/engine/port"
)

func TestConformance(t *testing.T) {
	sqlconf.Run(t, func(t *testing.T, clock func() port.Time, _ bool) port.Relational {
		db, err := sqlmem.New(clock)
		require.NoError(t, err)
		return db
	})
}
