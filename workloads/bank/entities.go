package bank

import (
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
)

var _ workload.EntityOracle = (*Bank)(nil)

// OracleEntities names every account a transfer of arrivals touches.
func (b *Bank) OracleEntities(arrivals []workload.Arrival) ([]durable.EntityID, error) {
	seen := map[string]bool{}
	var out []durable.EntityID
	for _, s := range workload.Starts(arrivals, TransactionOrchestrator) {
		var in TransferInput
		if err := workload.Decode("bank input of "+s.Instance, s.Payload, &in); err != nil {
			return nil, err
		}
		for _, k := range []string{in.Source, in.Dest} {
			if !seen[k] {
				seen[k] = true
				out = append(out, Account(k))
			}
		}
	}
	return out, nil
}
