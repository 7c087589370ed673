package original

import (
	"bytes"
	"maps"
	"sort"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// blobRef marks a table property whose value lives in a blob (the value
// was over the table's 64 KiB property limit); the blob name follows.
const blobRef = "\x00blob:"

func sortedProps(props map[string][]byte) []string {
	ks := make([]string, 0, len(props))
	for k := range props {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// hasBlobRef reports whether some property is a blob reference (inflate).
func hasBlobRef(props map[string][]byte) bool {
	//archtest:orderfree only whether one exists; inflate visits them in sorted order
	for _, v := range props {
		if bytes.HasPrefix(v, []byte(blobRef)) {
			return true
		}
	}
	return false
}

// offload moves property values over the table limit to blobs named after
// key and the property, replacing them by references; then gets the
// outcome.
func (h *hubIO) offload(c core, key string, props map[string][]byte, then errTo) {
	var ops []port.Op
	for _, k := range sortedProps(props) {
		v := props[k]
		if len(v) <= port.MaxPropertyBytes-64 {
			continue
		}
		name := h.n.payloadBlob(key + "/" + k)
		ops = append(ops, port.BlobPut{Name: name, Data: v})
		props[k] = append([]byte(blobRef), name...)
	}
	k := propsOffloaded{key: key, then: then}
	if !h.All(ops, k) {
		k.hubStep(c, reactor.Outcome{})
	}
}

// propsOffloaded: the blobs of key's large properties came back.
type propsOffloaded struct {
	key  string
	then errTo
}

func (k propsOffloaded) Then() reactor.Then {
	return reactor.Then{Step: "property-blobs-written", About: k.key}
}

func (k propsOffloaded) hubStep(c core, o reactor.Outcome) {
	k.then.gotErr(c, wrap(firstErr(o.Completions), "write large property blobs of %s", k.key))
}

// propSlot is an entity's property (by index and name).
type propSlot struct {
	e int
	k string
}

// inflate replaces blob references in the entities' properties by the
// blobs' content; then gets the outcome.
func (h *hubIO) inflate(c core, ents []port.Entity, then errTo) {
	var ops []port.Op
	var at []propSlot
	for i := range ents {
		if !hasBlobRef(ents[i].Props) {
			continue // the common case: nothing to read, no keys to sort
		}
		ents[i].Props = maps.Clone(ents[i].Props) // what a read returns is read only (port.Table)
		for _, k := range sortedProps(ents[i].Props) {
			if v := ents[i].Props[k]; bytes.HasPrefix(v, []byte(blobRef)) {
				ops = append(ops, port.BlobGet{Name: string(v[len(blobRef):])})
				at = append(at, propSlot{i, k})
			}
		}
	}
	k := propsInflated{ents: ents, at: at, then: then}
	if !h.All(ops, k) {
		k.hubStep(c, reactor.Outcome{})
	}
}

// propsInflated: the blobs of the entities' properties at those slots came
// back.
type propsInflated struct {
	ents []port.Entity
	at   []propSlot
	then errTo
}

func (propsInflated) Then() reactor.Then { return reactor.Then{Step: "property-blobs-read"} }

func (k propsInflated) hubStep(c core, o reactor.Outcome) {
	if err := firstErr(o.Completions); err != nil {
		k.then.gotErr(c, wrap(err, "read large property blob"))
		return
	}
	for j, cp := range o.Completions {
		k.ents[k.at[j].e].Props[k.at[j].k] = cp.Result.(port.BlobData).Data
	}
	k.then.gotErr(c, nil)
}
