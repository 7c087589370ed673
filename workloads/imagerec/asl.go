package imagerec

import _ "embed"

//go:embed asl/imagerec.asl.json
var aslDefinition []byte

// StateMachines is the workload's Amazon States Language definition for
// the workflow service, by orchestration name: the AWS sample's shape
// (Catch on ExtractImageMetadata, a Choice on the type, Rekognition
// retried 1 s x 1.5 at most twice in a Parallel with the thumbnail).
func StateMachines() map[string][]byte {
	return map[string][]byte{Orchestrator: append([]byte(nil), aslDefinition...)}
}
