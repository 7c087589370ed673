package azure_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/azurite"
)

// accountSAS signs an account SAS token for the blob, queue and table
// services (ss=bqt) with the account key, as the storage REST API
// defines it for service version 2019-12-12.
func accountSAS(t testing.TB, account, key string, expiry time.Time) string {
	t.Helper()
	const sv, sp, ss, srt, spr = "2019-12-12", "rwdlacup", "bqt", "sco", "https,http"
	se := expiry.UTC().Format(time.RFC3339)
	toSign := strings.Join([]string{account, sp, ss, srt, "", se, "", spr, sv, ""}, "\n")
	k, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(toSign))
	q := url.Values{"sv": {sv}, "ss": {ss}, "srt": {srt}, "sp": {sp}, "se": {se}, "spr": {spr},
		"sig": {base64.StdEncoding.EncodeToString(mac.Sum(nil))}}
	return q.Encode()
}

// A connection string with a SAS token instead of the key reaches all
// three services: the blob, queue and table conformance suites pass on
// Azurite through it.
func TestSASConnectionStringOnAzurite(t *testing.T) {
	keyed := azurite.Shared(t)
	acct, err := azure.ParseConnString(keyed)
	require.NoError(t, err)
	conn := "SharedAccessSignature=" + accountSAS(t, acct.Name, acct.Key, time.Now().Add(time.Hour)) +
		";BlobEndpoint=" + acct.BlobEndpoint + ";QueueEndpoint=" + acct.QueueEndpoint + ";TableEndpoint=" + acct.TableEndpoint
	sasAcct, err := azure.ParseConnString(conn)
	require.NoError(t, err)
	require.Equal(t, azure.AuthSAS, sasAcct.Auth())
	open := func(t *testing.T, ns string) *port.Stores {
		s, err := azure.Open(context.Background(), conn, azure.Options{Namespace: ns})
		require.NoError(t, err)
		return s.Stores()
	}
	b := conformance.Backend{
		Open: func(t *testing.T, _ func() port.Time) conformance.Instance {
			ns := fmt.Sprintf("sas%d", nsSeq.Add(1))
			return conformance.Instance{Stores: open(t, ns), Reopen: func(t *testing.T) *port.Stores { return open(t, ns) }}
		},
	}
	t.Run("blob", func(t *testing.T) { conformance.TestBlob(t, b) })
	t.Run("queue", func(t *testing.T) { conformance.TestQueue(t, b) })
	t.Run("table", func(t *testing.T) { conformance.TestTable(t, b) })
}
