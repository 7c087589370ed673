package conformance

type testCase struct {
	name string
	f    func(e *env)
}

var (
	blobCases   []testCase
	queueCases  []testCase
	tableCases  []testCase
	streamCases []testCase
)
