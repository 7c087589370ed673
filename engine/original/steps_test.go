package original

import (
	"fmt"
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one worker
// core (internal/steptest) of a hub with one control queue.
//
//	start [extendedSessions=true]
//	deliver msg REQUEST instance=I [name=N] [input=JSON]
//
// A msg is a client request (start, raise, ...) sent by this package's
// client core, run to its answer against the same stores (steptest.Settle):
// its Instances row and control-queue message are there for the worker's
// next reads.
func TestSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		return steptest.Rig{
			New: func(a steptest.Args) (port.Core, error) {
				cfg := Defaults("hub", "w0")
				cfg.ControlQueues = 1
				cfg.ExtendedSessions = a.Str("extendedSessions", "") == "true"
				return NewWorker(cfg, reg)
			},
			Message:  steptest.ClientMessage(func() (port.Core, error) { return NewClient(ClientDefaults("hub", 1)) }),
			Describe: describeStepValue,
		}
	})
}

// describeStepValue prints queue messages as their envelopes' events.
func describeStepValue(v any) string {
	switch o := v.(type) {
	case steptest.Record:
		env, blob, err := decodeMessage(o)
		switch {
		case err != nil:
			return fmt.Sprintf("undecodable message: %v", err)
		case blob != "":
			return "blob-ref " + blob
		}
		s := "to " + env.To + ": " + env.Event.String()
		if env.Sender != "" {
			s += fmt.Sprintf(" from %s#%d", env.Sender, env.Seq)
		}
		return s
	}
	return ""
}
