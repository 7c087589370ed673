package sql

import (
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one worker
// core (internal/steptest).
//
//	start [lock=DURATION] [planted=BUG]
//	deliver msg REQUEST instance=I [name=N] [input=JSON]
//
// A msg is a client request sent by this package's client core, run to its
// answer against the same database (steptest.ClientMessage).
func TestSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		return steptest.Rig{
			New: func(a steptest.Args) (port.Core, error) {
				cfg := Defaults("hub", "w0")
				cfg.Planted = a.Str("planted", "")
				return NewWorker(cfg, reg)
			},
			Message: steptest.ClientMessage(func() (port.Core, error) { return NewClient(ClientDefaults("hub")) }),
		}
	})
}
