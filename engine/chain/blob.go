package chain

import (
	"encoding/json"
	"errors"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
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
func (h *Host) scanTick() { h.claimScan() }

// scanAgain: ScanInterval has passed: claim the scan and list.
type scanAgain struct{}

func (scanAgain) Then() reactor.Then { return reactor.Then{Step: "scan"} }

func (scanAgain) hostStep(h *Host, _ reactor.Outcome) { h.scanTick() }

// scanClaimDone goes on once the scan claim is taken (list a page) or not
// (scan again after ScanInterval).
func (h *Host) scanClaimDone(ok bool) {
	if ok {
		h.scanPage()
		return
	}
	h.After(h.cfg.ScanInterval, scanAgain{})
}

// claimScan takes or renews the scan claim: absent, ours, or not renewed
// for three scan intervals (its host is gone).
func (h *Host) claimScan() {
	mine, _ := json.Marshal(claim{Host: h.cfg.Node, At: h.Now()})
	h.Issue(port.BlobGet{Name: h.cfg.scanClaim()}, scanClaimRead{mine})
}

// scanClaimRead: the scan claim's read came back: take it (as mine) if it
// is absent, ours or lapsed.
type scanClaimRead struct{ mine []byte }

func (scanClaimRead) Then() reactor.Then { return reactor.Then{Step: "scan-claim-read"} }

func (k scanClaimRead) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if errors.Is(c.Err, port.ErrNotFound) {
		h.putScanClaim(k.mine, port.Cond{IfNoneMatch: "*"})
		return
	}
	if c.Err != nil {
		h.scanClaimDone(false)
		return
	}
	bd, _ := c.Result.(port.BlobData)
	var cl claim
	_ = json.Unmarshal(bd.Data, &cl)
	if cl.Host == h.cfg.Node && h.claimed || h.Now()-cl.At >= 3*h.cfg.ScanInterval {
		h.putScanClaim(k.mine, port.Cond{IfMatch: bd.Props.ETag})
		return
	}
	h.claimed = false
	h.scanClaimDone(false)
}

func (h *Host) putScanClaim(mine []byte, cond port.Cond) {
	h.Issue(port.BlobPut{Name: h.cfg.scanClaim(), Data: mine, Cond: cond}, scanClaimed{})
}

// scanClaimed: the write of the scan claim came back.
type scanClaimed struct{}

func (scanClaimed) Then() reactor.Then { return reactor.Then{Step: "scan-claimed"} }

func (scanClaimed) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		h.claimed = false
	} else if !h.claimed {
		h.claimed, h.last, h.marker = true, -1, "" // a new holder sweeps everything once
	}
	h.scanClaimDone(c.Err == nil)
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
	h.Issue(port.BlobListOp{Prefix: h.cfg.stepPrefix(), Marker: h.marker, Max: n}, scanListed{})
}

// scanListed: a page of the container listing came back: enqueue the
// blobs found, then go on (pageDone).
type scanListed struct{}

func (scanListed) Then() reactor.Then { return reactor.Then{Step: "scan-page"} }

func (scanListed) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		h.listed = 0
		h.After(h.cfg.ScanInterval, scanAgain{})
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
	h.enqueueFound(found, pageDone{next: list.Next})
}

// pageDone: the blobs a page found are enqueued: list the next page (the
// listing's next marker), or scan again after ScanInterval.
type pageDone struct{ next string }

func (pageDone) Then() reactor.Then { return reactor.Then{Step: "page-done"} }

func (k pageDone) hostStep(h *Host, _ reactor.Outcome) {
	switch {
	case k.next == "":
		h.last, h.listed = h.sweep, 0
		h.After(h.cfg.ScanInterval, scanAgain{})
	case h.listed >= h.cfg.ScanBudget:
		h.listed = 0
		h.After(h.cfg.ScanInterval, scanAgain{})
	default:
		h.scanPage()
	}
}

func (h *Host) enqueueFound(found []port.BlobProps, then chainStep) {
	if len(found) == 0 {
		h.take(then)
		return
	}
	h.stats.Found++
	b, _ := json.Marshal(blobMsg{Blob: found[0].Name, ETag: found[0].ETag})
	h.Issue(port.QueueEnqueue{Queue: h.cfg.blobQueue(), Data: b}, foundEnqueued{found: found, then: then})
}

// foundEnqueued: the message for found[0] came back: enqueue the rest,
// then take then.
type foundEnqueued struct {
	found []port.BlobProps
	then  chainStep
}

func (foundEnqueued) Then() reactor.Then { return reactor.Then{Step: "found-enqueued"} }

func (k foundEnqueued) hostStep(h *Host, o reactor.Outcome) {
	if o.Completion.Err != nil {
		h.After(retryDelay, enqueueFoundRetry{k})
		return
	}
	h.wake(h.cfg.blobQueue())
	h.enqueueFound(k.found[1:], k.then)
}

// enqueueFoundRetry: retryDelay has passed since a found blob's message
// could not be enqueued.
type enqueueFoundRetry struct{ foundEnqueued }

func (enqueueFoundRetry) Then() reactor.Then { return reactor.Then{Step: "enqueue-found-retry"} }

func (k enqueueFoundRetry) hostStep(h *Host, _ reactor.Outcome) { h.enqueueFound(k.found, k.then) }

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
	h.claimReceipt(blobClaim{l: l, m: m, bm: bm, receipt: h.cfg.receipt(bm.Blob, bm.ETag)})
}

// blobClaim is the claim of the receipt of a blob message (l's message m,
// naming bm) being taken: the fields of the receipt's continuations.
type blobClaim struct {
	l       *listener
	m       port.Message
	bm      blobMsg
	receipt string
	mine    []byte // the claim this host writes
}

