package workflow

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/workflow/asl"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one service
// core (internal/steptest). Its state machine Hello is a Task state
// invoking activity Say, then Succeed.
//
//	start [planted=BUG]
//	deliver msg start instance=I name=Hello input=JSON
//
// A msg is a client request sent by this package's frontend core, run to
// its answer against the same stores (steptest.ClientMessage): the
// execution's create-only record and the inbox entry are in place.
func TestSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	def, err := asl.Parse([]byte(`{"StartAt":"Say","States":{"Say":{"Type":"Task","Resource":"Say","Next":"Done"},"Done":{"Type":"Succeed"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("hub", map[string]*asl.Definition{"Hello": def})
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		return steptest.Rig{
			New: func(a steptest.Args) (port.Core, error) {
				c := cfg
				c.Planted = a.Str("planted", "")
				return New(c, reg)
			},
			Message:  steptest.ClientMessage(func() (port.Core, error) { return NewFrontend(cfg) }),
			Describe: describeStepValue,
		}
	})
}

// describeStepValue prints execution records (blob writes and reads of
// hub-wf/NAME) as their status, transitions, events and output.
func describeStepValue(v any) string {
	var data []byte
	switch o := v.(type) {
	case port.BlobPut:
		if !strings.HasPrefix(o.Name, "hub-wf/") {
			return ""
		}
		data = o.Data
	case port.BlobData:
		data = o.Data
	default:
		return ""
	}
	var r record
	var e struct {
		Status      string          `json:"status"`
		Transitions int             `json:"transitions"`
		Events      int             `json:"events"`
		Output      json.RawMessage `json:"output"`
	}
	if json.Unmarshal(data, &r) != nil || json.Unmarshal(r.Exec, &e) != nil {
		return fmt.Sprintf("%dB", len(data))
	}
	s := fmt.Sprintf("record %s %s transitions=%d events=%d", r.Machine, e.Status, e.Transitions, e.Events)
	if len(e.Output) > 0 {
		s += " output=" + string(e.Output)
	}
	return s
}
