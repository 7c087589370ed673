package spec

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/systems"
)

const example = `{
  "name": "fig9/hello5",
  "engine": {"name": "netherite", "netherite": {"partitions": 12, "speculation": "local"}},
  "backend": {"kind": "sim", "models": "paper"},
  "cluster": {"nodes": 4, "cores": 2},
  "workload": {"name": "hello5", "params": {"cities": 5}},
  "load": {"kind": "closed", "instances": 5000},
  "faults": "at 5s crash node2",
  "seed": 7,
  "repetitions": 6
}`

func TestParseExampleResolvesDefaults(t *testing.T) {
	s, err := Parse([]byte(example))
	require.NoError(t, err)
	require.Equal(t, Version, s.Version)
	require.Equal(t, 12, s.Engine.Int("partitions"))
	require.Equal(t, 20<<20, s.Engine.Int("checkpoint.logBytes"), "the descriptor's defaults")
	require.Equal(t, 10_000, s.Engine.Int("checkpoint.events"))
	require.Equal(t, "1m0s", s.Engine.Knob("checkpoint.idle"))
	require.Equal(t, 100, s.Engine.Int("maxActivities"))
	require.Equal(t, "10s", s.Engine.Knob("takeoverPoll"), "a sim-only knob has its default on backend sim")
	d, err := Parse([]byte(`{"engine":{"name":"netherite"},"backend":{"kind":"disk"},"workload":{"name":"bank"}}`))
	require.NoError(t, err)
	require.NotContains(t, d.Engine.Knobs, "takeoverPoll", "... and none on a real backend")
	_, err = Parse([]byte(`{"engine":{"name":"netherite","netherite":{"takeoverPoll":"5s"}},"backend":{"kind":"disk"},"workload":{"name":"bank"}}`))
	require.EqualError(t, err, "spec.engine.netherite.takeoverPoll: the real runner cannot honour it (only the sim runner does)")
	require.JSONEq(t, `{"cities": 5}`, string(s.Workload.Params))
	require.Equal(t, "at 5s crash node2", s.Faults)
	require.Equal(t, uint64(7), s.Seed)
}

func TestResolveIsIdempotentAndRoundTrips(t *testing.T) {
	s, err := Parse([]byte(example))
	require.NoError(t, err)
	again, err := s.Resolve()
	require.NoError(t, err)
	require.Equal(t, s, again)
	data, err := s.JSON()
	require.NoError(t, err)
	back, err := Parse(data)
	require.NoError(t, err)
	require.Equal(t, s, back)
}

// TestOmittedBackendIsTheSimulator: a spec that names no backend runs on
// the embedded default, the simulator with the default model set.
func TestOmittedBackendIsTheSimulator(t *testing.T) {
	s, err := Parse([]byte(`{"engine":{"name":"netherite"},"workload":{"name":"hello5"}}`))
	require.NoError(t, err)
	require.Equal(t, Backend{Kind: BackendSim, Models: DefaultModels}, s.Backend)
}

func TestMinimalSpecGetsEveryDefault(t *testing.T) {
	s, err := Parse([]byte(`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"bank"}}`))
	require.NoError(t, err)
	require.Equal(t, systems.Values{"controlQueues": "4", "maxConcurrentActivities": "-1", "extendedSessions": "false",
		"visibility": "5m0s", "leaseRenewal": "10s", "leaseInterval": "30s", "maxPoll": "30s", "replayCheck": "false",
		"clientOnNodes": "true", "threadPool": "true"}, s.Engine.Knobs)
	require.Equal(t, DefaultModels, s.Backend.Models)
	require.Equal(t, Cluster{Nodes: 1, Cores: 1}, s.Cluster)
	require.Equal(t, Load{Kind: LoadClosed, Instances: DefaultInstances, TimeLimit: DefaultTimeLimit}, s.Load)
	require.Equal(t, uint64(DefaultSeed), s.Seed)
	require.Equal(t, 1, s.Repetitions)
}

