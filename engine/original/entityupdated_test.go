package original

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEntityRowKeepsItsUpdateTime: an entity row's Updated property (the
// time its last step wrote it) survives decoding, so an entity status can
// report it as the instance's last update.
func TestEntityRowKeepsItsUpdateTime(t *testing.T) {
	var row entityRow
	require.NoError(t, decodeEntityRow(map[string][]byte{propUpdated: uvarintProp(uint64(t0 + 42*ms))}, &row, nil))
	require.Equal(t, t0+42*ms, row.updated)
	var old entityRow
	require.NoError(t, decodeEntityRow(map[string][]byte{}, &old, nil))
	require.Zero(t, old.updated, "a row written before the property reads as no update time")
}
