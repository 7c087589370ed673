package azure

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

const (
	secretKey = "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk="
	secretSAS = "sv=2024-08-04&ss=bqt&srt=sco&sp=rwdlacup&se=2030-01-01T00:00:00Z&spr=https&sig=c2VjcmV0LXNhcw%3D%3D"
)

// The credential is the one the string names: a key, a SAS token (also in
// the portal's form, endpoints without AccountName), or neither, an Entra
// ID token; String never shows the key nor the token.
func TestParseConnStringCredentials(t *testing.T) {
	a, err := ParseConnString("AccountName=acct;AccountKey=" + secretKey)
	require.NoError(t, err)
	require.Equal(t, AuthSharedKey, a.Auth())

	a, err = ParseConnString("BlobEndpoint=https://acct.blob.core.windows.net/;QueueEndpoint=https://acct.queue.core.windows.net/;" +
		"FileEndpoint=https://acct.file.core.windows.net/;TableEndpoint=https://acct.table.core.windows.net/;SharedAccessSignature=" + secretSAS)
	require.NoError(t, err)
	require.Equal(t, AuthSAS, a.Auth())
	require.Equal(t, Account{Name: "acct", SAS: secretSAS, BlobEndpoint: "https://acct.blob.core.windows.net/",
		QueueEndpoint: "https://acct.queue.core.windows.net/", TableEndpoint: "https://acct.table.core.windows.net/"}, a)
	require.Equal(t, "account acct by SAS token (blob https://acct.blob.core.windows.net/, queue https://acct.queue.core.windows.net/, table https://acct.table.core.windows.net/)", a.String())

	a, err = ParseConnString("AccountName=azurite;SharedAccessSignature=?" + secretSAS +
		";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1")
	require.NoError(t, err)
	require.Equal(t, secretSAS, a.SAS, "a leading ? is dropped")

	a, err = ParseConnString("AccountName=acct")
	require.NoError(t, err)
	require.Equal(t, AuthToken, a.Auth())
	require.Equal(t, "https://acct.table.core.windows.net/", a.TableEndpoint)
	require.Equal(t, "acct", accountOf("https://acct.blob.core.windows.net/"))
	require.Equal(t, "devstoreaccount1", accountOf("http://127.0.0.1:10000/devstoreaccount1/"))
}

