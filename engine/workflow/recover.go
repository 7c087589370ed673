package workflow

import (
	"errors"
	"sort"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

// listPage is how many blobs one list request returns.
const listPage = 500

// recover lists the service's blobs and loads every execution, then
// resumes the running ones and takes the calls that came meanwhile.
func (s *Service) recover() {
	s.recovering = true
	s.list("", nil)
}

func (s *Service) list(marker string, names []string) {
	prefix := s.cfg.Hub + "-wf/"
	s.issue(port.BlobListOp{Prefix: prefix, Marker: marker, Max: listPage}, func(c port.Completion) {
		if c.Err != nil && !errors.Is(c.Err, port.ErrNotFound) {
			s.logf("workflow: recovery: list %s: %v; retrying", prefix, c.Err)
			s.after(retryDelay, func() { s.list(marker, names) })
			return
		}
		l, _ := c.Result.(port.BlobList)
		for _, b := range l.Blobs {
			names = append(names, strings.TrimPrefix(b.Name, prefix))
		}
		if l.Next != "" {
			s.list(l.Next, names)
			return
		}
		s.loadAll(names)
	})
}

func (s *Service) loadAll(names []string) {
	left := len(names)
	if left == 0 {
		s.recovered()
		return
	}
	for _, n := range names {
		s.load(n, func(x *execution, err error) {
			if err != nil {
				s.logf("workflow: recovery: %v", err)
			} else {
				s.execs[x.name] = x
			}
			if left--; left == 0 {
				s.recovered()
			}
		})
	}
}

// load reads one execution's record, retrying transient errors.
func (s *Service) load(name string, cb func(*execution, error)) {
	s.issue(port.BlobGet{Name: s.blob(name)}, func(c port.Completion) {
		if c.Err != nil {
			if errors.Is(c.Err, port.ErrNotFound) {
				cb(nil, c.Err)
				return
			}
			s.after(retryDelay, func() { s.load(name, cb) })
			return
		}
		bd, _ := c.Result.(port.BlobData)
		x, err := s.decodeRecord(name, bd.Data, bd.Props.ETag)
		cb(x, err)
	})
}

func (s *Service) recovered() {
	s.recovering = false
	for _, n := range s.sortedNames() {
		if x := s.execs[n]; !x.e.Done() {
			s.stats.Resumed++
			s.recorded(x)
		}
	}
	q := s.queued
	s.queued = nil
	for _, c := range q {
		s.call(c)
	}
}

func (s *Service) sortedNames() []string {
	ns := make([]string, 0, len(s.execs))
	for n := range s.execs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
