package chain

import (
	"encoding/json"
	"errors"

	"github.com/dflab/dflab/engine/port"
)

// claim is the content of a receipt or of the scan claim while a host
// holds it.
type claim struct {
	Host string    `json:"host"`
	At   port.Time `json:"at"`
	Done bool      `json:"done,omitempty"`
}

// scanTick is the blob trigger's poll: every ScanInterval, the host that
// holds the scan claim lists the container.
func (h *Host) scanTick() {
	h.claimScan(func(ok bool) {
		if ok {
			h.scanPage()
			return
		}
		h.After(h.cfg.ScanInterval, "scan", "", h.scanTick)
	})
}

// claimScan takes or renews the scan claim: absent, ours, or not renewed
// for three scan intervals (its host is gone).
func (h *Host) claimScan(cb func(bool)) {
	mine, _ := json.Marshal(claim{Host: h.cfg.Node, At: h.Now()})
	put := func(cond port.Cond) {
		h.Issue(port.BlobPut{Name: h.cfg.scanClaim(), Data: mine, Cond: cond}, "scan-claimed", "", func(c port.Completion) {
			if c.Err != nil {
				h.claimed = false
			} else if !h.claimed {
				h.claimed, h.last, h.marker = true, -1, "" // a new holder sweeps everything once
			}
			cb(c.Err == nil)
		})
	}
	h.Issue(port.BlobGet{Name: h.cfg.scanClaim()}, "scan-claim-read", "", func(c port.Completion) {
		if errors.Is(c.Err, port.ErrNotFound) {
			put(port.Cond{IfNoneMatch: "*"})
			return
		}
		if c.Err != nil {
			cb(false)
			return
		}
		bd, _ := c.Result.(port.BlobData)
		var cl claim
		_ = json.Unmarshal(bd.Data, &cl)
		if cl.Host == h.cfg.Node && h.claimed || h.Now()-cl.At >= 3*h.cfg.ScanInterval {
			put(port.Cond{IfMatch: bd.Props.ETag})
			return
		}
		h.claimed = false
		cb(false)
	})
}

// scanPage lists one page of the container and puts the blobs written
// since the last complete sweep began (less SkewMargin) on the internal
// queue; the scan goes on until its budget is spent or the listing ends.
func (h *Host) scanPage() {
	if h.marker == "" {
		h.sweep = h.Now()
	}
	h.stats.Scans++
	n := min(port.MaxListResults, h.cfg.ScanBudget-h.listed)
	h.Issue(port.BlobListOp{Prefix: h.cfg.stepPrefix(), Marker: h.marker, Max: n}, "scan-page", "", func(c port.Completion) {
		if c.Err != nil {
			h.listed = 0
			h.After(h.cfg.ScanInterval, "scan", "", h.scanTick)
			return
		}
		list, _ := c.Result.(port.BlobList)
		var found []port.BlobProps
		for _, b := range list.Blobs {
			if h.last < 0 || b.LastModified >= h.last-h.cfg.SkewMargin {
				found = append(found, b)
			}
		}
		h.listed += len(list.Blobs)
		h.marker = list.Next
		h.enqueueFound(found, func() {
			switch {
			case list.Next == "":
				h.last, h.listed = h.sweep, 0
				h.After(h.cfg.ScanInterval, "scan", "", h.scanTick)
			case h.listed >= h.cfg.ScanBudget:
				h.listed = 0
				h.After(h.cfg.ScanInterval, "scan", "", h.scanTick)
			default:
				h.scanPage()
			}
		})
	})
}

func (h *Host) enqueueFound(found []port.BlobProps, then func()) {
	if len(found) == 0 {
		then()
		return
	}
	h.stats.Found++
	b, _ := json.Marshal(blobMsg{Blob: found[0].Name, ETag: found[0].ETag})
	h.Issue(port.QueueEnqueue{Queue: h.cfg.blobQueue(), Data: b}, "found-enqueued", "", func(c port.Completion) {
		if c.Err != nil {
			h.After(retryDelay, "enqueue-found-retry", "", func() { h.enqueueFound(found, then) })
			return
		}
		h.wake(h.cfg.blobQueue())
		h.enqueueFound(found[1:], then)
	})
}

