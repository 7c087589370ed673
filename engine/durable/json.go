package durable

import (
	"encoding/json"
	"fmt"
)

// jsonEvent is the human-readable form of an Event: kinds and statuses by
// name, payloads inline as JSON.
type jsonEvent struct {
	Kind     string          `json:"kind"`
	Status   string          `json:"status,omitempty"`
	ID       int32           `json:"id,omitempty"`
	At       int64           `json:"at,omitempty"`
	Name     string          `json:"name,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Request  string          `json:"request,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	Failure  string          `json:"failure,omitempty"`
	Entities []string        `json:"entities,omitempty"`
	Version  string          `json:"version,omitempty"`
}

// MarshalJSON writes the human-readable form. Payloads that are not valid
// JSON (they always are when written through this package) are written as a
// JSON string.
func (e Event) MarshalJSON() ([]byte, error) {
	j := jsonEvent{Kind: e.Kind.String(), ID: e.ID, At: e.At, Name: e.Name, Instance: e.Instance,
		Request: e.Request, Failure: e.Failure, Entities: e.Entities, Version: e.Version}
	if e.Status != 0 {
		j.Status = e.Status.String()
	}
	if len(e.Payload) > 0 {
		if json.Valid(e.Payload) {
			j.Payload = e.Payload
		} else {
			j.Payload, _ = json.Marshal(string(e.Payload))
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j jsonEvent
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	k, err := ParseEventKind(j.Kind)
	if err != nil {
		return fmt.Errorf("event field kind: %w", err)
	}
	var st Status
	if j.Status != "" {
		if st, err = ParseStatus(j.Status); err != nil {
			return fmt.Errorf("event field status: %w", err)
		}
	}
	*e = Event{Kind: k, Status: st, ID: j.ID, At: j.At, Name: j.Name, Instance: j.Instance,
		Request: j.Request, Failure: j.Failure, Entities: j.Entities, Version: j.Version}
	if j.Payload != nil {
		e.Payload = []byte(j.Payload)
	}
	return nil
}
