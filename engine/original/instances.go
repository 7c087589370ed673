package original

import (
	"errors"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
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

func parseInstanceRow(e port.Entity) (instanceRow, error) {
	p := e.Props
	st, err := durable.ParseStatus(string(p[propStatus]))
	if err != nil {
		return instanceRow{}, err
	}
	return instanceRow{Name: string(p[propName]), Status: st, Input: p[propInput], Output: p[propOutput],
		Custom: p[propCustom], Failure: string(p[propFailure]),
		Created: port.Time(readUvarint(p[propCreated])), Updated: port.Time(readUvarint(p[propUpdated])),
		Exec: uint32(readUvarint(p[propExec])), Progress: readUvarint(p[propProgress]), etag: e.ETag}, nil
}

func (r *instanceRow) status(instance string) durable.InstanceStatus {
	return durable.InstanceStatus{InstanceID: instance, Name: r.Name, Status: r.Status, Input: r.Input,
		Output: r.Output, CustomStatus: r.Custom,
		Created: time.Unix(0, int64(r.Created)).UTC(), Updated: time.Unix(0, int64(r.Updated)).UTC()}.WithFailure(r.Failure)
}

// writeInstance writes an instance row with kind (Insert, InsertOrReplace,
// or Merge conditioned on ifMatch), offloading large values to blobs
// first; cb gets the row's new ETag.
func (h *hubIO) writeInstance(instance string, kind port.WriteKind, ifMatch string, r *instanceRow, cb func(etag string, err error)) {
	props := r.props()
	h.offload("instances/"+instance, props, func(err error) {
		if err != nil {
			cb("", err)
			return
		}
		w := port.TableWrite{Kind: kind, IfMatch: ifMatch, Entity: port.Entity{PartitionKey: instance, Props: props}}
		h.Issue(port.TableWriteOp{Table: h.n.instances, W: w}, "instance-written", instance, func(c port.Completion) {
			if c.Err != nil {
				cb("", wrap(c.Err, "write instance row of %s", instance))
				return
			}
			cb(c.Result.(string), nil)
		})
	})
}

// readInstance reads an instance row; found is false if there is none.
func (h *hubIO) readInstance(instance string, cb func(row instanceRow, found bool, err error)) {
	h.Issue(port.TableGet{Table: h.n.instances, PartitionKey: instance}, "instance-read", instance, func(c port.Completion) {
		if errors.Is(c.Err, port.ErrNotFound) {
			cb(instanceRow{}, false, nil)
			return
		}
		if c.Err != nil {
			cb(instanceRow{}, false, wrap(c.Err, "read instance row of %s", instance))
			return
		}
		ents := []port.Entity{c.Result.(port.Entity)}
		h.inflate(ents, func(err error) {
			if err != nil {
				cb(instanceRow{}, false, err)
				return
			}
			row, err := parseInstanceRow(ents[0])
			if err != nil {
				err = corruptRow(h.n.instances, instance, ents[0].RowKey, err)
			}
			cb(row, true, err)
		})
	})
}

// queryInstances answers an instance query from the Instances table: a
// scan of every partition after the continuation token (a table query
// without a partition filter), page by page, until the page and one
// instance more have matched or the table ends; entity rows are skipped.
func (c *Client) queryInstances(req durable.ClientRequest, done reply) {
	q, err := durable.DecodeQuery(req)
	if err != nil {
		done(durable.ClientResponse{}, fmt.Errorf("original: %w", err))
		return
	}
	var matching []durable.InstanceStatus
	var next func(cont string)
	next = func(cont string) {
		tq := port.TableQuery{AllPartitions: true, PageSize: port.MaxQueryPage, Continuation: cont}
		if q.ContinuationToken != "" {
			tq.PartitionKeyFrom = q.ContinuationToken + "\x00" // the first key after the token
		}
		c.Issue(port.TableQueryOp{Table: c.n.instances, Q: tq}, "instances-page", "", func(cp port.Completion) {
			if cp.Err != nil {
				done(durable.ClientResponse{}, wrap(cp.Err, "query instances"))
				return
			}
			page := cp.Result.(port.EntityPage)
			var rows []port.Entity
			for _, e := range page.Entities {
				if !durable.IsEntity(e.PartitionKey) {
					rows = append(rows, e)
				}
			}
			c.inflate(rows, func(err error) {
				if err != nil {
					done(durable.ClientResponse{}, err)
					return
				}
				for _, e := range rows {
					r, err := parseInstanceRow(e)
					if err != nil {
						done(durable.ClientResponse{}, corruptRow(c.n.instances, e.PartitionKey, e.RowKey, err))
						return
					}
					if st := r.status(e.PartitionKey); q.Matches(st) {
						matching = append(matching, st)
					}
				}
				if len(matching) > q.Size() || page.Next == "" {
					p := durable.PageOf(q, matching, len(matching) > q.Size())
					done(durable.ClientResponse{Found: true, Page: &p}, nil)
					return
				}
				next(page.Next)
			})
		})
	}
	next("")
}
