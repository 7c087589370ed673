package netherite

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/steptest"
)

// TestSteps runs the step scripts of testdata/steps against one partition
// core (internal/steptest).
//
//	start [p=0] [speculation=local] [logBytes=65536] [planted=BUG]
//	deliver msg REQUEST instance=I [name=N] [input=JSON] [id=N]
//
// A msg is a client request (REQUEST: start, raise, status, wait, ...) from
// client 0, appended to the stream partition of instance I as the client
// core would send it; the partition finds it with its next stream read.
func TestSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	const partitions = stepPartitions
	cfg := &Config{Hub: "hub", Partitions: partitions, Clients: 1, Registry: reg}
	steptest.RunDir(t, "testdata/steps", func(t *testing.T) steptest.Rig {
		clientPos := int64(0)
		return steptest.Rig{
			Streams: cfg.StreamPartitions(),
			New: func(a steptest.Args) (port.Core, error) {
				p, err := a.Int("p", 0)
				if err != nil {
					return nil, err
				}
				c := *cfg
				if c.Knobs.Speculation, err = ParseSpeculation(a.Str("speculation", "local")); err != nil {
					return nil, err
				}
				logBytes, err := a.Int("logBytes", 64<<10)
				if err != nil {
					return nil, err
				}
				c.Knobs.LogBytes = int64(logBytes)
				c.Knobs.Planted = a.Str("planted", "")
				return NewPartition(&c, p, "node0")
			},
			Message: func(s *port.Stores, _ port.Time, a steptest.Args) (string, error) {
				req, err := steptest.ClientRequest(a)
				if err != nil {
					return "", err
				}
				clientPos++
				id, err := a.Int("id", int(clientPos))
				if err != nil {
					return "", err
				}
				b := batch{Origin: partitions, Pos: int64(id), Requests: []clientReq{{ID: uint64(id), Req: req}}}
				var e enc
				b.encode(&e)
				p := durable.Partition(req.Instance, partitions)
				pos, err := s.Stream.Append(t.Context(), p, [][]byte{e.b})
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("stream/%d@%d %s", p, pos, describeBatch(e.b)), nil
			},
			Describe: describeStepValue,
		}
	})
}

// stepPartitions is the partition count of the scripts' hub.
const stepPartitions = 2

// describeStepValue prints the partition's stream records (batches) and
// responses for the step scripts.
func describeStepValue(v any) string {
	switch o := v.(type) {
	case steptest.Record:
		return describeBatch(o)
	case port.PageWrite:
		return fmt.Sprintf("off=%d %s", o.Off, describeFlush(o.Data))
	case durable.ClientResponse:
		return fmt.Sprintf("found=%v %s", o.Found, o.Status.Status)
	}
	return ""
}

// describeFlush names the update records of a commit-log page write
// (seq:kind, with the instance of work items and the numbers of others).
func describeFlush(data []byte) string {
	var us []string
	for i := 0; i+recordHeader <= len(data) && binary.LittleEndian.Uint32(data[i:]) != 0; {
		u, next, _, bad := readRecord(data, i)
		if bad != "" {
			us = append(us, "undecodable: "+bad)
			break
		}
		s := fmt.Sprintf("%d:%s", u.Seq, u.Kind())
		switch b := u.Body.(type) {
		case orchestrated:
			s += fmt.Sprintf("(%s %s)", b.Instance, b.Status)
		case entityStep:
			s += "(" + b.Instance + ")"
		case received:
			s += fmt.Sprintf("(to %d)", b.InputPos)
		case activityResult:
			s += fmt.Sprintf("(%d)", b.Activity)
		case timerDue:
			s += fmt.Sprintf("(%d)", b.Timer)
		case confirmed:
			s += fmt.Sprintf("(p%d<=%d)", b.Dest, b.UpTo)
		}
		us = append(us, s)
		i = next
	}
	return "updates=[" + strings.Join(us, " ") + "]"
}

func describeBatch(rec []byte) string {
	b, err := decodeBatch(rec)
	if err != nil {
		return fmt.Sprintf("undecodable batch: %v", err)
	}
	from := "p" + strconv.Itoa(b.Origin)
	if b.Origin >= stepPartitions {
		from = "client"
	}
	parts := []string{fmt.Sprintf("batch from=%s pos=%d", from, b.Pos)}
	for _, r := range b.Requests {
		s := fmt.Sprintf("req#%d %s %s", r.ID, r.Req.Kind, r.Req.Instance)
		if r.Req.Name != "" {
			s += " " + r.Req.Name
		}
		if r.Req.Payload != nil {
			s += " " + strconv.Quote(string(r.Req.Payload))
		}
		parts = append(parts, s)
	}
	for _, r := range b.Responses {
		s := fmt.Sprintf("resp#%d found=%v %s", r.ID, r.Resp.Found, r.Resp.Status.Status)
		if r.Resp.Status.Output != nil {
			s += " output=" + strconv.Quote(string(r.Resp.Status.Output))
		}
		parts = append(parts, s)
	}
	for _, m := range b.Messages {
		parts = append(parts, "msg to "+m.To+": "+m.Event.String())
	}
	for _, m := range b.Activities {
		parts = append(parts, "activity to "+m.To+": "+m.Event.String())
	}
	if b.Durable > 0 {
		parts = append(parts, fmt.Sprintf("durable=%d", b.Durable))
	}
	return strings.Join(parts, " ")
}

// TestClientSteps runs the step scripts of testdata/client-steps against
// the client core.
//
//	deliver call REQUEST instance=I [name=N] [input=JSON]
//	deliver msg resp id=N [from=P] [status=Completed] [output=JSON]
//
// A msg is partition P's response to the client's request N, appended to
// the client's stream partition as the partition would send it.
func TestClientSteps(t *testing.T) {
	reg, err := steptest.HelloRegistry()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Hub: "hub", Partitions: stepPartitions, Clients: 1, Registry: reg}
	steptest.RunDir(t, "testdata/client-steps", func(t *testing.T) steptest.Rig {
		pos := map[int]int64{}
		return steptest.Rig{
			Streams: cfg.StreamPartitions(),
			New:     func(steptest.Args) (port.Core, error) { return NewClient(cfg, 0) },
			Call:    func(a steptest.Args) (any, error) { return steptest.ClientRequest(a) },
			Message: func(s *port.Stores, _ port.Time, a steptest.Args) (string, error) {
				if len(a.Pos) != 1 || a.Pos[0] != "resp" {
					return "", fmt.Errorf("deliver msg %v: allowed resp", a.Pos)
				}
				id, err := a.Int("id", 0)
				if err != nil {
					return "", err
				}
				from, err := a.Int("from", 0)
				if err != nil {
					return "", err
				}
				st, err := durable.ParseStatus(a.Str("status", "Completed"))
				if err != nil {
					return "", err
				}
				pos[from]++
				resp := durable.ClientResponse{Found: true, Status: durable.InstanceStatus{Status: st}}
				if a.Has("output") {
					resp.Status.Output = []byte(a.Str("output", ""))
				}
				b := batch{Origin: from, Pos: pos[from], Responses: []clientResp{{ID: uint64(id), Resp: resp}}}
				var e enc
				b.encode(&e)
				at, err := s.Stream.Append(t.Context(), stepPartitions, [][]byte{e.b})
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("stream/%d@%d %s", stepPartitions, at, describeBatch(e.b)), nil
			},
			Describe: describeStepValue,
		}
	})
}
