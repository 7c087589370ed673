package calibrate

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/sim"
)

func TestParamsBuildAValidModelSet(t *testing.T) {
	p := StartParams
	measured := map[string]map[string]float64{
		"netherite": {"work:orchestration-step": 10, "input:completion": 2},
		"original":  {"work:orchestration-step": 20},
	}
	m, err := p.ModelSet("test", measured)
	require.NoError(t, err)
	for _, kind := range sim.OpKinds() {
		require.Contains(t, m.Ops, kind, "every op kind has a latency")
	}
	require.InDelta(t, p.PageMs, m.Ops["page-write"].BaseMs.Mean()/expHalfSigma2(p.Sigma), 1e-6)
	n := m.ForEngine("netherite")
	require.InDelta(t, 10.0/1e3*p.CPUFactor+p.HostMs, n.CPU.CostsMs["work:orchestration-step"].Mean(), 1e-6)
	require.InDelta(t, 2.0/1e3*p.CPUFactor+p.RequestMs, n.CPU.CostsMs["input:completion"].Mean(), 1e-6, "a storage completion pays its request's client CPU, no host cost")
	require.InDelta(t, p.HostMs, n.CPU.CostsMs["input:activity-done"].Mean(), 1e-6, "an invocation not measured still pays the host")
	o := m.ForEngine("original")
	require.InDelta(t, 20.0/1e3*p.CPUFactor+p.HostMs, o.CPU.CostsMs["work:orchestration-step"].Mean(), 1e-6)
	require.NotContains(t, o.CPU.CostsMs, "input:completion", "costs stay per engine")
	require.InDelta(t, 10.0/1e3*p.CPUFactor, n.CPU.CostsMs[EntityBatchKey].Mean(), 1e-6,
		"a Netherite entity batch is an orchestration work item: the episode's measured cost, no host invocation of its own")
	require.NotContains(t, o.CPU.CostsMs, EntityBatchKey, "the original engine's entity steps are measured as they are")
	require.Equal(t, float64(BackgroundDeferMs), m.Host.BackgroundDeferMs, "background CPU is deferred in every fitted set")

	data, err := json.Marshal(m)
	require.NoError(t, err)
	back, err := sim.LoadModelSet(data)
	require.NoError(t, err)
	require.Equal(t, m.EngineCPU, back.EngineCPU)

	v := p.Vector()
	again, err := ParamsOf(v)
	require.NoError(t, err)
	require.Equal(t, p, again)
	v[4] = -1
	_, err = ParamsOf(v)
	require.ErrorContains(t, err, "queueMs = -1")
	_, err = ParamsOf(v[:2])
	require.ErrorContains(t, err, "2 values, want 9")
}

// expHalfSigma2 is a lognormal's mean over its median.
func expHalfSigma2(sigma float64) float64 { return math.Exp(sigma * sigma / 2) }

func TestParamInfosBoundEveryParameter(t *testing.T) {
	require.Len(t, ParamInfos, len(ParamNames))
	for i, pi := range ParamInfos {
		require.Equal(t, ParamNames[i], pi.Name)
		require.Less(t, pi.Lo, pi.Hi, pi.Name)
		require.NotEmpty(t, pi.Unit, pi.Name)
	}
	v := Clamp([]float64{1, 100, 10, 10, 10, 10, 0.5, 1, 9})
	require.Equal(t, []float64{20, 5, 10, 10, 10, 10, 0.5, 1, 3}, v, "cpuFactor up to 20, hostMs and requestMs down to 5 and 3")
	m, err := StartParams.ModelSet("test", map[string]map[string]float64{"netherite": {}})
	require.NoError(t, err)
	want := PaperHost
	want.BackgroundMsPerInvocation = StartParams.BackgroundMs
	require.Equal(t, want, m.Host, "every fitted set gets the host structure")
}

func TestLoadCostsChecksEveryCost(t *testing.T) {
	m, err := LoadCosts([]byte(`{"netherite":{"engine":"netherite","runs":5,"turns":9,"us":{"work:log-flush":7.4}}}`))
	require.NoError(t, err)
	require.Equal(t, 7.4, m["netherite"].Us["work:log-flush"])
	for doc, want := range map[string]string{
		`{"netherite":{"us":{}}}`:                     `costs["netherite"]: no step costs`,
		`{"netherite":{"us":{"work:x":-1}}}`:          `costs["netherite"].us["work:x"] = -1`,
		`{"netherite":{"us":{"work:x":1},"extra":1}}`: `unknown field "extra"`,
	} {
		_, err := LoadCosts([]byte(doc))
		require.ErrorContains(t, err, want, doc)
	}
}

// The fit report's held parameters come from the model set and the
// engines' knob definitions: the host, every cap with its bucket depth, and
// every knob of both engines with the values the targets give it.
func TestDocumentedRowsComeFromTheDefinitions(t *testing.T) {
	m, err := StartParams.ModelSet("x", map[string]map[string]float64{})
	require.NoError(t, err)
	rows := map[string]DocParam{}
	for _, d := range Documented(m, Targets(QuickSize, 1)) {
		require.NotEmpty(t, d.Value, d.Name)
		require.NotEmpty(t, d.Unit, d.Name)
		require.NotEmpty(t, d.Origin, d.Name)
		rows[d.Name] = d
	}
	require.Equal(t, "10", rows["host.activitySlotsPerCore"].Value)
	for _, c := range PaperCaps {
		require.Contains(t, rows, "caps."+c.Name)
		require.Equal(t, "1", rows["caps."+c.Name+".burstSec"].Value)
	}
	tus := rows["netherite.eventHubs.throughputUnits"]
	require.Contains(t, tus.Value, "bank, wordcount: 20")
	require.Contains(t, tus.Value, "collision: 4")
	require.Contains(t, tus.Value, "hello3 netherite-local, hello3 netherite-none, hello5: 5")
	require.Contains(t, rows["netherite.speculation"].Value, "hello3 netherite-none: none")
	require.Contains(t, tus.Origin, "the paper's setup")
	require.Equal(t, "12", rows["original.controlQueues"].Value)
	require.Equal(t, "queues", rows["original.controlQueues"].Unit)
	require.Contains(t, rows["original.maxConcurrentActivities"].Origin, "engine default")
	require.Contains(t, rows, "netherite.eventHubs.burstSec")
}