// receiptKnown goes on once the receipt's state is known: skip, wait, or run.
func (h *Host) receiptKnown(k blobClaim, etag string, state receiptState) {
	l, m := k.l, k.m
	switch state {
	case receiptDone:
		h.stats.Skipped++
		h.deleteMsg(l, m, nothing{})
	case receiptHeld:
		// another host runs it: look again when its claim may have lapsed
		h.Issue(port.QueueUpdate{Queue: l.queue, ID: m.ID, PopReceipt: m.PopReceipt, Visibility: h.cfg.ClaimTimeout},
			finishedMsg{l: l, step: "claim-extended"})
	case receiptFailed:
		h.finished(l) // the message comes back after its visibility timeout
	default:
		h.runBlob(l, m, k.bm, k.receipt, etag)
	}
}

func (h *Host) runBlob(l *listener, m port.Message, bm blobMsg, receipt, etag string) {
	h.Issue(port.BlobGet{Name: bm.Blob}, blobRead{l: l, m: m, blob: bm.Blob, receipt: receipt, etag: etag})
}

// blobRead: the read of the blob a message names came back: run its
// step (the receipt claimed as etag; "": none).
type blobRead struct {
	l             *listener
	m             port.Message
	blob          string
	receipt, etag string
}

func (k blobRead) Then() reactor.Then { return reactor.Then{Step: "blob-read", About: k.blob} }

func (k blobRead) hostStep(h *Host, o reactor.Outcome) {
	l, m, c := k.l, k.m, o.Completion
	if c.Err != nil {
		if errors.Is(c.Err, port.ErrNotFound) {
			h.deleteMsg(l, m, nothing{})
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
	h.runStep(stepDone{l: l, m: m, s: s, blob: true, receipt: k.receipt, etag: k.etag})
}

// markDone: a blob step's next trigger is written: mark its receipt done
// (as etag; "": no receipt), then delete l's message m.
type markDone struct {
	l             *listener
	m             port.Message
	receipt, etag string
}

func (k markDone) Then() reactor.Then { return reactor.Then{Step: "mark-done", About: k.receipt} }

func (k markDone) hostStep(h *Host, _ reactor.Outcome) {
	if k.receipt == "" {
		h.deleteMsg(k.l, k.m, nothing{})
		return
	}
	done, _ := json.Marshal(claim{Host: h.cfg.Node, At: h.Now(), Done: true})
	h.Issue(port.BlobPut{Name: k.receipt, Data: done, Cond: port.Cond{IfMatch: k.etag}}, receiptMarked{k})
}

// receiptMarked: the write marking a receipt done came back: delete the
// message.
type receiptMarked struct{ markDone }

func (k receiptMarked) Then() reactor.Then {
	return reactor.Then{Step: "receipt-done", About: k.receipt}
}

func (k receiptMarked) hostStep(h *Host, _ reactor.Outcome) { h.deleteMsg(k.l, k.m, nothing{}) }

type receiptState int

const (
	receiptClaimed receiptState = iota
	receiptDone
	receiptHeld
	receiptFailed
)

// claimReceipt creates the receipt claimed by this host, or takes over one
// whose claim lapsed; receiptKnown learns the receipt's ETag and state.
func (h *Host) claimReceipt(k blobClaim) {
	k.mine, _ = json.Marshal(claim{Host: h.cfg.Node, At: h.Now()})
	h.Issue(port.BlobPut{Name: k.receipt, Data: k.mine, Cond: port.Cond{IfNoneMatch: "*"}}, receiptCreated{k})
}

// receiptCreated: the create-only write of the receipt came back.
type receiptCreated struct{ blobClaim }

func (k receiptCreated) Then() reactor.Then {
	return reactor.Then{Step: "receipt-claimed", About: k.receipt}
}

func (k receiptCreated) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if c.Err == nil {
		etag, _ := c.Result.(string)
		h.receiptKnown(k.blobClaim, etag, receiptClaimed)
		return
	}
	if !errors.Is(c.Err, port.ErrConflict) {
		h.receiptKnown(k.blobClaim, "", receiptFailed)
		return
	}
	h.Issue(port.BlobGet{Name: k.receipt}, receiptRead(k))
}

// receiptRead: the read of a receipt that exists came back: done, held,
// or lapsed (take it over).
type receiptRead struct{ blobClaim }

func (k receiptRead) Then() reactor.Then { return reactor.Then{Step: "receipt-read", About: k.receipt} }

func (k receiptRead) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		h.receiptKnown(k.blobClaim, "", receiptFailed)
		return
	}
	bd, _ := c.Result.(port.BlobData)
	var cl claim
	_ = json.Unmarshal(bd.Data, &cl)
	switch {
	case cl.Done:
		h.receiptKnown(k.blobClaim, "", receiptDone)
	case h.Now()-cl.At < h.cfg.ClaimTimeout:
		h.receiptKnown(k.blobClaim, "", receiptHeld)
	default:
		h.Issue(port.BlobPut{Name: k.receipt, Data: k.mine, Cond: port.Cond{IfMatch: bd.Props.ETag}}, receiptTaken(k))
	}
}

// receiptTaken: the take-over of a lapsed receipt came back.
type receiptTaken struct{ blobClaim }

func (k receiptTaken) Then() reactor.Then {
	return reactor.Then{Step: "receipt-taken", About: k.receipt}
}

func (k receiptTaken) hostStep(h *Host, o reactor.Outcome) {
	c := o.Completion
	if c.Err != nil {
		h.receiptKnown(k.blobClaim, "", receiptHeld)
		return
	}
	etag, _ := c.Result.(string)
	h.receiptKnown(k.blobClaim, etag, receiptClaimed)
}
