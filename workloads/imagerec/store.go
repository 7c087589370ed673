package imagerec

import (
	"sync"
)

// The modeled image store holds each image's bytes: Generate is how they
// come to exist, not what a fetch costs, so fetch keeps the bytes of the
// images generated last (Extract, Rekognition, GenerateThumbnail and the
// oracle fetch the same image within one workflow) instead of rendering
// and encoding the image again for each. The bytes are Generate's, so a
// hit and a miss answer the same; the store is shared by concurrent runs
// and activities, and bounded by storeBytes.
var storeBytes = 32 << 20

var imageStore = struct {
	sync.Mutex
	bytes map[Spec][]byte
	order []Spec // oldest first
	size  int
}{bytes: map[Spec][]byte{}}

// stored returns spec's bytes, generating and keeping them on a miss.
// The caller must not modify them.
func stored(s Spec) ([]byte, error) {
	st := &imageStore
	st.Lock()
	b, ok := st.bytes[s]
	st.Unlock()
	if ok {
		return b, nil
	}
	b, err := Generate(s)
	if err != nil {
		return nil, err
	}
	st.Lock()
	defer st.Unlock()
	if _, ok := st.bytes[s]; ok || len(b) > storeBytes {
		return b, nil
	}
	for st.size+len(b) > storeBytes {
		old := st.order[0]
		st.order = st.order[1:]
		st.size -= len(st.bytes[old])
		delete(st.bytes, old)
	}
	st.bytes[s] = b
	st.order = append(st.order, s)
	st.size += len(b)
	return b, nil
}
