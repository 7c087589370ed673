package azure

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"

	"github.com/dflab/dflab/engine/port"
)

// DefaultContainer holds the blobs of a Store opened without a namespace.
const DefaultContainer = "dflab"

// Options tune a Store.
type Options struct {
	// Namespace isolates this store's objects within the account: blobs go
	// to the container named Namespace (DefaultContainer when empty), queue
	// names become Namespace-name and table names Namespace+name. It must
	// be 3..24 lowercase letters and digits, starting with a letter, or
	// empty.
	Namespace string
	// MaxRetries of a request on throttling, timeouts and 5xx answers
	// (the SDK's exponential back-off); zero means the SDK default (3),
	// negative means none.
	MaxRetries int
	// Credential is the Entra ID token credential of an account whose
	// connection string has neither AccountKey nor SharedAccessSignature;
	// nil means azidentity.NewDefaultAzureCredential (environment
	// variables, workload identity, managed identity, Azure CLI, ...).
	// It is not used with a key or a SAS token.
	Credential azcore.TokenCredential

	transport policy.Transporter // tests: where requests go (nil: the SDK's HTTP client)
}

// Store implements port.Blob, PageBlob, AppendBlob, Leases, Queue,
// QueueAdmin and Table on one Azure Storage account.
type Store struct {
	ns        string
	container *container.Client
	queues    *azqueue.ServiceClient
	tables    *aztables.ServiceClient
}

// Open connects to the account connString names and creates the store's
// blob container if it does not exist. Open does not keep connString.
func Open(ctx context.Context, connString string, opt Options) (*Store, error) {
	if err := ValidNamespace(opt.Namespace); err != nil {
		return nil, err
	}
	acct, err := ParseConnString(connString)
	if err != nil {
		return nil, err
	}
	s, err := newStore(acct, opt)
	if err != nil {
		return nil, err
	}
	_, err = s.container.Create(ctx, nil)
	if err != nil && !hasCode(err, "ContainerAlreadyExists") {
		return nil, wrap(err, "create container", s.containerName())
	}
	return s, nil
}

func newStore(acct Account, opt Options) (*Store, error) {
	co := azcore.ClientOptions{
		Retry:           policy.RetryOptions{MaxRetries: int32(opt.MaxRetries)},
		PerCallPolicies: []policy.Policy{bodylessPolicy{}},
		Transport:       opt.transport,
	}
	c, err := clientsFor(acct, opt, co)
	if err != nil {
		return nil, err
	}
	s := &Store{ns: opt.Namespace, queues: c.queues, tables: c.tables}
	s.container = c.blobs.NewContainerClient(s.containerName())
	return s, nil
}

// clients are the three service clients of an account.
type clients struct {
	blobs  *service.Client
	queues *azqueue.ServiceClient
	tables *aztables.ServiceClient
}

// clientsFor makes the service clients with the account's credential
// (Account.Auth): a shared key, a SAS token on every endpoint, or an Entra
// ID token (opt.Credential, else DefaultAzureCredential).
func clientsFor(acct Account, opt Options, co azcore.ClientOptions) (clients, error) {
	var c clients
	var errs [3]error
	bo, qo, to := &service.ClientOptions{ClientOptions: co}, &azqueue.ClientOptions{ClientOptions: co}, &aztables.ClientOptions{ClientOptions: co}
	switch acct.Auth() {
	case AuthSharedKey:
		bcred, err := azblob.NewSharedKeyCredential(acct.Name, acct.Key)
		if err != nil {
			return c, fmt.Errorf("%w: AccountKey is not valid base64", ErrConnString)
		}
		qcred, _ := azqueue.NewSharedKeyCredential(acct.Name, acct.Key)
		tcred, _ := aztables.NewSharedKeyCredential(acct.Name, acct.Key)
		c.blobs, errs[0] = service.NewClientWithSharedKeyCredential(acct.BlobEndpoint, bcred, bo)
		c.queues, errs[1] = azqueue.NewServiceClientWithSharedKeyCredential(acct.QueueEndpoint, qcred, qo)
		c.tables, errs[2] = aztables.NewServiceClientWithSharedKey(acct.TableEndpoint, tcred, to)
	case AuthSAS:
		c.blobs, errs[0] = service.NewClientWithNoCredential(withSAS(acct.BlobEndpoint, acct.SAS), bo)
		c.queues, errs[1] = azqueue.NewServiceClientWithNoCredential(withSAS(acct.QueueEndpoint, acct.SAS), qo)
		c.tables, errs[2] = aztables.NewServiceClientWithNoCredential(withSAS(acct.TableEndpoint, acct.SAS), to)
	case AuthToken:
		cred := opt.Credential
		if cred == nil {
			dc, err := azidentity.NewDefaultAzureCredential(nil)
			if err != nil {
				return c, fmt.Errorf("azure: %s has no AccountKey or SharedAccessSignature, and DefaultAzureCredential: %w", acct.Name, err)
			}
			cred = dc
		}
		c.blobs, errs[0] = service.NewClient(acct.BlobEndpoint, cred, bo)
		c.queues, errs[1] = azqueue.NewServiceClient(acct.QueueEndpoint, cred, qo)
		c.tables, errs[2] = aztables.NewServiceClient(acct.TableEndpoint, cred, to)
	}
	for i, what := range []string{"blob", "queue", "table"} {
		if errs[i] != nil {
			return c, fmt.Errorf("azure: %s client: %w", what, errs[i])
		}
	}
	return c, nil
}

// withSAS appends a SAS token to a service endpoint; the clients of its
// containers, blobs, queues and tables keep it.
func withSAS(endpoint, sas string) string {
	return endpoint + "?" + sas
}

// ValidNamespace checks a namespace (Options.Namespace) before anything
// is created under it.
func ValidNamespace(ns string) error {
	if ns == "" {
		return nil
	}
	bad := len(ns) < 3 || len(ns) > 24 || ns[0] < 'a' || ns[0] > 'z'
	for i := 0; !bad && i < len(ns); i++ {
		c := ns[i]
		bad = !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
	}
	if bad {
		return port.BadRequest("Options.Namespace", fmt.Sprintf("%q", ns),
			"empty, or 3..24 of [a-z0-9] starting with a letter")
	}
	return nil
}

func (s *Store) containerName() string {
	if s.ns == "" {
		return DefaultContainer
	}
	return s.ns
}

// Stores returns the port view of s: every field but Stream and Cursors
// (Azure Storage has no stream; see backends/nats) and Sync (acknowledged
// writes are durable).
func (s *Store) Stores() *port.Stores {
	return &port.Stores{Blob: s, Page: s, Append: s, Leases: s, Queue: s, Queues: s, Table: s}
}

// Drop deletes the store's container, queues and tables (those whose names
// carry the namespace). It is for tests and benchmarks cleaning up an
// account they share; on a store without a namespace it deletes only the
// container.
func (s *Store) Drop(ctx context.Context) error {
	if _, err := s.container.Delete(ctx, nil); err != nil && !hasCode(err, "ContainerNotFound") {
		return wrap(err, "delete container", s.containerName())
	}
	if s.ns == "" {
		return nil
	}
	if err := s.dropQueues(ctx); err != nil {
		return err
	}
	return s.dropTables(ctx)
}

// seconds converts a port duration to whole seconds, rounding up.
func seconds(d port.Time) int32 {
	return int32((d + port.Second - 1) / port.Second)
}

// toTime converts a service timestamp to port.Time (0 if absent).
func toTime(t *time.Time) port.Time {
	if t == nil || t.IsZero() {
		return 0
	}
	return port.Time(t.UnixNano())
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
