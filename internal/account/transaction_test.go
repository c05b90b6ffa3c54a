package account

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/tables"
)

func canceledWith(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, code := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(code)}
	}
	return &types.TransactionCanceledException{CancellationReasons: reasons}
}

func TestCancellationsOtherThanConditions(t *testing.T) {
	tests := []struct {
		name    string
		codes   []string
		wantErr string // Step Functions name, or "errStateChanged"
	}{
		{"a conflict is contention: decide again", []string{"None", "TransactionConflict"}, "errStateChanged"},
		{"throttling is Throttled", []string{"ThrottlingError", "None"}, "Throttled"},
		{"exceeded throughput is Throttled", []string{"None", "ProvisionedThroughputExceeded"}, "Throttled"},
		{"anything else is a bug", []string{"ValidationError"}, "UnexpectedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reasons, ok := cancellationOf(canceledWith(tt.codes...))
			require.True(t, ok)

			err := reasons.unlessCondition("test")

			if tt.wantErr == "errStateChanged" {
				assert.ErrorIs(t, err, errStateChanged)
				return
			}
			assert.Equal(t, tt.wantErr, errorName(err))
		})
	}
	_, ok := cancellationOf(errors.New("connection reset"))
	assert.False(t, ok)
}

func TestEntryKeysAreTheTableKeys(t *testing.T) {
	item, err := attributevalue.MarshalMap(newEntry("cust-1", "fare-1", KindCredit, money.Money{Amount: 1, Currency: "EUR"}, startOfTest, ownerOf("fare-1")))
	require.NoError(t, err)
	assert.Equal(t, &types.AttributeValueMemberS{Value: "cust-1"}, item[tables.CustomerAccounts.PartitionKey])
	assert.Equal(t, &types.AttributeValueMemberS{Value: "FARE#fare-1#CREDIT"}, item[tables.CustomerAccounts.SortKey])
	assert.Equal(t, &types.AttributeValueMemberN{Value: "1"}, item["amount"], "money is an integer number")
}

// The handlers lean on a few things of DynamoDB's; these check minidyn does them too,
// so that the other tests prove something.
func TestMinidynDoesWhatTheHandlersRelyOn(t *testing.T) {
	ctx := context.Background()

	t.Run("a cancelled transaction applies none of its items, and says which failed", func(t *testing.T) {
		f := newFixture(t)
		err := f.svc.transact(ctx, []types.TransactWriteItem{
			f.svc.addToBalance("cust-1", money.Money{Amount: 500, Currency: "EUR"}, startOfTest),
			f.svc.checkEntry("cust-1", "FARE#missing#CREDIT", mustExist),
		})
		reasons, ok := cancellationOf(err)
		require.True(t, ok, "error: %v", err)
		assert.Equal(t, cancellation{"None", "ConditionalCheckFailed"}, reasons)
		assert.Zero(t, f.balance(t, "cust-1", "EUR"))
	})

	t.Run("ADD creates the balance and takes negative amounts", func(t *testing.T) {
		f := newFixture(t)
		for _, delta := range []int64{700, -250, 1} {
			require.NoError(t, f.svc.transact(ctx, []types.TransactWriteItem{
				f.svc.addToBalance("cust-1", money.Money{Amount: delta, Currency: "EUR"}, startOfTest),
			}))
		}
		assert.Equal(t, int64(451), f.balance(t, "cust-1", "EUR"))
	})

	t.Run("a Put refuses an existing entry", func(t *testing.T) {
		f := newFixture(t)
		put, err := f.svc.putNewEntry(newEntry("cust-1", "fare-1", KindCredit, money.Money{Amount: 1, Currency: "EUR"}, startOfTest, ownerOf("fare-1")))
		require.NoError(t, err)
		require.NoError(t, f.svc.transact(ctx, []types.TransactWriteItem{put}))
		reasons, _ := cancellationOf(f.svc.transact(ctx, []types.TransactWriteItem{put}))
		assert.Equal(t, cancellation{"ConditionalCheckFailed"}, reasons)
	})

	t.Run("a fare's entries are not a longer fareId's", func(t *testing.T) {
		f := newFixture(t)
		f.mustCredit(t, fareOf("fare-1", "cust-1", 100, "EUR"))
		f.mustCredit(t, fareOf("fare-10", "cust-1", 100, "EUR"))
		ledger, err := f.svc.readFareLedger(ctx, "cust-1", "fare-1")
		require.NoError(t, err)
		require.NotNil(t, ledger.credit)
		assert.Equal(t, "FARE#fare-1#CREDIT", ledger.credit.EntryID)
		assert.Nil(t, ledger.reversal)
	})
}
