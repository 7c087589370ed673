package workflow

import (
	"bytes"
	"errors"

	"github.com/dflab/dflab/engine/port"
)

// inboxReader is the service's position in the inbox of started names.
type inboxReader struct {
	off     int64
	gap     port.Time
	first   bool // the first read of this life (recovery)
	loading map[string]bool
}

// recover reads the inbox from the start: every execution it names is
// loaded, and the running ones resume from their last record; then the
// inbox is polled for new names.
func (s *Service) recover() {
	s.inbox = inboxReader{first: true, gap: s.cfg.InboxPollMin, loading: map[string]bool{}}
	s.readInbox()
}

func (s *Service) readInbox() {
	s.Issue(port.BlobGet{Name: s.cfg.inbox(), Range: port.Range{Off: s.inbox.off}}, "inbox-read", "", func(c port.Completion) {
		in := &s.inbox
		found := false
		switch {
		case c.Err == nil:
			bd, _ := c.Result.(port.BlobData)
			found = s.takeNames(bd.Data)
		case errors.Is(c.Err, port.ErrNotFound), errors.Is(c.Err, port.ErrBadRequest):
			// No inbox yet, or nothing past our offset.
		default:
			s.logf("workflow: read inbox %s: %v", s.cfg.inbox(), c.Err)
		}
		in.first = false
		if found {
			in.gap = s.cfg.InboxPollMin
		} else {
			in.gap = min(2*in.gap, s.cfg.InboxPollMax)
		}
		s.After(in.gap, "read-inbox", "", s.readInbox)
	})
}

// takeNames takes the complete lines of data as started names and loads
// the executions not known yet. It reports whether there were any.
func (s *Service) takeNames(data []byte) bool {
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return false
	}
	s.inbox.off += int64(end + 1)
	resume := s.inbox.first
	for _, line := range bytes.Split(data[:end], []byte{'\n'}) {
		name := string(line)
		if name == "" || s.execs[name] != nil || s.ended[name] || s.inbox.loading[name] {
			continue
		}
		s.inbox.loading[name] = true
		s.load(name, func(x *execution, err error) {
			delete(s.inbox.loading, name)
			if err != nil {
				s.logf("workflow: execution %s named in the inbox: %v", name, err)
				return
			}
			s.execs[name] = x
			if resume && !x.e.Done() {
				s.stats.Resumed++
			}
			s.recorded(x)
		})
	}
	return true
}

// load reads one execution's record, retrying transient errors.
func (s *Service) load(name string, cb func(*execution, error)) {
	s.Issue(port.BlobGet{Name: s.cfg.blob(name)}, "execution-loaded", name, func(c port.Completion) {
		if c.Err != nil {
			if errors.Is(c.Err, port.ErrNotFound) {
				cb(nil, c.Err)
				return
			}
			s.After(retryDelay, "load-retry", name, func() { s.load(name, cb) })
			return
		}
		bd, _ := c.Result.(port.BlobData)
		x, err := s.cfg.decodeRecord(name, bd.Data, bd.Props.ETag)
		cb(x, err)
	})
}