// handleBlob runs a blob-triggered step once per blob version: claim its
// receipt, run the function on the blob, write the next step's blob (or
// the done event), mark the receipt done, delete the message.
func (h *Host) handleBlob(l *listener, m port.Message) {
	var bm blobMsg
	if err := json.Unmarshal(m.Data, &bm); err != nil {
		h.poisonMsg(l, m)
		return
	}
	if h.cfg.Trigger == TriggerLambda {
		h.runBlob(l, m, bm, "", "") // an event, not a found blob: no receipt
		return
	}
	receipt := h.cfg.receipt(bm.Blob, bm.ETag)
	h.claimReceipt(receipt, func(etag string, state receiptState) {
		switch state {
		case receiptDone:
			h.stats.Skipped++
			h.deleteMsg(l, m, func() {})
		case receiptHeld:
			// another host runs it: look again when its claim may have lapsed
			h.Issue(port.QueueUpdate{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt, Visibility: h.cfg.ClaimTimeout}, "claim-extended", l.queue, func(port.Completion) {
				h.finished(l)
			})
		case receiptFailed:
			h.finished(l) // the message comes back after its visibility timeout
		default:
			h.runBlob(l, m, bm, receipt, etag)
		}
	})
}

func (h *Host) runBlob(l *listener, m port.Message, bm blobMsg, receipt, etag string) {
	h.Issue(port.BlobGet{Name: bm.Blob}, "blob-read", bm.Blob, func(c port.Completion) {
		if c.Err != nil {
			if errors.Is(c.Err, port.ErrNotFound) {
				h.deleteMsg(l, m, func() {})
				return
			}
			h.finished(l)
			return
		}
		bd, _ := c.Result.(port.BlobData)
		var s stepMsg
		if err := json.Unmarshal(bd.Data, &s); err != nil {
			h.poisonMsg(l, m)
			return
		}
		h.runStep(s, func(out []byte, err error) {
			if err != nil {
				h.failed(l, m, s, err)
				return
			}
			h.next(s, out, func() {
				if receipt == "" {
					h.deleteMsg(l, m, func() {})
					return
				}
				done, _ := json.Marshal(claim{Host: h.cfg.Node, At: h.Now(), Done: true})
				h.Issue(port.BlobPut{Name: receipt, Data: done, Cond: port.Cond{IfMatch: etag}}, "receipt-done", receipt, func(port.Completion) {
					h.deleteMsg(l, m, func() {})
				})
			})
		})
	})
}

type receiptState int

const (
	receiptClaimed receiptState = iota
	receiptDone
	receiptHeld
	receiptFailed
)

// claimReceipt creates the receipt claimed by this host, or takes over one
// whose claim lapsed; it reports the receipt's ETag and state.
func (h *Host) claimReceipt(name string, cb func(etag string, st receiptState)) {
	mine, _ := json.Marshal(claim{Host: h.cfg.Node, At: h.Now()})
	h.Issue(port.BlobPut{Name: name, Data: mine, Cond: port.Cond{IfNoneMatch: "*"}}, "receipt-claimed", name, func(c port.Completion) {
		if c.Err == nil {
			etag, _ := c.Result.(string)
			cb(etag, receiptClaimed)
			return
		}
		if !errors.Is(c.Err, port.ErrConflict) {
			cb("", receiptFailed)
			return
		}
		h.Issue(port.BlobGet{Name: name}, "receipt-read", name, func(c port.Completion) {
			if c.Err != nil {
				cb("", receiptFailed)
				return
			}
			bd, _ := c.Result.(port.BlobData)
			var cl claim
			_ = json.Unmarshal(bd.Data, &cl)
			switch {
			case cl.Done:
				cb("", receiptDone)
			case h.Now()-cl.At < h.cfg.ClaimTimeout:
				cb("", receiptHeld)
			default:
				h.Issue(port.BlobPut{Name: name, Data: mine, Cond: port.Cond{IfMatch: bd.Props.ETag}}, "receipt-taken", name, func(c port.Completion) {
					if c.Err != nil {
						cb("", receiptHeld)
						return
					}
					etag, _ := c.Result.(string)
					cb(etag, receiptClaimed)
				})
			}
		})
	})
}
