package workflow

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// listPage is how many execution records one listing asks for.
const listPage = 1000

// query answers an instance query (Step Functions' ListExecutions, with
// durable.InstanceQuery's filters): it lists the execution records in
// name order, a listing page at a time, reads each, and answers with the
// page of those q selects once it has one more than the page holds (a
// continuation follows) or the listing ended.
func (f *Frontend) query(req durable.ClientRequest, done func(durable.ClientResponse, error)) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	prefix := f.cfg.blob("")
	var matching []durable.InstanceStatus
	var list func(marker string)
	list = func(marker string) {
		f.Issue(port.BlobListOp{Prefix: prefix, Marker: marker, Max: listPage}, "query-list", marker, func(c port.Completion) {
			if c.Err != nil {
				f.After(retryDelay, "query-list-retry", marker, func() { list(marker) })
				return
			}
			bl, _ := c.Result.(port.BlobList)
			var names []string
			for _, b := range bl.Blobs {
				if name := strings.TrimPrefix(b.Name, prefix); q.ContinuationToken == "" || name > q.ContinuationToken {
					names = append(names, name)
				}
			}
			f.readAll(names, func(xs []*execution) {
				for _, x := range xs {
					if x == nil {
						continue
					}
					if st := x.response(f.Now()).Status; q.Matches(st) {
						matching = append(matching, st)
					}
				}
				if len(matching) <= q.Size() && bl.Next != "" {
					list(bl.Next)
					return
				}
				page := durable.PageOf(q, matching, false)
				done(durable.ClientResponse{Found: true, Page: &page}, nil)
			})
		})
	}
	list("")
}

// readAll reads the records of names at once; cb gets them in names'
// order, nil for a name whose record is gone or is not one (another blob
// under the prefix).
func (f *Frontend) readAll(names []string, cb func([]*execution)) {
	xs := make([]*execution, len(names))
	left := len(names)
	if left == 0 {
		cb(xs)
		return
	}
	for i, name := range names {
		f.read(name, func(x *execution, err error) {
			if err == nil {
				xs[i] = x
			}
			if left--; left == 0 {
				cb(xs)
			}
		})
	}
}
