package original

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// The Instances table: one row per instance, PartitionKey = instance id,
// RowKey "". Orchestrations keep their status there; entities their state
// (entities.go).
const (
	propName    = "Name"
	propStatus  = "Status"
	propInput   = "Input"
	propOutput  = "Output"
	propCustom  = "CustomStatus"
	propFailure = "Failure"
	propCreated = "Created"
	propUpdated = "Updated"
	// propProgress is how far the history the row reflects goes:
	// progress(exec, committed length). A worker's update never replaces
	// a row that is further along (updateInstance).
	propProgress = "Progress"
)

// progress orders the states of an instance row: execution, then
// committed history length.
func progress(exec uint32, length int) uint64 { return uint64(exec)<<32 | uint64(length) }

// instanceRow is an orchestration's row in the Instances table.
type instanceRow struct {
	Name             string
	Status           durable.Status
	Input, Output    []byte
	Custom           []byte
	Failure          string
	Created, Updated port.Time
	Exec             uint32
	Progress         uint64
	etag             string // as read (not a property)
}

// props encodes the row's set fields (zero fields are left out, so a merge
// keeps what an earlier write stored).
func (r *instanceRow) props() map[string][]byte {
	p := map[string][]byte{propStatus: []byte(r.Status.String()), propUpdated: uvarintProp(uint64(r.Updated))}
	if r.Name != "" {
		p[propName] = []byte(r.Name)
	}
	if r.Input != nil {
		p[propInput] = r.Input
	}
	if r.Output != nil {
		p[propOutput] = r.Output
	}
	if r.Custom != nil {
		p[propCustom] = r.Custom
	}
	if r.Failure != "" {
		p[propFailure] = []byte(r.Failure)
	}
	if r.Created != 0 {
		p[propCreated] = uvarintProp(uint64(r.Created))
	}
	if r.Exec != 0 {
		p[propExec] = uvarintProp(uint64(r.Exec))
	}
	if r.Progress != 0 {
		p[propProgress] = uvarintProp(r.Progress)
	}
	return p
}

// parseInstanceRow decodes an instance row; last, if not nil, is the name
// the previous row had (see hubIO.lastName), reused when it is the same.
func parseInstanceRow(e port.Entity, last *string) (instanceRow, error) {
	p := e.Props
	st, err := durable.ParseStatus(string(p[propStatus]))
	if err != nil {
		return instanceRow{}, err
	}
	return instanceRow{Name: sameName(p[propName], last), Status: st, Input: p[propInput], Output: p[propOutput],
		Custom: p[propCustom], Failure: string(p[propFailure]),
		Created: port.Time(readUvarint(p[propCreated])), Updated: port.Time(readUvarint(p[propUpdated])),
		Exec: uint32(readUvarint(p[propExec])), Progress: readUvarint(p[propProgress]), etag: e.ETag}, nil
}

// sameName is name as a string: *last if it is the same (no allocation),
// else a new one, which becomes *last.
func sameName(name []byte, last *string) string {
	if last == nil {
		return string(name)
	}
	if string(name) != *last {
		*last = string(name)
	}
	return *last
}

func (r *instanceRow) status(instance string) durable.InstanceStatus {
	return durable.InstanceStatus{InstanceID: instance, Name: r.Name, Status: r.Status, Input: r.Input,
		Output: r.Output, CustomStatus: r.Custom,
		Created: time.Unix(0, int64(r.Created)).UTC(), Updated: time.Unix(0, int64(r.Updated)).UTC()}.WithFailure(r.Failure)
}

// writeInstance writes an instance row with kind (Insert, InsertOrReplace,
// or Merge conditioned on ifMatch), offloading large values to blobs
// first; then gets the row's new ETag.
func (h *hubIO) writeInstance(c core, instance string, kind port.WriteKind, ifMatch string, r *instanceRow, then etagTo) {
	props := r.props()
	h.offload(c, "instances/"+instance, props, instanceOffloaded{instance: instance, kind: kind, ifMatch: ifMatch, props: props, then: then})
}

// instanceOffloaded: an instance row's large values are in blobs: write
// the row.
type instanceOffloaded struct {
	instance string
	kind     port.WriteKind
	ifMatch  string
	props    map[string][]byte
	then     etagTo
}

func (k instanceOffloaded) gotErr(c core, err error) {
	if err != nil {
		k.then.gotEtag(c, "", err)
		return
	}
	h := c.hub()
	w := port.TableWrite{Kind: k.kind, IfMatch: k.ifMatch, Entity: port.Entity{PartitionKey: k.instance, Props: k.props}}
	h.Issue(port.TableWriteOp{Table: h.n.instances, W: w}, instanceWritten{instance: k.instance, then: k.then})
}

// instanceWritten: an instance row's write came back.
type instanceWritten struct {
	instance string
	then     etagTo
}

func (k instanceWritten) Then() reactor.Then {
	return reactor.Then{Step: "instance-written", About: k.instance}
}

