package workload

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// DecodeParams overlays the JSON object data on *into (which holds the
// defaults) and rejects unknown fields, so a misspelt parameter is an
// error rather than a silent default. Empty data keeps the defaults.
func DecodeParams(name string, data []byte, into any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("%s parameters: %w", name, err)
	}
	return nil
}

// Decode decodes an orchestration output or entity state, naming what it
// is in the error.
func Decode(what string, data []byte, out any) error {
	if len(data) == 0 {
		return fmt.Errorf("%s: empty", what)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Completed returns the output of a completed orchestration, or an error
// saying why it is missing or not completed.
func (run Run) Completed(instance string) ([]byte, error) {
	o, ok := run.Orchestrations[instance]
	if !ok {
		return nil, fmt.Errorf("orchestration %s: no outcome (never started or never finished)", instance)
	}
	if o.Status != durable.StatusCompleted {
		return nil, fmt.Errorf("orchestration %s: status %s, want completed (failure: %q)", instance, o.Status, o.Failure)
	}
	return o.Output, nil
}
