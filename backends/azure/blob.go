package azure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"

	"github.com/dflab/dflab/engine/port"
)

var (
	_ port.Blob       = (*Store)(nil)
	_ port.PageBlob   = (*Store)(nil)
	_ port.AppendBlob = (*Store)(nil)
)

// access turns a port condition into the SDK's access conditions.
func access(c port.Cond) *blob.AccessConditions {
	if c == (port.Cond{}) {
		return nil
	}
	ac := &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{},
		LeaseAccessConditions:    &blob.LeaseAccessConditions{},
	}
	if c.IfMatch != "" {
		e := azcore.ETag(c.IfMatch)
		ac.ModifiedAccessConditions.IfMatch = &e
	}
	if c.IfNoneMatch != "" {
		e := azcore.ETagAny
		ac.ModifiedAccessConditions.IfNoneMatch = &e
	}
	if c.LeaseID != "" {
		id := leaseGUID(c.LeaseID)
		ac.LeaseAccessConditions.LeaseID = &id
	}
	return ac
}

func checkWrite(name string, c port.Cond) error {
	if err := port.ValidBlobName(name); err != nil {
		return err
	}
	return port.ValidCond(c)
}

func body(data []byte) io.ReadSeekCloser { return streaming.NopCloser(bytes.NewReader(data)) }

func etag(e *azcore.ETag) string { return string(deref(e)) }

// PutBlob implements port.Blob.
func (s *Store) PutBlob(ctx context.Context, name string, data []byte, c port.Cond) (string, error) {
	if err := checkWrite(name, c); err != nil {
		return "", err
	}
	if len(data) > port.MaxBlockBlobBytes {
		return "", port.TooLarge("block blob", len(data), port.MaxBlockBlobBytes)
	}
	resp, err := s.container.NewBlockBlobClient(name).Upload(ctx, body(data),
		&blockblob.UploadOptions{AccessConditions: access(c)})
	if err != nil {
		return "", wrap(err, "put blob", name)
	}
	return etag(resp.ETag), nil
}

// GetBlob implements port.Blob. A range starting at or past the end of the
// blob reads no bytes.
func (s *Store) GetBlob(ctx context.Context, name string, r port.Range) (port.BlobData, error) {
	if err := port.ValidBlobName(name); err != nil {
		return port.BlobData{}, err
	}
	if r.Off < 0 || r.Len < 0 {
		return port.BlobData{}, port.BadRequest("range", fmt.Sprintf("%+v", r), "Off >= 0 and Len >= 0")
	}
	data, props, err := s.download(ctx, name, r.Off, r.Len)
	if err != nil {
		return port.BlobData{}, wrap(err, "get blob", name)
	}
	return port.BlobData{Data: data, Props: props}, nil
}

// download reads n bytes at off (n 0: to the end) with the blob's
// properties. A range past the end reads nothing.
func (s *Store) download(ctx context.Context, name string, off, n int64) ([]byte, port.BlobProps, error) {
	bc := s.container.NewBlobClient(name)
	resp, err := bc.DownloadStream(ctx, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: off, Count: n}})
	if hasCode(err, "InvalidRange") {
		// The range starts at or past the end: no bytes, and the props
		// from a properties request.
		p, perr := bc.GetProperties(ctx, nil)
		if perr != nil {
			return nil, port.BlobProps{}, perr
		}
		return []byte{}, port.BlobProps{
			Name: name, Type: blobType(p.BlobType), Size: deref(p.ContentLength), ETag: etag(p.ETag),
			LastModified: toTime(p.LastModified), Blocks: int(deref(p.BlobCommittedBlockCount)),
		}, nil
	}
	if err != nil {
		return nil, port.BlobProps{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, port.BlobProps{}, err
	}
	size := deref(resp.ContentLength)
	if cr := deref(resp.ContentRange); cr != "" { // "bytes 0-9/100"
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if total, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				size = total
			}
		}
	}
	return data, port.BlobProps{
		Name: name, Type: blobType(resp.BlobType), Size: size, ETag: etag(resp.ETag),
		LastModified: toTime(resp.LastModified), Blocks: int(deref(resp.BlobCommittedBlockCount)),
	}, nil
}

func blobType(t *blob.BlobType) port.BlobType {
	switch deref(t) {
	case blob.BlobTypeBlockBlob:
		return port.BlockBlob
	case blob.BlobTypePageBlob:
		return port.PageBlobType
	case blob.BlobTypeAppendBlob:
		return port.AppendBlobType
	}
	return 0
}

// DeleteBlob implements port.Blob.
func (s *Store) DeleteBlob(ctx context.Context, name string, c port.Cond) error {
	if err := checkWrite(name, c); err != nil {
		return err
	}
	_, err := s.container.NewBlobClient(name).Delete(ctx, &blob.DeleteOptions{AccessConditions: access(c)})
	return wrap(err, "delete blob", name)
}

