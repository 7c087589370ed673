package azure

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
)

// connFields are the connection string fields this backend understands,
// by lower-cased name.
var connFields = map[string]string{
	"defaultendpointsprotocol": "DefaultEndpointsProtocol",
	"accountname":              "AccountName",
	"accountkey":               "AccountKey",
	"endpointsuffix":           "EndpointSuffix",
	"blobendpoint":             "BlobEndpoint",
	"queueendpoint":            "QueueEndpoint",
	"tableendpoint":            "TableEndpoint",
	"fileendpoint":             "FileEndpoint", // in the portal's SAS strings; dflab uses no file shares
	"sharedaccesssignature":    "SharedAccessSignature",
	"usedevelopmentstorage":    "UseDevelopmentStorage",
}

// Auth is how a Store authenticates to its account.
type Auth string

// The credentials a connection string can name: the account key (shared
// key), a shared access signature (SAS token), or neither, in which case
// the account is reached with a Microsoft Entra ID token
// (azidentity.DefaultAzureCredential: environment, workload or managed
// identity, Azure CLI, ...; or Options.Credential).
const (
	AuthSharedKey Auth = "shared key"
	AuthSAS       Auth = "SAS token"
	AuthToken     Auth = "Entra ID token"
)

// ErrConnString reports a malformed or unsupported connection string.
var ErrConnString = errors.New("azure: bad connection string")

// Account is what a connection string says: the account, its credential
// (a key, a SAS token, or neither) and the three service endpoints.
type Account struct {
	Name          string
	Key           string
	SAS           string // the SharedAccessSignature, without a leading "?"
	BlobEndpoint  string
	QueueEndpoint string
	TableEndpoint string
}

// Auth is the credential the account is reached with.
func (a Account) Auth() Auth {
	switch {
	case a.Key != "":
		return AuthSharedKey
	case a.SAS != "":
		return AuthSAS
	}
	return AuthToken
}

// String prints the account and how it authenticates, without its key or
// SAS token.
func (a Account) String() string {
	return fmt.Sprintf("account %s by %s (blob %s, queue %s, table %s)",
		a.Name, a.Auth(), a.BlobEndpoint, a.QueueEndpoint, a.TableEndpoint)
}

func allowedFields() string {
	names := make([]string, 0, len(connFields))
	for _, n := range connFields {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseConnString parses an Azure Storage connection string
// ("Field=value;Field=value;..."). It rejects unknown and repeated fields
// with an error naming the field and the allowed ones. Errors never
// contain the account key, the SAS token nor the string itself.
//
// The credential is AccountKey, or SharedAccessSignature (with AccountName
// or all three of BlobEndpoint, QueueEndpoint and TableEndpoint, as the
// portal writes them), or neither: AccountName (or the endpoints) alone
// means a Microsoft Entra ID token, which needs https endpoints.
func ParseConnString(s string) (Account, error) {
	fields, err := splitConnString(s)
	if err != nil {
		return Account{}, err
	}
	if v, ok := fields["UseDevelopmentStorage"]; ok {
		if !strings.EqualFold(v, "true") || len(fields) > 1 {
			return Account{}, fmt.Errorf(`%w: UseDevelopmentStorage must be "true" and alone`, ErrConnString)
		}
		return devStorage(), nil
	}
	a := Account{Name: fields["AccountName"], Key: fields["AccountKey"], SAS: strings.TrimPrefix(fields["SharedAccessSignature"], "?")}
	if a.Key != "" && a.SAS != "" {
		return Account{}, fmt.Errorf("%w: AccountKey and SharedAccessSignature are two credentials: give one", ErrConnString)
	}
	if _, given := fields["SharedAccessSignature"]; given && a.SAS == "" {
		return Account{}, fmt.Errorf("%w: SharedAccessSignature is empty", ErrConnString)
	}
	if a.SAS != "" {
		if q, err := url.ParseQuery(a.SAS); err != nil || q.Get("sig") == "" {
			return Account{}, fmt.Errorf("%w: SharedAccessSignature is not a SAS token (a query string with sig=...)", ErrConnString)
		}
	}
	allEndpoints := fields["BlobEndpoint"] != "" && fields["QueueEndpoint"] != "" && fields["TableEndpoint"] != ""
	switch {
	case a.Name == "" && a.Key != "":
		return Account{}, fmt.Errorf("%w: AccountName is required with AccountKey", ErrConnString)
	case a.Name == "" && !allEndpoints:
		return Account{}, fmt.Errorf("%w: AccountName is required (or all of BlobEndpoint, QueueEndpoint and TableEndpoint)", ErrConnString)
	}
	proto := fields["DefaultEndpointsProtocol"]
	switch proto {
	case "":
		proto = "https"
	case "http", "https":
	default:
		return Account{}, fmt.Errorf("%w: DefaultEndpointsProtocol = %q, allowed: http, https", ErrConnString, proto)
	}
	suffix := fields["EndpointSuffix"]
	if suffix == "" {
		suffix = "core.windows.net"
	}
	for _, ep := range []struct {
		field   string
		service string
		dst     *string
	}{{"BlobEndpoint", "blob", &a.BlobEndpoint}, {"QueueEndpoint", "queue", &a.QueueEndpoint}, {"TableEndpoint", "table", &a.TableEndpoint}} {
		v := fields[ep.field]
		if v == "" {
			v = fmt.Sprintf("%s://%s.%s.%s", proto, a.Name, ep.service, suffix)
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The value is not printed: a misplaced SAS token could be in it.
			return Account{}, fmt.Errorf("%w: %s is not an http or https URL with a host", ErrConnString, ep.field)
		}
		if a.Auth() == AuthToken && u.Scheme != "https" {
			return Account{}, fmt.Errorf("%w: %s is http: without AccountKey or SharedAccessSignature the account is reached with an Entra ID token, which needs https", ErrConnString, ep.field)
		}
		*ep.dst = strings.TrimSuffix(v, "/") + "/"
	}
	if a.Name == "" {
		a.Name = accountOf(a.BlobEndpoint)
	}
	return a, nil
}

// accountOf is the account an endpoint names: the first label of its host
// (acct.blob.core.windows.net), or its first path element when the host is
// an address (Azurite's http://127.0.0.1:10000/acct).
func accountOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil || host == "localhost" {
		first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		return first
	}
	first, _, _ := strings.Cut(host, ".")
	return first
}

// splitConnString splits s into fields keyed by canonical name.
func splitConnString(s string) (map[string]string, error) {
	fields := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%w: a part has no Field= (the string has the form Field=value;Field=value)", ErrConnString)
		}
		name, known := connFields[strings.ToLower(k)]
		if !known {
			return nil, fmt.Errorf("%w: unknown field %q, allowed: %s", ErrConnString, k, allowedFields())
		}
		if _, dup := fields[name]; dup {
			return nil, fmt.Errorf("%w: field %s given twice", ErrConnString, name)
		}
		fields[name] = strings.TrimSpace(v)
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrConnString)
	}
	return fields, nil
}

// devStorage is the account UseDevelopmentStorage=true names: Azurite on
// its default ports.
func devStorage() Account {
	const name = "devstoreaccount1"
	return Account{
		Name:          name,
		Key:           "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
		BlobEndpoint:  "http://127.0.0.1:10000/" + name + "/",
		QueueEndpoint: "http://127.0.0.1:10001/" + name + "/",
		TableEndpoint: "http://127.0.0.1:10002/" + name + "/",
	}
}
