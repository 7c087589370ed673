package port

// EventUnitBytes is the size of one Event Hubs ingress event as the
// service counts and bills them: a record counts one event per started
// 64 KiB.
const EventUnitBytes = 64 << 10

// EventHubsEvents is the number of Event Hubs ingress events of records:
// one per started EventUnitBytes of each record.
func EventHubsEvents(records [][]byte) int {
	n := 0
	for _, r := range records {
		n += max(1, (len(r)+EventUnitBytes-1)/EventUnitBytes)
	}
	return n
}

// ScaleUnits is what a service's scalability target counts of op: Event
// Hubs ingress events for a stream append (EventHubsEvents), entities for a
// table batch (one per write), one for any other request (a queue message
// operation, a single-entity table operation, a blob request).
func ScaleUnits(op Op) int {
	switch o := op.(type) {
	case StreamAppend:
		return EventHubsEvents(o.Records)
	case TableBatch:
		return max(1, len(o.Writes))
	}
	return 1
}
