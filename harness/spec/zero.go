package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// omitEmptyNumber reports whether a struct field is a number (or a
// Duration) that may be omitted: its zero means "not given".
func omitEmptyNumber(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	if !strings.Contains(","+opts+",", ",omitempty,") {
		return false
	}
	switch f.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// noDefault are the fields that must be given when they apply (an open
// load's rate and duration).
var noDefault = map[string]bool{"load.ratePerSec": true, "load.duration": true}

// defaultText describes the defaults that depend on other fields.
var defaultText = map[string]string{
	"load.instances": "the workload's default load",
	"load.timeLimit": "scaled to the load",
}

// explicitZero is the error of an explicit 0 at path: the field's default
// (what omitting it gives) and its allowed values, found by resolving a
// minimal spec and validating it with the field at 0.
func explicitZero(path string) error {
	rel := path
	for _, root := range []string{"matrix.base.", Root + "."} {
		if i := strings.Index(rel, root); i >= 0 {
			rel = rel[i+len(root):]
			break
		}
	}
	def, allowed := zeroHint(rel)
	if t, ok := defaultText[rel]; ok {
		def = t
	}
	switch {
	case noDefault[rel] && allowed != "":
		return fmt.Errorf("%s: 0 given; allowed %s", path, allowed)
	case def == "" && allowed == "":
		return fmt.Errorf("%s: 0 given; omit the field for its default", path)
	case allowed == "":
		return fmt.Errorf("%s: 0 given; omit the field for its default (%s)", path, def)
	}
	return fmt.Errorf("%s: 0 given; omit the field for its default (%s), or give %s", path, def, allowed)
}

// zeroHint returns the default of the field at rel (a path below the spec)
// and the allowed values Validate names for it, or "" where it cannot tell.
func zeroHint(rel string) (def, allowed string) {
	base := Spec{Engine: Engine{Name: EngineNetherite}, Backend: Backend{Kind: BackendSim}, Workload: Workload{Name: "hello5"}}
	if noDefault[rel] {
		base.Load = Load{Kind: LoadOpen, RatePerSec: 1, Duration: Duration(time.Second)}
	}
	r, err := base.Resolve()
	if err != nil {
		return "", ""
	}
	var tree map[string]any
	if data, err := json.Marshal(r); err != nil || json.Unmarshal(data, &tree) != nil {
		return "", ""
	}
	var zero any = 0
	if v := lookupPath(tree, rel); v != nil {
		def = fmt.Sprint(v)
		if _, isText := v.(string); isText {
			zero = "0s" // a Duration
		}
	}
	if setPath(tree, rel, zero) != nil {
		return def, ""
	}
	data, err := json.Marshal(tree)
	if err != nil {
		return def, ""
	}
	var z Spec
	if json.Unmarshal(data, &z) != nil {
		return def, ""
	}
	if verr := z.Validate(); verr != nil {
		if _, a, ok := strings.Cut(verr.Error(), "allowed "); ok {
			allowed = a
		}
	}
	return def, allowed
}

// lookupPath returns the value at a dotted path of a JSON object tree.
func lookupPath(tree map[string]any, path string) any {
	var cur any = tree
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}
