package azure

import (
	"io"
	"net/http"
	"strings"
	"testing"

	azruntime "github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

// An InvalidHeaderValue answer that does not come from Azurite's version
// check still names the API version sent and the flags Azurite needs.
func TestInvalidHeaderValueNamesTheVersionAndTheFlags(t *testing.T) {
	req, err := http.NewRequest(http.MethodPut, "https://acct.blob.core.windows.net/c", nil)
	require.NoError(t, err)
	req.Header["x-ms-version"] = []string{"2026-12-06"}
	resp := &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"X-Ms-Error-Code": {"InvalidHeaderValue"}},
		Body: io.NopCloser(strings.NewReader("")), Request: req}
	err = wrap(azruntime.NewResponseError(resp), "create container", "c")
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.Equal(t, `azure create container "c": bad request (HTTP 400 InvalidHeaderValue: a header the service refused (x-ms-version 2026-12-06); `+
		`if this is Azurite, start Azurite with --skipApiVersionCheck --loose (dflab azurite does))`, err.Error())
}