func TestDefaultLoadAndTimeLimitFollowTheWorkload(t *testing.T) {
	for _, c := range []struct {
		workload, load string
		instances      int
		limit          time.Duration
	}{
		{"hello5", ``, 1000, 10 * time.Minute},
		{"wordcount", ``, 1, 10 * time.Minute},                              // one job is 25,000 words
		{"collision", ``, 1, 10 * time.Minute},                              // one search is 100 × 10^9 numbers
		{"collision", `"load":{"instances":100},`, 100, 1000 * time.Minute}, // scaled to the load
		{"hello5", `"load":{"instances":2500},`, 2500, 30 * time.Minute},
		{"hello5", `"load":{"kind":"open","ratePerSec":10,"duration":"250s"},`, 0, 30 * time.Minute},
		{"bank", `"load":{"instances":5,"timeLimit":"90s"},`, 5, 90 * time.Second}, // given
	} {
		s, err := Parse([]byte(`{"engine":{"name":"original"},"backend":{"kind":"sim"},` + c.load + `"workload":{"name":"` + c.workload + `"}}`))
		require.NoError(t, err, c)
		require.Equal(t, c.instances, s.Load.Instances, c)
		require.Equal(t, c.limit, s.Load.TimeLimit.D(), c)
	}
	_, err := Parse([]byte(`{"engine":{"name":"original"},"backend":{"kind":"sim"},"load":{"timeLimit":"-1s"},"workload":{"name":"bank"}}`))
	require.ErrorContains(t, err, "spec.load.timeLimit: -1s; allowed a duration in (0, 1000h0m0s]")
}

func TestOpenLoadAndDuration(t *testing.T) {
	s, err := Parse([]byte(`{"engine":{"name":"netherite"},"backend":{"kind":"disk"},"workload":{"name":"hello3"},
		"load":{"kind":"open","ratePerSec":10,"duration":"1m30s"}}`))
	require.NoError(t, err)
	require.Equal(t, 90.0, s.Load.Duration.D().Seconds())
	require.Equal(t, "poisson", s.Load.Spacing)
	data, err := s.JSON()
	require.NoError(t, err)
	require.Contains(t, string(data), `"duration": "1m30s"`)
}

