package original

import (
	"bytes"
	"maps"
	"sort"

	"github.com/dflab/dflab/engine/port"
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
// key and the property, replacing them by references, then runs cb.
func (h *hubIO) offload(key string, props map[string][]byte, cb func(error)) {
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
	h.All(ops, "property-blobs-written", key, func(cs []port.Completion) { cb(wrap(firstErr(cs), "write large property blobs of %s", key)) })
}

// inflate replaces blob references in the entities' properties by the
// blobs' content, then runs cb.
func (h *hubIO) inflate(ents []port.Entity, cb func(error)) {
	type slot struct {
		e int
		k string
	}
	var ops []port.Op
	var at []slot
	for i := range ents {
		if !hasBlobRef(ents[i].Props) {
			continue // the common case: nothing to read, no keys to sort
		}
		ents[i].Props = maps.Clone(ents[i].Props) // what a read returns is read only (port.Table)
		for _, k := range sortedProps(ents[i].Props) {
			if v := ents[i].Props[k]; bytes.HasPrefix(v, []byte(blobRef)) {
				ops = append(ops, port.BlobGet{Name: string(v[len(blobRef):])})
				at = append(at, slot{i, k})
			}
		}
	}
	h.All(ops, "property-blobs-read", "", func(cs []port.Completion) {
		if err := firstErr(cs); err != nil {
			cb(wrap(err, "read large property blob"))
			return
		}
		for j, c := range cs {
			ents[at[j].e].Props[at[j].k] = c.Result.(port.BlobData).Data
		}
		cb(nil)
	})
}
