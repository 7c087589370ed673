package durable

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Bounds of InstanceQuery.PageSize.
const (
	DefaultQueryPage = 100
	MaxQueryPage     = 1000
)

// InstanceQuery selects orchestration instances by status, name and
// creation time, a page at a time in instance-id order (entities are not
// listed).
type InstanceQuery struct {
	// Statuses the instance must have one of (none: any).
	Statuses []Status `json:"statuses,omitempty"`
	// NamePrefix the orchestrator's name must start with ("": any).
	NamePrefix string `json:"namePrefix,omitempty"`
	// CreatedFrom and CreatedTo bound the creation time, [from, to)
	// (zero: unbounded).
	CreatedFrom time.Time `json:"createdFrom,omitempty"`
	CreatedTo   time.Time `json:"createdTo,omitempty"`
	// PageSize is the most instances a page holds (0: 100; at most 1000).
	PageSize int `json:"pageSize,omitempty"`
	// ContinuationToken is the previous page's (""  for the first page).
	ContinuationToken string `json:"continuationToken,omitempty"`
}

// InstancePage is one page of a query's answer; ContinuationToken asks for
// the next page ("" when this is the last).
type InstancePage struct {
	Instances         []InstanceStatus `json:"instances"`
	ContinuationToken string           `json:"continuationToken,omitempty"`
}

// Validate reports a field out of range.
func (q InstanceQuery) Validate() error {
	if q.PageSize < 0 || q.PageSize > MaxQueryPage {
		return fmt.Errorf("instance query PageSize = %d: allowed 0 (means %d) .. %d", q.PageSize, DefaultQueryPage, MaxQueryPage)
	}
	for _, s := range q.Statuses {
		if s <= StatusUnknown || int(s) >= len(statusNames) {
			return fmt.Errorf("instance query Statuses: %d is not a status (allowed: %v)", s, statusNames[1:])
		}
	}
	if !q.CreatedFrom.IsZero() && !q.CreatedTo.IsZero() && !q.CreatedFrom.Before(q.CreatedTo) {
		return fmt.Errorf("instance query CreatedFrom %v is not before CreatedTo %v", q.CreatedFrom, q.CreatedTo)
	}
	return nil
}

// Size is the page size the query asks for.
func (q InstanceQuery) Size() int {
	if q.PageSize == 0 {
		return DefaultQueryPage
	}
	return q.PageSize
}

// Matches reports whether an instance is selected (its id after the
// continuation token, its status, name and creation time as asked).
func (q InstanceQuery) Matches(st InstanceStatus) bool {
	switch {
	case st.InstanceID <= q.ContinuationToken && q.ContinuationToken != "":
		return false
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, st.Status):
		return false
	case !strings.HasPrefix(st.Name, q.NamePrefix):
		return false
	case !q.CreatedFrom.IsZero() && st.Created.Before(q.CreatedFrom):
		return false
	case !q.CreatedTo.IsZero() && !st.Created.Before(q.CreatedTo):
		return false
	}
	return true
}

// PageOf is the page of q among the matching instances given (of one
// partition, or the pages of several merged): sorted by id, the first
// Size of them, and a continuation token when more remain (more also
// says a source had more than it gave).
func PageOf(q InstanceQuery, matching []InstanceStatus, more bool) InstancePage {
	sorted := slices.Clone(matching)
	slices.SortFunc(sorted, func(a, b InstanceStatus) int { return strings.Compare(a.InstanceID, b.InstanceID) })
	n := q.Size()
	if len(sorted) <= n && !more {
		return InstancePage{Instances: sorted}
	}
	sorted = sorted[:min(n, len(sorted))]
	p := InstancePage{Instances: sorted}
	if len(sorted) > 0 {
		p.ContinuationToken = sorted[len(sorted)-1].InstanceID
	}
	return p
}

// MergePages merges the pages of one query from several sources (a
// query fanned out to partitions) into its page.
func MergePages(q InstanceQuery, pages []InstancePage) InstancePage {
	var all []InstanceStatus
	more := false
	for _, p := range pages {
		all = append(all, p.Instances...)
		more = more || p.ContinuationToken != ""
	}
	return PageOf(q, all, more)
}

// QueryRequest is the client request for q.
func QueryRequest(q InstanceQuery) (ClientRequest, error) {
	if err := q.Validate(); err != nil {
		return ClientRequest{}, err
	}
	b, err := json.Marshal(q)
	if err != nil {
		return ClientRequest{}, fmt.Errorf("instance query: %w", err)
	}
	return ClientRequest{Kind: RequestQuery, Payload: b}, nil
}

// DecodeQuery reads a RequestQuery's payload.
func DecodeQuery(req ClientRequest) (InstanceQuery, error) {
	var q InstanceQuery
	if err := json.Unmarshal(req.Payload, &q); err != nil {
		return q, fmt.Errorf("instance query payload: %w", err)
	}
	return q, q.Validate()
}
