package meter

import (
	"fmt"
	"sort"
)

// Class is a billing class of storage requests.
type Class string

// Billing classes.
const (
	Free        Class = "free"         // not billed (deletes, local syncs, stream reads)
	BlobWrite   Class = "blob-write"   // Put Blob, Put Page, Append Block, Create
	BlobRead    Class = "blob-read"    // Get Blob (whole or range)
	BlobList    Class = "blob-list"    // List Blobs
	BlobOther   Class = "blob-other"   // Lease Blob and other operations
	QueueClass1 Class = "queue-class1" // Put Message, Create/Delete Queue
	QueueClass2 Class = "queue-class2" // Get/Peek/Delete/Update Message, metadata
	TableTx     Class = "table-tx"     // every Table request; a batch is one
	EventIngest Class = "event-ingest" // Event Hubs ingress events (per 64 KiB)
)

// Prices is a price list as data: dollars per 10,000 requests by class,
// Event Hubs ingress per million events and throughput units per hour, and
// which class each op kind bills as.
type Prices struct {
	Name       string            `json:"name"`
	Source     string            `json:"source"`
	Per10k     map[Class]float64 `json:"per10k"`
	EventsPerM float64           `json:"eventsPerMillion"`
	TUPerHour  float64           `json:"throughputUnitPerHour"`
	KindClass  map[string]Class  `json:"kindClass"`
}

// AzureListPrices2024 are Azure's published pay-as-you-go list prices in
// USD for East US, locally redundant storage, general-purpose v2 accounts,
// hot tier, as shown on azure.microsoft.com/pricing/details/storage/blobs,
// .../storage/queues, .../storage/tables and .../event-hubs (Standard tier)
// in 2024. Page and append blob operations bill in the blob classes of a
// GPv2 account. Check the pages for current figures before quoting dollars.
var AzureListPrices2024 = Prices{
	Name:   "azure-eastus-lrs-hot-2024",
	Source: "azure.microsoft.com/pricing/details/{storage/blobs,storage/queues,storage/tables,event-hubs}, 2024",
	Per10k: map[Class]float64{
		BlobWrite:   0.065,
		BlobRead:    0.005,
		BlobList:    0.065,
		BlobOther:   0.005,
		QueueClass1: 0.004,
		QueueClass2: 0.004,
		TableTx:     0.00036,
	},
	EventsPerM: 0.028,
	TUPerHour:  0.030,
	KindClass:  defaultKindClass,
}

var defaultKindClass = map[string]Class{
	"blob-put": BlobWrite, "blob-get": BlobRead, "blob-delete": Free, "blob-list": BlobList,
	"blob-sync": Free, "page-create": BlobWrite, "page-write": BlobWrite, "page-read": BlobRead,
	"append-create": BlobWrite, "append-block": BlobWrite,
	"lease-acquire": BlobOther, "lease-renew": BlobOther, "lease-release": BlobOther, "lease-break": BlobOther,
	"queue-create": QueueClass1, "queue-drop": QueueClass1, "queue-enqueue": QueueClass1,
	"queue-dequeue": QueueClass2, "queue-delete": QueueClass2, "queue-update": QueueClass2,
	"queue-peek": QueueClass2, "queue-length": QueueClass2,
	"table-create": TableTx, "table-drop": TableTx, "table-insert": TableTx, "table-replace": TableTx,
	"table-merge": TableTx, "table-upsert": TableTx, "table-upsert-merge": TableTx, "table-delete": TableTx,
	"table-get": TableTx, "table-query": TableTx, "table-batch": TableTx,
	"stream-partitions": Free, "stream-append": EventIngest, "stream-read": Free,
	// Event Hubs consumers checkpoint to a blob.
	"stream-commit": BlobWrite, "stream-position": BlobRead,
	// A SQL database bills by vCore-hour, not by request.
	"sql-checkpoint-orchestration": Free, "sql-complete-tasks": Free, "sql-create-instance": Free,
	"sql-create-schema": Free, "sql-discard-events": Free, "sql-lock-next-orchestration": Free,
	"sql-lock-next-task": Free, "sql-purge-instance": Free, "sql-query-instance": Free, "sql-raise-event": Free,
}

// Bill is a priced snapshot.
type Bill struct {
	ByClass  map[Class]float64 `json:"byClass"` // dollars per class
	Requests map[Class]int64   `json:"requests"`
	TUHours  float64           `json:"tuHours"`
	Dollars  float64           `json:"dollars"`
}

// Bill prices s, plus tuHours throughput-unit hours of Event Hubs. An op
// kind missing from KindClass is an error naming it.
func (p Prices) Bill(s Snapshot, tuHours float64) (Bill, error) {
	b := Bill{ByClass: map[Class]float64{}, Requests: map[Class]int64{}, TUHours: tuHours}
	for _, k := range s {
		cl, ok := p.KindClass[k.Kind]
		if !ok {
			return Bill{}, fmt.Errorf("meter: op kind %q has no billing class in price list %q", k.Kind, p.Name)
		}
		switch cl {
		case Free:
			b.Requests[cl] += k.Requests
		case EventIngest:
			b.Requests[cl] += k.Events
			b.ByClass[cl] += float64(k.Events) / 1e6 * p.EventsPerM
		default:
			b.Requests[cl] += k.Requests
			b.ByClass[cl] += float64(k.Requests) / 1e4 * p.Per10k[cl]
		}
	}
	b.ByClass["event-throughput-units"] = tuHours * p.TUPerHour
	classes := make([]string, 0, len(b.ByClass))
	for c := range b.ByClass {
		classes = append(classes, string(c))
	}
	sort.Strings(classes) // sum in a fixed order: same inputs, same float
	for _, c := range classes {
		b.Dollars += b.ByClass[Class(c)]
	}
	return b, nil
}