func TestParseConnStringCloud(t *testing.T) {
	a, err := ParseConnString("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + secretKey + ";EndpointSuffix=core.windows.net")
	require.NoError(t, err)
	require.Equal(t, "acct", a.Name)
	require.Equal(t, secretKey, a.Key)
	require.Equal(t, "https://acct.blob.core.windows.net/", a.BlobEndpoint)
	require.Equal(t, "https://acct.queue.core.windows.net/", a.QueueEndpoint)
	require.Equal(t, "https://acct.table.core.windows.net/", a.TableEndpoint)
	require.NotContains(t, a.String(), secretKey)
}

func TestParseConnStringEndpoints(t *testing.T) {
	a, err := ParseConnString("AccountName=devstoreaccount1;AccountKey=" + secretKey +
		";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:2/devstoreaccount1/;" +
		"TableEndpoint=http://127.0.0.1:3/devstoreaccount1;")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1/devstoreaccount1/", a.BlobEndpoint)
	require.Equal(t, "http://127.0.0.1:2/devstoreaccount1/", a.QueueEndpoint)
	require.Equal(t, "http://127.0.0.1:3/devstoreaccount1/", a.TableEndpoint)

	dev, err := ParseConnString("UseDevelopmentStorage=true")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:10000/devstoreaccount1/", dev.BlobEndpoint)
}

func TestParseConnStringErrors(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{"AccountName=a;AccountKey=" + secretKey + ";SharedAccessSignature=" + secretSAS, "AccountKey and SharedAccessSignature are two credentials: give one"},
		{"AccountName=a;AccountKey=" + secretKey + ";Bogus=1", `unknown field "Bogus", allowed: AccountKey, AccountName, BlobEndpoint,`},
		{"AccountKey=" + secretKey, "AccountName is required with AccountKey"},
		{"SharedAccessSignature=" + secretSAS + ";BlobEndpoint=https://a.blob.core.windows.net", "AccountName is required (or all of BlobEndpoint, QueueEndpoint and TableEndpoint)"},
		{"AccountName=a;SharedAccessSignature=", "SharedAccessSignature is empty"},
		{"AccountName=a;SharedAccessSignature=sv=2024-01-01&se=soon", "SharedAccessSignature is not a SAS token (a query string with sig=...)"},
		{"AccountName=a;DefaultEndpointsProtocol=http", "BlobEndpoint is http: without AccountKey or SharedAccessSignature the account is reached with an Entra ID token, which needs https"},
		{"AccountName=a;AccountName=b;AccountKey=" + secretKey, "AccountName given twice"},
		{"AccountName=a;AccountKey=" + secretKey + ";DefaultEndpointsProtocol=ftp", `DefaultEndpointsProtocol = "ftp", allowed: http, https`},
		{"AccountName=a;AccountKey=" + secretKey + ";BlobEndpoint=nota url", "BlobEndpoint is not an http or https URL"},
		{"justtext", "has no Field="},
		{"", "empty"},
		{"UseDevelopmentStorage=true;AccountName=a", "UseDevelopmentStorage"},
	} {
		_, err := ParseConnString(c.s)
		require.ErrorIs(t, err, ErrConnString, c.s)
		require.Contains(t, err.Error(), c.want)
		require.NotContains(t, err.Error(), secretKey, "the key leaked into the error")
		require.NotContains(t, err.Error(), "c2VjcmV0", "the SAS signature leaked into the error")
	}
}

func TestOpenRejectsBadNamespace(t *testing.T) {
	_, err := Open(t.Context(), "UseDevelopmentStorage=true", Options{Namespace: "Bad-NS"})
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.Contains(t, err.Error(), "Options.Namespace")
}

func TestLeaseGUID(t *testing.T) {
	g := leaseGUID("node3")
	require.True(t, isGUID(g), g)
	require.Equal(t, g, leaseGUID("node3"), "stable")
	require.NotEqual(t, g, leaseGUID("node4"))
	require.Equal(t, byte('5'), g[14], "version 5")
	id := "0F8FAD5B-D9CB-469F-A165-70867728950E"
	require.Equal(t, strings.ToLower(id), leaseGUID(id))
}

func TestMessageEncoding(t *testing.T) {
	for _, data := range [][]byte{nil, {}, []byte("hello"), []byte("~tilde"), []byte(" pad "),
		{0, 1, 2, 0xff}, []byte("line\nbreak"), []byte("cr\r\n"), []byte("ünïcødé")} {
		text, err := encodeMessage(data)
		require.NoError(t, err)
		back, err := decodeMessage(text)
		require.NoError(t, err)
		require.Equal(t, string(data), string(back))
	}
	_, err := encodeMessage(make([]byte, 49<<10))
	require.ErrorIs(t, err, port.ErrTooLarge)
	text, err := encodeMessage([]byte(strings.Repeat("a", port.MaxMessageBytes)))
	require.NoError(t, err)
	require.Len(t, text, port.MaxMessageBytes)
}

func TestOpenErrorHidesKey(t *testing.T) {
	conn := "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + secretKey +
		";BlobEndpoint=http://127.0.0.1:1/acct;QueueEndpoint=http://127.0.0.1:1/acct;TableEndpoint=http://127.0.0.1:1/acct"
	_, err := Open(t.Context(), conn, Options{MaxRetries: -1})
	require.Error(t, err)
	require.Contains(t, err.Error(), "create container")
	require.NotContains(t, err.Error(), secretKey)
	require.NotContains(t, err.Error(), conn)
}
