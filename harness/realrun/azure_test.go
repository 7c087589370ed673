package realrun

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue/v2"
	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
)

// accountObjects counts the containers, queues and tables of the account.
func accountObjects(t *testing.T, conn string) (containers, queues, tables int) {
	t.Helper()
	ctx := context.Background()
	acct, err := azure.ParseConnString(conn)
	require.NoError(t, err)
	bcred, err := azblob.NewSharedKeyCredential(acct.Name, acct.Key)
	require.NoError(t, err)
	bc, err := azblob.NewClientWithSharedKeyCredential(acct.BlobEndpoint, bcred, nil)
	require.NoError(t, err)
	for p := bc.NewListContainersPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		containers += len(page.ContainerItems)
	}
	qcred, err := azqueue.NewSharedKeyCredential(acct.Name, acct.Key)
	require.NoError(t, err)
	qc, err := azqueue.NewServiceClientWithSharedKeyCredential(acct.QueueEndpoint, qcred, nil)
	require.NoError(t, err)
	for p := qc.NewListQueuesPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		queues += len(page.Queues)
	}
	tcred, err := aztables.NewSharedKeyCredential(acct.Name, acct.Key)
	require.NoError(t, err)
	tc, err := aztables.NewServiceClientWithSharedKey(acct.TableEndpoint, tcred, nil)
	require.NoError(t, err)
	for p := tc.NewListTablesPager(nil); p.More(); {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		tables += len(page.Tables)
	}
	return containers, queues, tables
}
