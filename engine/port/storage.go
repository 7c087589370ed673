package port

// Placeholder declarations; the storage ports are defined in blob.go,
// queue.go, table.go and stream.go.
type (
	Blob   interface{}
	Queue  interface{}
	Table  interface{}
	Stream interface{}
)
