package azure

import (
	"errors"
	"fmt"
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
	"usedevelopmentstorage":    "UseDevelopmentStorage",
}

// ErrConnString reports a malformed or unsupported connection string.
var ErrConnString = errors.New("azure: bad connection string")

// Account is what a connection string says: the account, its key and the
// three service endpoints.
type Account struct {
	Name          string
	Key           string
	BlobEndpoint  string
	QueueEndpoint string
	TableEndpoint string
}

// String prints the account without its key.
func (a Account) String() string {
	return fmt.Sprintf("account %s (blob %s, queue %s, table %s)",
		a.Name, a.BlobEndpoint, a.QueueEndpoint, a.TableEndpoint)
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
// contain the account key nor the string itself.
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
	a := Account{Name: fields["AccountName"], Key: fields["AccountKey"]}
	if a.Name == "" {
		return Account{}, fmt.Errorf("%w: AccountName is required", ErrConnString)
	}
	if a.Key == "" {
		return Account{}, fmt.Errorf("%w: AccountKey is required (shared key is the only supported credential)", ErrConnString)
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
		*ep.dst = strings.TrimSuffix(v, "/") + "/"
	}
	return a, nil
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
