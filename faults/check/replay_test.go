package check_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/faults/check"
)

func TestSameStateJSONByPath(t *testing.T) {
	before := []byte(`{"instances":{"a":{"status":"Running","events":3}},"dedup":[4,5],"x-y":{"k k":1}}`)
	require.NoError(t, check.SameState("p3", before, before))
	reordered := []byte(`{"dedup":[4, 5], "x-y":{"k k":1}, "instances":{"a":{"events":3,"status":"Running"}}}`)
	require.NoError(t, check.SameState("p3", before, reordered), "equal as JSON")
	after := []byte(`{"instances":{"a":{"status":"Completed"},"b":{}},"dedup":[4,5,6],"x-y":{"k k":2}}`)
	err := check.SameState("partition p3 at log position 4096", before, after)
	var f *check.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, "replay-equivalence", f.Checker)
	require.Equal(t, `replay-equivalence: partition p3 at log position 4096: state after recovery differs from the state before the crash (- before, + after)
  + $.dedup[2]: 6
  - $.instances.a.events: 3
  ~ $.instances.a.status: "Running" → "Completed"
  + $.instances.b: {}
  ~ $.x-y["k k"]: 1 → 2`, err.Error())
}

func TestSameStateTextByLine(t *testing.T) {
	before := []byte("session a 3\nsession b 1\ntimer t1 5s\noutbox 17\n")
	after := []byte("session a 3\nsession b 2\ntimer t1 5s\noutbox 17\nbad \x00 byte\n")
	require.Equal(t, []string{"-2: session b 1", "+2: session b 2", `+5: "bad \x00 byte"`}, check.Diff(before, after))
	require.Error(t, check.SameState("s", before, after))
	require.Equal(t, []string{"+1: x"}, check.Diff(nil, []byte("x")))
	require.Equal(t, []string{"-1: {", "+1: {}"}, check.Diff([]byte("{"), []byte("{}")), "not both JSON: by line")
}

func TestSameStateLargeDiffIsCut(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 100; i++ {
		a.WriteString("line\n")
		b.WriteString("other\n")
	}
	err := check.SameState("big", []byte(a.String()), []byte(b.String()))
	require.Error(t, err)
	require.True(t, strings.HasSuffix(err.Error(), "... and 160 more lines"), err.Error())
}
