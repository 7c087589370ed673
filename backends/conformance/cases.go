package conformance

import "context"

type testCase struct {
	name string
	f    func(e *env)
}

var (
	blobCases   = append(append([]testCase{}, blockCases...), append(pageCases, leaseCases...)...)
	queueCases  []testCase
	tableCases  []testCase
	streamCases []testCase
)

var ctx = context.Background()
