package original

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// names are the storage object names of one task hub.
type names struct {
	hub       string
	control   []string // control queue names, by index
	workItems string
	history   string   // table
	instances string   // table
	leases    []string // lease blob names, by control queue index
}

func newNames(hub string, c int) names {
	n := names{hub: hub, workItems: hub + "-workitems", history: hub + "History", instances: hub + "Instances"}
	for i := 0; i < c; i++ {
		n.control = append(n.control, fmt.Sprintf("%s-control-%02d", hub, i))
		n.leases = append(n.leases, LeaseBlob(hub, i))
	}
	return n
}

// LeaseBlob names control queue q's lease blob; it holds the id of the
// worker that last won the lease.
func LeaseBlob(hub string, q int) string { return fmt.Sprintf("%s-leases/control-%02d", hub, q) }

// controlFor is the control queue index of an instance.
func (n *names) controlFor(instance string) int { return durable.Partition(instance, len(n.control)) }

// payloadBlob names the blob holding a large message or row payload.
func (n *names) payloadBlob(key string) string { return n.hub + "-payloads/" + key }
