package wordcount

import (
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
)

var _ workload.EntityOracle = (*WordCount)(nil)

// OracleEntities names every job's mappers, reducers and summary.
func (w *WordCount) OracleEntities(arrivals []workload.Arrival) ([]durable.EntityID, error) {
	var out []durable.EntityID
	for _, job := range workload.Instances(arrivals) {
		for m := 0; m < w.p.Mappers; m++ {
			out = append(out, MapperID(job, m))
		}
		for k := 0; k < w.p.Reducers; k++ {
			out = append(out, ReducerID(job, k))
		}
		out = append(out, SummaryID(job))
	}
	return out, nil
}
