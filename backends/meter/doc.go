// Package meter counts storage traffic and prices it. Meter.Middleware is
// a port.Middleware that both drivers run every storage op through; each op
// counts one request of its kind (port.Op's Kind: "page-write",
// "queue-dequeue", "table-batch", "stream-append"...), the bytes it wrote
// (the payload sent, whether or not the call succeeded), the bytes it read
// (the payload returned), errors, and for stream appends the Event Hubs
// ingress events (one per started 64 KiB of each record).
//
// Prices is a table of list prices as data (Azure storage transactions per
// 10,000 by class, Event Hubs ingress events per million and throughput
// units per hour); Prices.Bill turns a Snapshot into dollars. Counting is
// exact and safe for concurrent use (one mutex), because the real driver
// calls stores from many goroutines.
package meter
