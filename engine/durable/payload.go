package durable

import (
	"encoding/json"
	"fmt"
)

// Marshal encodes a user value as a JSON payload; nil stays nil.
func Marshal(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return x, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode payload of type %T: %w", v, err)
	}
	return b, nil
}

// Unmarshal decodes a JSON payload into out; a nil out ignores the payload
// and an empty payload leaves out unchanged.
func Unmarshal(payload []byte, out any) error {
	if out == nil || len(payload) == 0 {
		return nil
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return fmt.Errorf("decode payload into %T: %w", out, err)
	}
	return nil
}
