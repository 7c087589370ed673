// Package workflow is the workflow service's system descriptor (System):
// Amazon States Language on Standard-workflow semantics, as one service
// core (engine/workflow) on a node of its own, with the quotas as knobs
// and the workloads' shipped definitions (Definitions). The simulator
// deployment and the real start share one configuration.
package workflow
