package workflow

import (
	"bytes"
	"errors"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
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
	s.Issue(port.BlobGet{Name: s.cfg.inbox(), Range: port.Range{Off: s.inbox.off}}, inboxRead{})
}

// inboxRead: the inbox past the service's offset came back: load the
// executions it names, then poll it again (sooner if it named any).
type inboxRead struct{}

func (inboxRead) Then() reactor.Then { return reactor.Then{Step: "inbox-read"} }

func (inboxRead) step(s *Service, o reactor.Outcome) {
	in, c := &s.inbox, o.Completion
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
	s.After(in.gap, readInboxAgain{})
}

// readInboxAgain: the inbox poll interval has passed.
type readInboxAgain struct{}

func (readInboxAgain) Then() reactor.Then { return reactor.Then{Step: "read-inbox"} }

func (readInboxAgain) step(s *Service, _ reactor.Outcome) { s.readInbox() }

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
		s.load(executionLoaded{name: name, resume: resume})
	}
	return true
}

// load reads one execution's record, retrying transient errors.
func (s *Service) load(k executionLoaded) {
	s.Issue(port.BlobGet{Name: s.cfg.blob(k.name)}, k)
}

// executionLoaded: an execution's record came back, read for one named
// in the inbox (resume: on recovery) or, reload, after a record write
// found it changed.
type executionLoaded struct {
	name           string
	resume, reload bool
}

func (k executionLoaded) Then() reactor.Then {
	return reactor.Then{Step: "execution-loaded", About: k.name}
}

func (k executionLoaded) step(s *Service, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		if errors.Is(c.Err, port.ErrNotFound) {
			s.loaded(k, nil, c.Err)
			return
		}
		s.After(retryDelay, loadRetry{k})
		return
	}
	bd, _ := c.Result.(port.BlobData)
	x, err := s.cfg.decodeRecord(k.name, bd.Data, bd.Props.ETag)
	s.loaded(k, x, err)
}

// loaded takes a loaded record: adopted as it is stored after a conflict,
// else an execution named in the inbox that carries on from its record.
func (s *Service) loaded(k executionLoaded, x *execution, err error) {
	if k.reload {
		if err == nil {
			s.execs[k.name] = x
			s.recorded(x)
		}
		return
	}
	delete(s.inbox.loading, k.name)
	if err != nil {
		s.logf("workflow: execution %s named in the inbox: %v", k.name, err)
		return
	}
	s.execs[k.name] = x
	if k.resume && !x.e.Done() {
		s.stats.Resumed++
	}
	s.recorded(x)
}

// loadRetry: retryDelay has passed since a record read failed.
type loadRetry struct{ executionLoaded }

func (k loadRetry) Then() reactor.Then { return reactor.Then{Step: "load-retry", About: k.name} }

func (k loadRetry) step(s *Service, _ reactor.Outcome) { s.load(k.executionLoaded) }
