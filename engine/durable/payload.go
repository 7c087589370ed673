package durable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxPayloadBytes is the largest payload (an input, output, event, entity
// state or custom status, JSON-encoded) that either engine accepts: a
// quarter of a stream append (Event Hubs' 1 MB batch), so a few fit in one
// message batch. Both engines enforce the same limit, so a workload
// behaves the same on both; the original engine still moves payloads over
// its queue and table limits (64 KiB) to blobs.
const MaxPayloadBytes = 256 << 10

// ErrPayloadTooLarge is wrapped by every error about a payload over
// MaxPayloadBytes.
var ErrPayloadTooLarge = errors.New("payload too large")

// CheckPayload returns an error naming what when p is over MaxPayloadBytes.
func CheckPayload(what string, p []byte) error {
	if len(p) > MaxPayloadBytes {
		return fmt.Errorf("%w: %s is %d bytes, the limit is %d (durable.MaxPayloadBytes)",
			ErrPayloadTooLarge, what, len(p), MaxPayloadBytes)
	}
	return nil
}

// Marshal encodes a user value as a JSON payload; nil stays nil. A payload
// over MaxPayloadBytes is an error (ErrPayloadTooLarge).
func Marshal(v any) ([]byte, error) {
	b, err := marshal(v)
	if err == nil && len(b) > MaxPayloadBytes { // the type is named only when it is too large
		err = CheckPayload(fmt.Sprintf("the encoded %T", v), b)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ClientPayload encodes what a program hands a Client (Start's input,
// RaiseEvent's data, SignalEntity's input) as Marshal does, except that a
// []byte, like a json.RawMessage, is the JSON payload itself: it passes
// through unchanged (copied), not encoded again as a base64 string, so a
// program that holds JSON (a file, a request body) hands it over as is.
// It must be valid JSON; an empty one is no input. To send bytes as data,
// put them in a value (a struct field is base64-encoded as usual).
func ClientPayload(v any) ([]byte, error) {
	var raw []byte
	switch x := v.(type) {
	case []byte:
		raw = x
	case json.RawMessage:
		raw = x
	default:
		return Marshal(v)
	}
	if len(raw) == 0 {
		return nil, nil
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("a %T input is taken as a JSON payload, and these %d bytes are not valid JSON; "+
			"allowed: JSON bytes, or any other value to be encoded as JSON", v, len(raw))
	}
	if err := CheckPayload(fmt.Sprintf("the %T input", v), raw); err != nil {
		return nil, err
	}
	return bytes.Clone(raw), nil
}

func marshal(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return x, nil
	case string:
		if b, ok := quotePlain(x); ok {
			return b, nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode payload of type %T: %w", v, err)
	}
	return b, nil
}

// Unmarshal decodes a JSON payload into out; a nil out ignores the payload
// and an empty payload leaves out unchanged. A *json.RawMessage gets a copy
// of the payload as it is, unchecked, as Marshal passes a json.RawMessage
// through (state kept as raw JSON then skips two scans of it per step).
func Unmarshal(payload []byte, out any) error {
	if out == nil || len(payload) == 0 {
		return nil
	}
	if p, ok := out.(*json.RawMessage); ok {
		*p = append((*p)[:0], payload...)
		return nil
	}
	if p, ok := out.(*string); ok {
		if s, ok := unquotePlain(payload); ok {
			*p = s
			return nil
		}
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return fmt.Errorf("decode payload into %T: %w", out, err)
	}
	return nil
}

// quotePlain is the JSON form of a string made only of printable ASCII
// that JSON does not escape (encoding/json also escapes <, > and &); ok is
// false for any other string, which goes through encoding/json.
func quotePlain(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			return nil, false
		}
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// unquotePlain is the inverse of quotePlain.
func unquotePlain(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	for _, c := range b[1 : len(b)-1] {
		if !plain(c) {
			return "", false
		}
	}
	return string(b[1 : len(b)-1]), true
}

func plain(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}