func TestDecodeErrorsNameThePath(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"speculation": {`{"engine":{"name":"netherite","netherite":{"speculation":"fast"}},"backend":{"kind":"sim"},"workload":{"name":"hello5"}}`,
			`spec.engine.netherite.speculation: "fast": allowed none, local, global`},
		"unknown top":    {`{"engin":{}}`, `spec.engin: unknown field; allowed: version, name, engine, backend, cluster, workload, load, faults, seed, repetitions`},
		"unknown nested": {`{"cluster":{"nodes":1,"cpus":2}}`, `spec.cluster.cpus: unknown field; allowed: nodes, cores`},
		"type":           {`{"cluster":{"nodes":"four"}}`, `spec.cluster.nodes: want an integer, got "four"`},
		"negative seed":  {`{"seed":-1}`, `spec.seed: want a non-negative integer, got -1`},
		"duration":       {`{"load":{"duration":"ten"}}`, `spec.load.duration: "ten" is not a duration`},
		"not object":     {`{"engine":[1]}`, `spec.engine: want an object, got [1]`},
		"engine": {`{"engine":{"name":"durabletask"},"backend":{"kind":"sim"},"workload":{"name":"hello5"}}`,
			`spec.engine.name: "durabletask" is not one of netherite, original`},
		"backend": {`{"engine":{"name":"original"},"backend":{"kind":"s3"},"workload":{"name":"hello5"}}`,
			`spec.backend.kind: "s3" is not one of sim, disk, azure, nats`},
		"workload": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"hello7"}}`,
			`spec.workload.name: "hello7" is not one of hello3, hello5, sequence, bank, wordcount, collision, imagerec`},
		"partitions real": {`{"engine":{"name":"netherite","netherite":{"partitions":64}},"backend":{"kind":"disk"},"workload":{"name":"bank"}}`,
			`spec.engine.netherite.partitions: 64 is out of range; allowed 1..32 (more partitions only with backend sim)`},
		"wrong knobs": {`{"engine":{"name":"original","netherite":{}},"backend":{"kind":"sim"},"workload":{"name":"bank"}}`,
			`spec.engine.netherite: knobs of engine netherite given, but engine is "original"`},
		"models on disk": {`{"engine":{"name":"original"},"backend":{"kind":"disk","models":"paper"},"workload":{"name":"bank"}}`,
			`spec.backend.models: applies to backend sim only, but backend is "disk"`},
		"disk-like on disk": {`{"engine":{"name":"netherite"},"backend":{"kind":"disk","diskLike":true},"workload":{"name":"bank"}}`,
			`spec.backend.diskLike: applies to backend sim only, but backend is "disk"`},
		"keep on disk": {`{"engine":{"name":"netherite"},"backend":{"kind":"disk","keep":true},"workload":{"name":"bank"}}`,
			`spec.backend.keep: applies to backend azure only, but backend is "disk"`},
		"nodes": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"cluster":{"nodes":-2},"workload":{"name":"bank"}}`,
			`spec.cluster.nodes: -2 is out of range; allowed 1..1024`},
		"open instances": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"bank"},"load":{"kind":"open","instances":3}}`,
			`spec.load.instances: applies to a closed load only`},
		"open rate": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"bank"},"load":{"kind":"open","duration":"1s"}}`,
			`spec.load.ratePerSec: 0; allowed a finite number > 0`},
		"params": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"bank","params":[1]}}`,
			`spec.workload.params: want an object, got [1]`},
		"reps": {`{"engine":{"name":"original"},"backend":{"kind":"sim"},"workload":{"name":"bank"},"repetitions":-1}`,
			`spec.repetitions: -1 is out of range; allowed 1..1000`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSimAllowsManyPartitions(t *testing.T) {
	s, err := Parse([]byte(`{"engine":{"name":"netherite","netherite":{"partitions":100}},"backend":{"kind":"sim"},"workload":{"name":"bank"}}`))
	require.NoError(t, err)
	require.Equal(t, 100, s.Engine.Int("partitions"))
}

func TestCheckpointsCanBeDisabled(t *testing.T) {
	s, err := Parse([]byte(`{"engine":{"name":"netherite","netherite":{"checkpoint":{"events":-1}}},"backend":{"kind":"sim"},"workload":{"name":"bank"}}`))
	require.NoError(t, err)
	require.Equal(t, -1, s.Engine.Int("checkpoint.events"))
	_, err = Parse([]byte(`{"engine":{"name":"netherite","netherite":{"checkpoint":{"events":-5}}},"backend":{"kind":"sim"},"workload":{"name":"bank"}}`))
	require.ErrorContains(t, err, "spec.engine.netherite.checkpoint.events: -5 is out of range; allowed 1..2147483647 or -1")
}

func TestDecodeStrictRejectsNonPointer(t *testing.T) {
	var s Spec
	require.Error(t, DecodeStrict("x", []byte(`{}`), s))
	require.NoError(t, DecodeStrict("x", []byte(`{"workload":{"name":"bank","params":{"a":[1,2]}}}`), &s))
	require.Equal(t, json.RawMessage(`{"a":[1,2]}`), s.Workload.Params)
}

// An omitted number takes its default; an explicit 0 is an error naming
// the field, its default and its allowed values.
func TestExplicitZeroIsAnError(t *testing.T) {
	const head = `{"engine":{"name":"netherite"},"backend":{"kind":"sim"},"workload":{"name":"hello5"},`
	for in, want := range map[string]string{
		`"load":{"instances":0}}`:    `spec.load.instances: 0 given; omit the field for its default (the workload's default load), or give 1..10000000`,
		`"cluster":{"cores":0}}`:     `spec.cluster.cores: 0 given; omit the field for its default (1), or give 1..64`,
		`"cluster":{"nodes":0}}`:     `spec.cluster.nodes: 0 given; omit the field for its default (1), or give 1..1024`,
		`"seed":0}`:                  `spec.seed: 0 given; omit the field for its default (1)`,
		`"repetitions":0}`:           `spec.repetitions: 0 given; omit the field for its default (1), or give 1..1000`,
		`"load":{"timeLimit":"0s"}}`: `spec.load.timeLimit: 0 given; omit the field for its default (scaled to the load), or give a duration in (0, 1000h0m0s]`,
		`"load":{"kind":"open","ratePerSec":0,"duration":"1s"}}`: `spec.load.ratePerSec: 0 given; allowed a finite number > 0`,
	} {
		_, err := Parse([]byte(head + in))
		require.EqualError(t, err, want, in)
	}
	// Engine knobs are checked by their system's knob definitions: an
	// explicit 0 is out of their range there.
	const rest = `,"backend":{"kind":"sim"},"workload":{"name":"hello5"}}`
	for in, want := range map[string]string{
		`{"engine":{"name":"netherite","netherite":{"partitions":0}}`:             `spec.engine.netherite.partitions: 0 is out of range; allowed 1..1024`,
		`{"engine":{"name":"netherite","netherite":{"checkpoint":{"events":0}}}`:  `spec.engine.netherite.checkpoint.events: 0 is out of range; allowed 1..2147483647 or -1`,
		`{"engine":{"name":"netherite","netherite":{"checkpoint":{"idle":"0s"}}}`: `spec.engine.netherite.checkpoint.idle: "0s": allowed a duration > 0`,
		`{"engine":{"name":"original","original":{"maxConcurrentActivities":0}}`:  `spec.engine.original.maxConcurrentActivities: 0 is out of range; allowed 1..1000 or -1`,
	} {
		_, err := Parse([]byte(in + rest))
		require.ErrorContains(t, err, want, in)
	}
	// A sweep axis setting 0 is refused the same way.
	_, err := Apply(Spec{Engine: Engine{Name: EngineNetherite}, Backend: Backend{Kind: BackendSim}, Workload: Workload{Name: "hello5"}},
		Axis{Path: "cluster.cores", Values: []json.RawMessage{[]byte("0")}})
	require.EqualError(t, err, `spec.cluster.cores: 0 given; omit the field for its default (1), or give 1..64`)
}

