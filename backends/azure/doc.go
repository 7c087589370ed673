// Package azure implements the storage ports of engine/port (Blob with page
// blobs, append blobs and leases; Queue; Table with batch transactions) on
// Azure Storage through the Azure SDK for Go. It talks to any endpoint a
// connection string names: Azurite on a developer machine and in tests
// (internal/azurite starts one), Azure Storage in the cloud.
//
// Credentials: the connection string's AccountKey (shared key), its
// SharedAccessSignature (a SAS token, sent on every request; the portal's
// string with endpoints and no AccountName works as it is), or neither,
// in which case the account is reached with a Microsoft Entra ID token:
// Options.Credential, else azidentity.DefaultAzureCredential (environment
// variables, workload or managed identity, Azure CLI); tokens need https
// endpoints. The identity needs the Storage Blob, Queue and Table Data
// Contributor roles on the account.
//
// One Store serves one namespace: blobs live in one container and queue and
// table names get the namespace as a prefix, so that test runs and task
// hubs sharing an account do not see each other.
//
// Mapping onto the services:
//   - errors: each SDK error is mapped by its service error code (and HTTP
//     status) onto the port's sentinel errors, so errors.Is works: 404 →
//     ErrNotFound, 412 condition failures → ErrETagMismatch, lease codes →
//     ErrLeaseHeld or ErrLeaseLost, PopReceiptMismatch → ErrPopReceipt, 413
//     → ErrTooLarge, other 400/416 → ErrBadRequest, other 409 → ErrConflict.
//     Errors name the operation and object, never the connection string or
//     account key.
//   - leases: Azure needs lease ids in GUID form; an id that is not a GUID
//     is mapped to a name-based (SHA-1) UUID of itself, the same in every
//     process, so callers may keep using readable ids such as "node3".
//   - times: durations are whole seconds on the wire and are rounded up
//     (a message is never visible before its delay); service timestamps
//     become port.Time (Unix nanoseconds) from the service's clock.
//   - queue messages: the service stores text. A payload that is plain
//     text (valid UTF-8 without control characters other than tab and
//     newline, not starting with '~' and without leading or trailing
//     spaces) is sent as is, up to 64 KiB; any other payload is sent as '~'
//     followed by its base64 form, so binary payloads are limited to about
//     48 KiB (larger ones fail with ErrTooLarge).
//   - table entities: properties are Edm.Binary values; a property written
//     by another tool with another type is read back as its JSON text.
//   - batches: the transaction response is parsed to return each write's
//     ETag and, on failure, a *port.BatchError with the failing index.
//   - durability: every acknowledged write is durable in Azure Storage, so
//     Stores.Sync is nil. (Azurite in memory is not durable at all: it is a
//     functional emulator, and its latencies are emulator figures.)
package azure