// ListBlobs implements port.Blob.
func (s *Store) ListBlobs(ctx context.Context, prefix, marker string, max int) (port.BlobList, error) {
	if err := port.ValidListMax(max); err != nil {
		return port.BlobList{}, err
	}
	o := &container.ListBlobsFlatOptions{MaxResults: ptr(int32(max))}
	if prefix != "" {
		o.Prefix = &prefix
	}
	if marker != "" {
		o.Marker = &marker
	}
	resp, err := s.container.NewListBlobsFlatPager(o).NextPage(ctx)
	if err != nil {
		return port.BlobList{}, wrap(err, "list blobs", prefix)
	}
	var out port.BlobList
	if resp.Segment != nil {
		for _, it := range resp.Segment.BlobItems {
			p := port.BlobProps{Name: deref(it.Name)}
			if it.Properties != nil {
				p.Type = blobType(it.Properties.BlobType)
				p.Size = deref(it.Properties.ContentLength)
				p.ETag = etag(it.Properties.ETag)
				p.LastModified = toTime(it.Properties.LastModified)
			}
			out.Blobs = append(out.Blobs, p)
		}
	}
	out.Next = deref(resp.NextMarker)
	return out, nil
}

// CreatePageBlob implements port.PageBlob.
func (s *Store) CreatePageBlob(ctx context.Context, name string, size int64, c port.Cond) (string, error) {
	if err := checkWrite(name, c); err != nil {
		return "", err
	}
	if err := port.ValidPageBlobSize(size); err != nil {
		return "", err
	}
	resp, err := s.container.NewPageBlobClient(name).Create(ctx, size, &pageblob.CreateOptions{AccessConditions: access(c)})
	if err != nil {
		return "", wrap(err, "create page blob", name)
	}
	return etag(resp.ETag), nil
}

// WritePages implements port.PageBlob.
func (s *Store) WritePages(ctx context.Context, name string, off int64, data []byte, c port.Cond) (string, error) {
	if err := checkWrite(name, c); err != nil {
		return "", err
	}
	if err := port.ValidPageRange(off, len(data), -1); err != nil {
		return "", err
	}
	resp, err := s.container.NewPageBlobClient(name).UploadPages(ctx, body(data),
		blob.HTTPRange{Offset: off, Count: int64(len(data))},
		&pageblob.UploadPagesOptions{AccessConditions: access(c)})
	if err != nil {
		return "", wrap(err, "write pages", name)
	}
	return etag(resp.ETag), nil
}

// ReadPages implements port.PageBlob.
func (s *Store) ReadPages(ctx context.Context, name string, off, n int64) ([]byte, error) {
	if err := port.ValidBlobName(name); err != nil {
		return nil, err
	}
	if off < 0 || n < 0 {
		return nil, port.BadRequest("page read", fmt.Sprintf("off %d n %d", off, n), "off >= 0, n >= 0")
	}
	var data []byte
	var typ port.BlobType
	if n == 0 { // nothing to read, but the page blob must exist
		p, err := s.container.NewBlobClient(name).GetProperties(ctx, nil)
		if err != nil {
			return nil, wrap(err, "read pages", name)
		}
		data, typ = []byte{}, blobType(p.BlobType)
	} else {
		d, props, err := s.download(ctx, name, off, n)
		if err != nil {
			return nil, wrap(err, "read pages", name)
		}
		data, typ = d, props.Type
	}
	if typ != port.PageBlobType {
		return nil, fmt.Errorf("azure read pages %q: a %v blob: %w", name, typ, port.ErrConflict)
	}
	return data, nil
}

// CreateAppendBlob implements port.AppendBlob.
func (s *Store) CreateAppendBlob(ctx context.Context, name string, c port.Cond) (string, error) {
	if err := checkWrite(name, c); err != nil {
		return "", err
	}
	resp, err := s.container.NewAppendBlobClient(name).Create(ctx, &appendblob.CreateOptions{AccessConditions: access(c)})
	if err != nil {
		return "", wrap(err, "create append blob", name)
	}
	return etag(resp.ETag), nil
}

// AppendBlock implements port.AppendBlob.
func (s *Store) AppendBlock(ctx context.Context, name string, data []byte, c port.Cond) (port.AppendResult, error) {
	if err := checkWrite(name, c); err != nil {
		return port.AppendResult{}, err
	}
	if len(data) == 0 {
		return port.AppendResult{}, port.BadRequest("append block length", 0, "1..4 MiB")
	}
	if len(data) > port.MaxAppendBlockBytes {
		return port.AppendResult{}, port.TooLarge("append block", len(data), port.MaxAppendBlockBytes)
	}
	resp, err := s.container.NewAppendBlobClient(name).AppendBlock(ctx, body(data),
		&appendblob.AppendBlockOptions{AccessConditions: access(c)})
	if err != nil {
		return port.AppendResult{}, wrap(err, "append block", name)
	}
	off, err := strconv.ParseInt(deref(resp.BlobAppendOffset), 10, 64)
	if err != nil {
		return port.AppendResult{}, fmt.Errorf("azure append block %q: bad append offset %q from the service: %w",
			name, deref(resp.BlobAppendOffset), err)
	}
	return port.AppendResult{Offset: off, ETag: etag(resp.ETag)}, nil
}

func ptr[T any](v T) *T { return &v }
