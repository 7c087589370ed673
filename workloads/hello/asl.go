package hello

import "embed"

//go:embed asl/*.asl.json
var aslFiles embed.FS

// StateMachines are the workloads' Amazon States Language definitions for
// the workflow service, by orchestration name: Hello3, Hello5 and
// Sequence (a loop of SequenceStep until the item has taken its length).
func StateMachines() map[string][]byte {
	out := map[string][]byte{}
	for name, file := range map[string]string{"Hello3": "hello3", "Hello5": "hello5", SequenceOrchestrator: "sequence"} {
		b, err := aslFiles.ReadFile("asl/" + file + ".asl.json")
		if err != nil {
			panic(err) // embedded at build time
		}
		out[name] = b
	}
	return out
}
