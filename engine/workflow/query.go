package workflow

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// listPage is how many execution records one listing asks for.
const listPage = 1000

// instanceQuery is one instance query in flight: the call it answers, its
// filters, the listing's prefix and the statuses it selected so far.
type instanceQuery struct {
	call     port.CallID
	q        durable.InstanceQuery
	prefix   string
	matching []durable.InstanceStatus
}

// query answers an instance query (Step Functions' ListExecutions, with
// durable.InstanceQuery's filters): it lists the execution records in
// name order, a listing page at a time, reads each, and answers with the
// page of those q selects once it has one more than the page holds (a
// continuation follows) or the listing ended.
func (f *Frontend) query(req durable.ClientRequest, id port.CallID) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		f.Respond(id, durable.ClientResponse{}, fmt.Errorf("workflow: %w", err))
		return
	}
	f.list(queryListed{run: &instanceQuery{call: id, q: q, prefix: f.cfg.blob("")}})
}

// list asks for the listing page from k.marker on.
func (f *Frontend) list(k queryListed) {
	f.Issue(port.BlobListOp{Prefix: k.run.prefix, Marker: k.marker, Max: listPage}, k)
}

// queryListed: a listing page of a query came back: read its records.
type queryListed struct {
	run    *instanceQuery
	marker string
}

func (k queryListed) Then() reactor.Then { return reactor.Then{Step: "query-list", About: k.marker} }

func (k queryListed) step(f *Frontend, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		f.After(retryDelay, queryListRetry{k})
		return
	}
	bl, _ := c.Result.(port.BlobList)
	var names []string
	for _, b := range bl.Blobs {
		if name := strings.TrimPrefix(b.Name, k.run.prefix); k.run.q.ContinuationToken == "" || name > k.run.q.ContinuationToken {
			names = append(names, name)
		}
	}
	p := &queryPage{run: k.run, next: bl.Next, xs: make([]*execution, len(names)), left: len(names)}
	if len(names) == 0 {
		f.pageRead(p)
		return
	}
	for i, name := range names {
		f.read(executionRead{name: name, kind: readQuery, page: p, i: i})
	}
}

// queryListRetry: retryDelay has passed since a listing failed.
type queryListRetry struct{ queryListed }

func (k queryListRetry) Then() reactor.Then {
	return reactor.Then{Step: "query-list-retry", About: k.marker}
}

func (k queryListRetry) step(f *Frontend, _ reactor.Outcome) { f.list(k.queryListed) }

// queryPage gathers the records of one listing page, read at once: xs in
// the listing's order, nil for a name whose record is gone or is not one
// (another blob under the prefix); left is how many reads are out, next
// the listing's next marker.
type queryPage struct {
	run  *instanceQuery
	next string
	xs   []*execution
	left int
}

// queryRead takes the record of a query page's i-th name.
func (f *Frontend) queryRead(k executionRead, x *execution, err error) {
	p := k.page
	if err == nil {
		p.xs[k.i] = x
	}
	if p.left--; p.left == 0 {
		f.pageRead(p)
	}
}

// pageRead selects from a page's records and lists the next page or
// answers.
func (f *Frontend) pageRead(p *queryPage) {
	run := p.run
	for _, x := range p.xs {
		if x == nil {
			continue
		}
		if st := x.response(f.Now()).Status; run.q.Matches(st) {
			run.matching = append(run.matching, st)
		}
	}
	if len(run.matching) <= run.q.Size() && p.next != "" {
		f.list(queryListed{run: run, marker: p.next})
		return
	}
	page := durable.PageOf(run.q, run.matching, false)
	f.Respond(run.call, durable.ClientResponse{Found: true, Page: &page}, nil)
}
