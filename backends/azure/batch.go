package azure

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"

	"github.com/dflab/dflab/engine/port"
)

var txTypes = map[port.WriteKind]aztables.TransactionType{
	port.Insert:          aztables.TransactionTypeAdd,
	port.Replace:         aztables.TransactionTypeUpdateReplace,
	port.Merge:           aztables.TransactionTypeUpdateMerge,
	port.InsertOrReplace: aztables.TransactionTypeInsertReplace,
	port.InsertOrMerge:   aztables.TransactionTypeInsertMerge,
	port.Delete:          aztables.TransactionTypeDelete,
}

// Batch implements port.Table with one entity group transaction. The SDK
// reports neither the writes' ETags nor the failing write, so the raw
// multipart answer is captured and parsed here.
func (s *Store) Batch(ctx context.Context, table string, ws []port.TableWrite) ([]string, error) {
	if err := port.ValidBatch(ws); err != nil {
		return nil, err
	}
	c, err := s.table(table)
	if err != nil {
		return nil, err
	}
	actions := make([]aztables.TransactionAction, len(ws))
	for i, w := range ws {
		e := w.Entity
		if w.Kind == port.Delete {
			e = port.Entity{PartitionKey: e.PartitionKey, RowKey: e.RowKey}
		}
		body, err := encodeEntity(e)
		if err != nil {
			return nil, &port.BatchError{Index: i, Err: err}
		}
		actions[i] = aztables.TransactionAction{ActionType: txTypes[w.Kind], Entity: body}
		if w.IfMatch != "" {
			actions[i].IfMatch = ptr(azcore.ETag(w.IfMatch))
		}
	}
	var raw *http.Response
	_, err = c.SubmitTransaction(policy.WithCaptureResponse(ctx, &raw), actions, nil)
	obj := table + "/" + ws[0].Entity.PartitionKey
	if raw == nil || raw.StatusCode != http.StatusAccepted {
		if err == nil {
			err = errors.New("no answer")
		}
		if _, _, isResp := responseCode(err); isResp {
			return nil, &port.BatchError{Index: 0, Err: wrap(err, "table batch", obj)}
		}
		return nil, wrap(err, "table batch", obj)
	}
	payload, perr := runtime.Payload(raw)
	if perr != nil {
		return nil, fmt.Errorf("azure table batch %q: read answer: %w", obj, perr)
	}
	return parseBatchAnswer(raw.Header.Get("Content-Type"), payload, len(ws), obj)
}

// parseBatchAnswer reads a $batch answer: one changeset holding one HTTP
// response per write on success, or the failing write's error response.
func parseBatchAnswer(contentType string, payload []byte, n int, obj string) ([]string, error) {
	parts, err := multipartBodies(contentType, payload)
	if err != nil || len(parts) != 1 {
		return nil, fmt.Errorf("azure table batch %q: malformed answer (%d parts): %v", obj, len(parts), err)
	}
	inner, err := multipartBodies(parts[0].contentType, parts[0].body)
	if err != nil {
		return nil, fmt.Errorf("azure table batch %q: malformed changeset: %w", obj, err)
	}
	etags := make([]string, 0, n)
	for _, p := range inner {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(p.body)), nil)
		if err != nil {
			return nil, fmt.Errorf("azure table batch %q: malformed response: %w", obj, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode >= 400 {
			return nil, batchFailure(resp, b, p.contentID, n, obj)
		}
		etags = append(etags, resp.Header.Get("ETag"))
	}
	if len(etags) != n {
		return nil, fmt.Errorf("azure table batch %q: %d responses for %d writes", obj, len(etags), n)
	}
	return etags, nil
}

type mimePart struct {
	contentType string
	contentID   string
	body        []byte
}

func multipartBodies(contentType string, payload []byte) ([]mimePart, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	if params["boundary"] == "" {
		return nil, errors.New("no multipart boundary")
	}
	r := multipart.NewReader(bytes.NewReader(payload), params["boundary"])
	var out []mimePart
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, err := io.ReadAll(p)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return out, err
		}
		out = append(out, mimePart{contentType: p.Header.Get("Content-Type"), contentID: p.Header.Get("Content-ID"), body: b})
	}
}

// batchFailure builds the *port.BatchError of a failed transaction. The
// service prefixes the error message with the failing write's 0-based
// index ("2:The specified entity already exists...").
func batchFailure(resp *http.Response, body []byte, contentID string, n int, obj string) error {
	var oe struct {
		Err struct {
			Code    string `json:"code"`
			Message struct {
				Value string `json:"value"`
			} `json:"message"`
		} `json:"odata.error"`
	}
	_ = json.Unmarshal(body, &oe)
	code, msg := oe.Err.Code, oe.Err.Message.Value
	idx := -1
	if i := strings.IndexByte(msg, ':'); i > 0 {
		if v, err := strconv.Atoi(msg[:i]); err == nil {
			idx = v
		}
	}
	if idx < 0 {
		if v, err := strconv.Atoi(strings.TrimSpace(contentID)); err == nil {
			idx = v - 1
		}
	}
	if idx < 0 || idx >= n {
		idx = 0
	}
	cause := fmt.Errorf("azure table batch %q: HTTP %d %s", obj, resp.StatusCode, code)
	if s := sentinelFor(code, resp.StatusCode); s != nil {
		cause = fmt.Errorf("azure table batch %q: %w (HTTP %d %s)", obj, s, resp.StatusCode, code)
	}
	return &port.BatchError{Index: idx, Err: cause}
}
