package mem_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

func backend(diskLike bool) conformance.Backend {
	return conformance.Backend{
		VirtualTime: true,
		Open: func(t *testing.T, clock func() port.Time) conformance.Instance {
			s, err := mem.New(clock, mem.Options{Partitions: 4, DiskLike: diskLike})
			require.NoError(t, err)
			// mem is the cloud: reopening sees the same state.
			return conformance.Instance{Stores: s.Stores(),
				Reopen: func(*testing.T) *port.Stores { return s.Stores() }}
		},
	}
}

func TestBlob(t *testing.T) {
	t.Run("plain", func(t *testing.T) { conformance.TestBlob(t, backend(false)) })
	t.Run("disk-like", func(t *testing.T) { conformance.TestBlob(t, backend(true)) })
}

func TestQueue(t *testing.T)  { conformance.TestQueue(t, backend(false)) }
func TestTable(t *testing.T)  { conformance.TestTable(t, backend(false)) }
func TestStream(t *testing.T) { conformance.TestStream(t, backend(false)) }
