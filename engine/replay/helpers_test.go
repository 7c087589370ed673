package replay_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func mustAdd(t testing.TB, err error) {
	t.Helper()
	require.NoError(t, err)
}
