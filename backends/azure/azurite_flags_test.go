package azure_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/azurite"
)

// A plain Azurite start (without --skipApiVersionCheck --loose) refuses
// the SDK's requests with HTTP 400 InvalidHeaderValue; the error says
// why and which flags Azurite needs.
func TestPlainAzuriteStartIsExplained(t *testing.T) {
	if _, err := azurite.FindBin(); err != nil && !azurite.InCI() {
		t.Skipf("skipping: %v", err)
	}
	s, err := azurite.StartServer(context.Background(), azurite.Options{Strict: true})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Stop()) })
	_, err = azure.Open(context.Background(), s.ConnString(), azure.Options{Namespace: "strict"})
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.Regexp(t, `^azure create container "strict": bad request \(HTTP 400 InvalidHeaderValue: Azurite does not know the SDK's API version \(x-ms-version \d{4}-\d\d-\d\d\); start Azurite with --skipApiVersionCheck --loose \(dflab azurite does\)\)$`, err.Error())
}