// A spec that is not JSON says where it stops being JSON and what was
// expected, instead of quoting it.
func TestSyntaxErrorsSayWhere(t *testing.T) {
	_, err := Decode([]byte("{\"engine\":{\"name\":\"netherite\"},\n\"workload\":{\"name\":\"hel"))
	require.EqualError(t, err, "spec: not valid JSON at line 2, column 24 (byte 55 of 55): the JSON ends early (a truncated file?): want the rest of the value and its closing brackets")
	_, err = Decode([]byte("{\"engine\":{\"name\":\"netherite\"}\n \"seed\":2}"))
	require.EqualError(t, err, "spec: not valid JSON at line 2, column 3 (byte 33 of 41): invalid character '\"' after object key:value pair")
	_, err = Decode([]byte(" \n"))
	require.EqualError(t, err, "spec: empty input; want a JSON object")
}

// A spec naming a workload its system does not run is refused at
// workload.name, naming the workloads the system runs; the loops over
// systems × workloads cover the workflow service (Systems), the loops over
// every workload the Durable Functions engines (Engines).
func TestSpecRefusesAWorkloadItsSystemDoesNotRun(t *testing.T) {
	_, err := Parse([]byte(`{"engine":{"name":"workflow"},"workload":{"name":"hello5"}}`))
	require.EqualError(t, err, `spec.workload.name: system workflow does not run workload "hello5": it runs hello3, sequence, imagerec`)
	_, err = Parse([]byte(`{"engine":{"name":"workflow"},"workload":{"name":"hello3"}}`))
	require.NoError(t, err)
	require.Equal(t, []string{EngineNetherite, EngineOriginal, EngineSQL}, Engines)
	require.Equal(t, []string{EngineNetherite, EngineOriginal, EngineSQL, "workflow", "queuechain"}, Systems)
	require.ErrorContains(t, Catalog{}.Runs("workflow", "bank"), "it runs hello3, sequence, imagerec")
}
