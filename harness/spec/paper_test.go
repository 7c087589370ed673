package spec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/systems"
)

// A Netherite spec of a paper workload gets the paper's Event Hubs TUs
// unless it sets them; other engines and workloads are left alone.
func TestWithPaperThroughputUnits(t *testing.T) {
	for wl, want := range map[string]string{"hello5": "5", "hello3": "5", "bank": "20", "wordcount": "20", "collision": "4", "imagerec": ""} {
		s := Spec{Engine: Engine{Name: EngineNetherite}, Workload: Workload{Name: wl}}
		WithPaperThroughputUnits(&s)
		require.Equal(t, want, s.Engine.Knob(KnobThroughputUnits), wl)
	}
	s := Spec{Engine: Engine{Name: EngineNetherite, Knobs: systems.Values{KnobThroughputUnits: "-1"}}, Workload: Workload{Name: "bank"}}
	WithPaperThroughputUnits(&s)
	require.Equal(t, "-1", s.Engine.Knob(KnobThroughputUnits), "a spec's own TUs stay")
	o := Spec{Engine: Engine{Name: EngineOriginal}, Workload: Workload{Name: "bank"}}
	WithPaperThroughputUnits(&o)
	require.Empty(t, o.Engine.Knob(KnobThroughputUnits))
}

func TestLaunchersApplyToClosedSimLoadsOnly(t *testing.T) {
	const head = `{"engine":{"name":"netherite"},"workload":{"name":"hello5"},`
	for in, want := range map[string]string{
		`"load":{"kind":"open","ratePerSec":1,"duration":"1s","launchers":5}}`:       `spec.load.launchers: applies to a closed load only`,
		`"load":{"instances":10,"launchers":-2}}`:                                    `spec.load.launchers: -2; omit it (the client starts every instance) or give 1..10000000 starts per launcher entity`,
		`"backend":{"kind":"disk","dir":"x"},"load":{"instances":10,"launchers":5}}`: `spec.load.launchers: launcher entities run on backend sim only (backend disk)`,
	} {
		_, err := Parse([]byte(head + in))
		require.ErrorContains(t, err, want, in)
	}
	s, err := Parse([]byte(head + `"load":{"instances":10,"launchers":5}}`))
	require.NoError(t, err)
	require.Equal(t, 5, s.Load.Launchers)
}
