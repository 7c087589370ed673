package workloads

import (
	"encoding/json"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
	"github.com/stretchr/testify/require"
)

func TestLookupUnknownListsNames(t *testing.T) {
	_, err := Lookup("hello7")
	require.EqualError(t, err, `unknown workload "hello7" (known: hello3, hello5, sequence, bank, wordcount, collision, imagerec, lifecycle)`)
}

func TestEveryWorkloadBuildsWithDefaultsAndRegisters(t *testing.T) {
	reg := durable.NewRegistry()
	for _, name := range Names() {
		w, err := New(name, nil)
		require.NoError(t, err, name)
		require.Equal(t, name, w.Name())
		require.NoError(t, w.Register(reg), "%s registers beside the others", name)
		require.Positive(t, w.Units().PerInstance)
		require.NotEmpty(t, w.Units().Name)
		f, err := Lookup(name)
		require.NoError(t, err)
		require.Equal(t, f.Defaults(), w.Parameters())
		b, err := json.Marshal(w.Parameters())
		require.NoError(t, err)
		again, err := New(name, b)
		require.NoError(t, err, "resolved parameters are accepted back")
		require.Equal(t, w.Parameters(), again.Parameters())
	}
}

func TestParamsAreStrict(t *testing.T) {
	_, err := New("bank", []byte(`{"amount":5,"pairz":3}`))
	require.ErrorContains(t, err, `bank parameters: json: unknown field "pairz"`)
	_, err = New("hello5", []byte(`{"cities":3}`))
	require.ErrorContains(t, err, `unknown field "cities"`)
	w, err := New("wordcount", []byte(`{"mappers":150,"reducers":36}`))
	require.NoError(t, err)
	require.Equal(t, 150.0*5000, w.Units().PerInstance)
}

func TestBadParamsNameTheField(t *testing.T) {
	cases := map[string]string{
		"wordcount": `{"reducers":0}`,
		"collision": `{"blocks":0}`,
		"imagerec":  `{"formats":["tiff"]}`,
		"bank":      `{"pairs":-2}`,
		"sequence":  `{"length":-1}`,
	}
	want := map[string]string{
		"wordcount": "workload wordcount: wordcount parameter reducers (R) = 0: must be 1..",
		"collision": "workload collision: collision parameter blocks (B) = 0: must be 1..",
		"imagerec":  `workload imagerec: imagerec parameter formats: unknown image type "tiff": allowed [jpeg png gif]`,
		"bank":      "workload bank: bank parameter pairs = -2",
		"sequence":  "workload sequence: sequence parameter length = -1: must be 1..",
	}
	for name, params := range cases {
		_, err := New(name, []byte(params))
		require.ErrorContains(t, err, want[name])
	}
}

func TestWorkloadsShareOneInterface(t *testing.T) {
	var _ workload.Workload = mustNew(t, "hello3")
}

func mustNew(t *testing.T, name string) workload.Workload {
	w, err := New(name, nil)
	require.NoError(t, err)
	return w
}
