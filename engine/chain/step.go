package chain

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// stepMsg is one step's trigger: a queue message, or a blob's content.
type stepMsg struct {
	Instance string          `json:"instance"`
	Activity string          `json:"activity"`
	Step     int             `json:"step"`
	Length   int             `json:"length"`
	Item     json.RawMessage `json:"item"`
}

// blobMsg is a message of the blob trigger's internal queue.
type blobMsg struct {
	Blob string `json:"blob"`
	ETag string `json:"etag"`
}

// runRecord is a chain's start record.
type runRecord struct {
	Name    string          `json:"name"`
	Input   json.RawMessage `json:"input"`
	Created port.Time       `json:"created"`
}

// doneRecord is the event the last step raises: the chain's output.
type doneRecord struct {
	Output json.RawMessage `json:"output"`
	At     port.Time       `json:"at"`
}

// chainInput is a start's input: n steps from item.
type chainInput struct {
	Length int             `json:"length"`
	Item   json.RawMessage `json:"item"`
}

func decodeInput(b []byte) (chainInput, error) {
	var in chainInput
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("input: want an object {\"length\": n, \"item\": v}: %w", err)
	}
	if in.Length < 1 {
		return in, fmt.Errorf("input: length = %d: want >= 1", in.Length)
	}
	if len(in.Item) == 0 {
		in.Item = json.RawMessage("null")
	}
	return in, nil
}

// runStep runs one step's activity (k.s) and hands its output to k.
func (h *Host) runStep(k stepDone) {
	reg, name, inst, task, input := h.reg, k.s.Activity, k.s.Instance, int32(k.s.Step), []byte(k.s.Item)
	h.stats.Executions++
	h.Run(name, input, func() ([]byte, error) { return runActivity(reg, name, inst, task, input) }, k)
}

func runActivity(reg *durable.Registry, name, inst string, task int32, input []byte) (out []byte, err error) {
	fn, err := reg.Activity(name)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, durable.PanicError(r)
		}
	}()
	v, err := fn(durable.NewActivityContext(context.Background(), name, inst, task, input))
	if err != nil {
		return nil, err
	}
	return durable.Marshal(v)
}