func (k instanceWritten) hubStep(c core, o reactor.Outcome) {
	if err := o.Completion.Err; err != nil {
		k.then.gotEtag(c, "", wrap(err, "write instance row of %s", k.instance))
		return
	}
	k.then.gotEtag(c, o.Completion.Result.(string), nil)
}

// readInstance reads an instance row; found is false if there is none.
func (h *hubIO) readInstance(instance string, then rowTo) {
	h.Issue(port.TableGet{Table: h.n.instances, PartitionKey: instance}, instanceRead{instance: instance, then: then})
}

// instanceRead: an instance row's read came back: inflate its large
// values.
type instanceRead struct {
	instance string
	then     rowTo
}

func (k instanceRead) Then() reactor.Then {
	return reactor.Then{Step: "instance-read", About: k.instance}
}

func (k instanceRead) hubStep(c core, o reactor.Outcome) {
	cp := o.Completion
	if errors.Is(cp.Err, port.ErrNotFound) {
		k.then.gotRow(c, instanceRow{}, false, nil)
		return
	}
	if cp.Err != nil {
		k.then.gotRow(c, instanceRow{}, false, wrap(cp.Err, "read instance row of %s", k.instance))
		return
	}
	e := cp.Result.(port.Entity)
	if !hasBlobRef(e.Props) { // the common case: nothing to inflate, take the row at once
		gotInstanceRow(c, k.instance, e, k.then)
		return
	}
	ents := []port.Entity{e}
	c.hub().inflate(c, ents, instanceInflated{instance: k.instance, ents: ents, then: k.then})
}

// instanceInflated: a read instance row (ents[0]) has its values.
type instanceInflated struct {
	instance string
	ents     []port.Entity
	then     rowTo
}

func (k instanceInflated) gotErr(c core, err error) {
	if err != nil {
		k.then.gotRow(c, instanceRow{}, false, err)
		return
	}
	gotInstanceRow(c, k.instance, k.ents[0], k.then)
}

// gotInstanceRow parses instance's read row e (its values inflated) and
// hands it to then.
func gotInstanceRow(c core, instance string, e port.Entity, then rowTo) {
	row, err := parseInstanceRow(e, &c.hub().lastName)
	if err != nil {
		err = corruptRow(c.hub().n.instances, instance, e.RowKey, err)
	}
	then.gotRow(c, row, true, err)
}

// queryInstances answers an instance query from the Instances table: a
// scan of every partition after the continuation token (a table query
// without a partition filter), page by page, until the page and one
// instance more have matched or the table ends; entity rows are skipped.
func (c *Client) queryInstances(req durable.ClientRequest, a answer) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		c.answer(a, durable.ClientResponse{}, fmt.Errorf("original: %w", err))
		return
	}
	c.instancesPage(instancesPage{q: q, a: a}, "")
}

func (c *Client) instancesPage(k instancesPage, cont string) {
	tq := port.TableQuery{AllPartitions: true, PageSize: port.MaxQueryPage, Continuation: cont}
	if k.q.ContinuationToken != "" {
		tq.PartitionKeyFrom = k.q.ContinuationToken + "\x00" // the first key after the token
	}
	c.Issue(port.TableQueryOp{Table: c.n.instances, Q: tq}, k)
}

// instancesPage: a page of an instance query (q) came back; matching are
// the instances the pages before matched.
type instancesPage struct {
	q        durable.InstanceQuery
	matching []durable.InstanceStatus
	a        answer
}

func (instancesPage) Then() reactor.Then { return reactor.Then{Step: "instances-page"} }

func (k instancesPage) clientStep(c *Client, o reactor.Outcome) {
	cp := o.Completion
	if cp.Err != nil {
		c.answer(k.a, durable.ClientResponse{}, wrap(cp.Err, "query instances"))
		return
	}
	page := cp.Result.(port.EntityPage)
	var rows []port.Entity
	for _, e := range page.Entities {
		if !durable.IsEntity(e.PartitionKey) {
			rows = append(rows, e)
		}
	}
	c.inflate(c, rows, instancesInflated{instancesPage: k, rows: rows, next: page.Next})
}

// instancesInflated: a page's instance rows have their values.
type instancesInflated struct {
	instancesPage
	rows []port.Entity
	next string
}

func (k instancesInflated) gotErr(cr core, err error) {
	c := client(cr)
	if err != nil {
		c.answer(k.a, durable.ClientResponse{}, err)
		return
	}
	for _, e := range k.rows {
		r, err := parseInstanceRow(e, &c.hub().lastName)
		if err != nil {
			c.answer(k.a, durable.ClientResponse{}, corruptRow(c.n.instances, e.PartitionKey, e.RowKey, err))
			return
		}
		if st := r.status(e.PartitionKey); k.q.Matches(st) {
			k.matching = append(k.matching, st)
		}
	}
	if len(k.matching) > k.q.Size() || k.next == "" {
		p := durable.PageOf(k.q, k.matching, len(k.matching) > k.q.Size())
		c.answer(k.a, durable.ClientResponse{Found: true, Page: &p}, nil)
		return
	}
	c.instancesPage(k.instancesPage, k.next)
}
