package collision

import (
	"fmt"
	"slices"

	"github.com/dflab/dflab/workloads/workload"
)

// Check is the Collision oracle: every search completed with exactly the
// collision set the plain loop finds (which is never empty).
func (c *Collision) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, SearchOrchestrator)
	if len(starts) == 0 {
		return fmt.Errorf("collision: no search was started")
	}
	for _, s := range starts {
		var in SearchInput
		if err := workload.Decode("collision input of "+s.Instance, s.Payload, &in); err != nil {
			return err
		}
		if in != c.Input(in.Target) {
			return fmt.Errorf("collision: %s was started with %+v, not this workload's parameters", s.Instance, in)
		}
		out, err := run.Completed(s.Instance)
		if err != nil {
			return fmt.Errorf("collision: %w", err)
		}
		var got SearchResult
		if err := workload.Decode("collision output of "+s.Instance, out, &got); err != nil {
			return err
		}
		want := c.Expected(in.Target)
		if len(want) == 0 {
			return fmt.Errorf("collision: %s target %#x has no collision in the searched numbers", s.Instance, in.Target)
		}
		if !slices.Equal(got.Collisions, want) {
			return fmt.Errorf("collision: %s found %v, want %v", s.Instance, got.Collisions, want)
		}
	}
	return nil
}
