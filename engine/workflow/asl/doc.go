// Package asl parses and interprets the Amazon States Language: a state
// machine definition (JSON) is checked once by Parse, which names the state
// and the field of the first fault, and then run by an Execution, a pure
// and deterministic interpreter: it never reads a clock, never runs a task
// and never touches storage. It is told the time, asks for task invocations
// and timers as data (Outstanding), takes their outcomes (TaskDone,
// TimerFired), and advances one round of state transitions per Step, so
// that its owner can record every transition before the next one starts.
// An Execution is plain data: it encodes to JSON and decodes back (Encode,
// Decode), which is how the workflow service records and resumes it.
//
// Supported: Task, Choice (every comparison operator, their Path forms,
// And/Or/Not, the Is* tests), Parallel, Map, Pass, Wait, Succeed, Fail;
// Retry and Catch; InputPath, Parameters (keys ending in ".$" take a path,
// a context path "$$." or an intrinsic function), ResultSelector,
// ResultPath, OutputPath; the intrinsics States.Array, States.Format,
// States.JsonToString, States.StringToJson, States.MathAdd.
package asl
