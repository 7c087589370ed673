package chain

import (
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one function
// host core (internal/steptest) of a queue-triggered chain Seq whose steps
// run activity Say.
//
//	start
//	deliver msg start instance=I name=Seq input={"length":N,"item":JSON}
//
// A msg is a client request sent by this package's frontend core, run to
// its answer against the same stores (steptest.ClientMessage): the run
// record and the first step's message are in place.
func TestSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("hub", TriggerQueue, map[string]string{"Seq": "Say"}, 1)
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		return steptest.Rig{
			New:     func(steptest.Args) (port.Core, error) { return NewHost(cfg, reg) },
			Message: steptest.ClientMessage(func() (port.Core, error) { return NewFrontend(cfg) }),
		}
	})
}
