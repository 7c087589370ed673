package azure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/require"
)

// fakeToken is an Entra ID credential that hands out one token and counts
// how often it was asked.
type fakeToken struct {
	mu    sync.Mutex
	calls int
}

func (f *fakeToken) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return azcore.AccessToken{Token: "fake-token"}, nil
}

// Each credential reaches the service as it should: a shared key signs
// the request, a SAS token rides in the query of every request (the
// container's too), an Entra ID token is a bearer header from
// Options.Credential. The "service" is a TLS server on 127.0.0.1 that
// records the first request and creates the container.
func TestOpenAuthenticatesWithTheCredentialTheStringNames(t *testing.T) {
	type seen struct{ auth, query, path string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Header.Get("Authorization"), r.URL.RawQuery, r.URL.Path})
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	eps := ";BlobEndpoint=" + srv.URL + "/acct;QueueEndpoint=" + srv.URL + "/acct;TableEndpoint=" + srv.URL + "/acct"
	for _, c := range []struct {
		conn  string
		check func(t *testing.T, s seen)
	}{
		{"AccountName=acct;AccountKey=" + secretKey + eps, func(t *testing.T, s seen) {
			require.True(t, strings.HasPrefix(s.auth, "SharedKey acct:"), s.auth)
			require.NotContains(t, s.query, "sig=")
		}},
		{"SharedAccessSignature=" + secretSAS + eps, func(t *testing.T, s seen) {
			require.Empty(t, s.auth)
			require.Contains(t, s.query, "sig=c2VjcmV0LXNhcw%3D%3D")
			require.Contains(t, s.query, "restype=container")
		}},
		{"AccountName=acct" + eps, func(t *testing.T, s seen) {
			require.Equal(t, "Bearer fake-token", s.auth)
		}},
	} {
		got = nil
		tok := &fakeToken{}
		st, err := Open(context.Background(), c.conn, Options{Namespace: "creds", MaxRetries: -1, Credential: tok, transport: srv.Client()})
		require.NoError(t, err, c.conn)
		require.NotNil(t, st)
		require.Len(t, got, 1, c.conn)
		require.Equal(t, "/acct/creds", got[0].path)
		c.check(t, got[0])
		acct, err := ParseConnString(c.conn)
		require.NoError(t, err)
		if acct.Auth() == AuthSAS {
			require.Contains(t, st.container.NewBlobClient("b").URL(), "/acct/creds/b?"+secretSAS)
			require.Contains(t, st.queues.NewQueueClient("q").URL(), "/acct/q?"+secretSAS)
		}
		if acct.Auth() == AuthToken {
			require.Equal(t, 1, tok.calls, "the token came from Options.Credential")
		} else {
			require.Zero(t, tok.calls, "Options.Credential is not used with a key or a SAS token")
		}
	}
}

// Without Options.Credential, an account named without key or SAS gets
// DefaultAzureCredential; making the clients sends nothing.
func TestTokenAccountDefaultsToDefaultAzureCredential(t *testing.T) {
	acct, err := ParseConnString("AccountName=acct")
	require.NoError(t, err)
	c, err := clientsFor(acct, Options{}, azcore.ClientOptions{})
	require.NoError(t, err)
	require.Equal(t, "https://acct.blob.core.windows.net/", c.blobs.URL())
	require.NotNil(t, c.queues)
	require.NotNil(t, c.tables)
}
