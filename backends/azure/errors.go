package azure

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/dflab/dflab/engine/port"
)

// codeErrs maps Azure Storage error codes (blob, queue and table services)
// onto the port's sentinel errors.
var codeErrs = map[string]error{
	// Conditions.
	"ConditionNotMet":             port.ErrETagMismatch,
	"UpdateConditionNotSatisfied": port.ErrETagMismatch,
	"BlobAlreadyExists":           port.ErrETagMismatch, // If-None-Match: * on an existing blob
	// Existence and type.
	"EntityAlreadyExists":    port.ErrConflict,
	"TableAlreadyExists":     port.ErrConflict,
	"QueueAlreadyExists":     port.ErrConflict,
	"ContainerAlreadyExists": port.ErrConflict,
	"InvalidBlobType":        port.ErrConflict,
	"TableBeingDeleted":      port.ErrConflict,
	"QueueBeingDeleted":      port.ErrConflict,
	// Leases held by someone else.
	"LeaseIdMissing":                     port.ErrLeaseHeld,
	"LeaseAlreadyPresent":                port.ErrLeaseHeld,
	"LeaseIsBreakingAndCannotBeAcquired": port.ErrLeaseHeld,
	// Leases the caller no longer holds.
	"LeaseIdMismatchWithBlobOperation":  port.ErrLeaseLost,
	"LeaseNotPresentWithBlobOperation":  port.ErrLeaseLost,
	"LeaseIdMismatchWithLeaseOperation": port.ErrLeaseLost,
	"LeaseNotPresentWithLeaseOperation": port.ErrLeaseLost,
	"LeaseIsBrokenAndCannotBeRenewed":   port.ErrLeaseLost,
	"LeaseIsBreakingAndCannotBeChanged": port.ErrLeaseLost,
	"LeaseLost":                         port.ErrLeaseLost,
	// Queues.
	"PopReceiptMismatch": port.ErrPopReceipt,
	// Sizes.
	"RequestBodyTooLarge":        port.ErrTooLarge,
	"MessageTooLarge":            port.ErrTooLarge,
	"EntityTooLarge":             port.ErrTooLarge,
	"PropertyValueTooLarge":      port.ErrTooLarge,
	"BlockCountExceedsLimit":     port.ErrTooLarge,
	"MaxBlobSizeConditionNotMet": port.ErrTooLarge,
}

// statusErrs maps HTTP statuses onto sentinels when the code is unknown.
var statusErrs = map[int]error{
	http.StatusNotFound:                     port.ErrNotFound,
	http.StatusConflict:                     port.ErrConflict,
	http.StatusPreconditionFailed:           port.ErrETagMismatch,
	http.StatusRequestEntityTooLarge:        port.ErrTooLarge,
	http.StatusBadRequest:                   port.ErrBadRequest,
	http.StatusRequestedRangeNotSatisfiable: port.ErrBadRequest,
}

// apiVersionHint explains an InvalidHeaderValue answer. Azurite gives it
// to every request of an SDK whose API version (x-ms-version) is newer than
// it knows, and to headers it does not model, unless it was started with
// --skipApiVersionCheck --loose.
func apiVersionHint(err error) string {
	var re *azcore.ResponseError
	version := ""
	if errors.As(err, &re) && re.RawResponse != nil && re.RawResponse.Request != nil {
		for k, v := range re.RawResponse.Request.Header { // the SDK sets it uncanonicalized
			if strings.EqualFold(k, "x-ms-version") && len(v) > 0 {
				version = v[0]
			}
		}
	}
	flags := "start Azurite with --skipApiVersionCheck --loose (dflab azurite does)"
	if strings.Contains(err.Error(), "not supported by Azurite") {
		return fmt.Sprintf(": Azurite does not know the SDK's API version (x-ms-version %s); %s", version, flags)
	}
	return fmt.Sprintf(": a header the service refused (x-ms-version %s); if this is Azurite, %s", version, flags)
}

// sentinelFor returns the sentinel for a service error code and status,
// or nil if there is none.
func sentinelFor(code string, status int) error {
	if e, ok := codeErrs[code]; ok {
		return e
	}
	if e, ok := statusErrs[status]; ok {
		return e
	}
	return nil
}

// responseCode returns the error code and status of an SDK response error.
func responseCode(err error) (code string, status int, ok bool) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode, re.StatusCode, true
	}
	return "", 0, false
}

// hasCode reports whether err is a service error with one of codes.
func hasCode(err error, codes ...string) bool {
	code, _, ok := responseCode(err)
	if !ok {
		return false
	}
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// wrap turns an SDK error of op on object into an error wrapping the
// port's sentinel. The SDK's own message (a full HTTP dump) is replaced by
// the code and status; errors that are not service responses (network,
// context) are wrapped as they are.
func wrap(err error, op, object string) error {
	if err == nil {
		return nil
	}
	code, status, ok := responseCode(err)
	if !ok {
		return fmt.Errorf("azure %s %q: %w", op, object, err)
	}
	if code == "InvalidHeaderValue" {
		code += apiVersionHint(err)
	}
	if s := sentinelFor(code, status); s != nil {
		return fmt.Errorf("azure %s %q: %w (HTTP %d %s)", op, object, s, status, code)
	}
	return fmt.Errorf("azure %s %q: HTTP %d %s: %w", op, object, status, code, err)
}
