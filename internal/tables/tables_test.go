package tables

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
)

func TestCreateTableInput(t *testing.T) {
	tests := []struct {
		spec Spec
		keys []types.KeySchemaElement
	}{
		{Fares, []types.KeySchemaElement{{AttributeName: aws.String("fareId"), KeyType: types.KeyTypeHash}}},
		{CustomerAccounts, []types.KeySchemaElement{
			{AttributeName: aws.String("customerId"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("entryId"), KeyType: types.KeyTypeRange}}},
	}
	for _, tt := range tests {
		in := tt.spec.CreateTableInput("deployed-" + tt.spec.Name)
		assert.Equal(t, "deployed-"+tt.spec.Name, aws.ToString(in.TableName))
		assert.Equal(t, types.BillingModePayPerRequest, in.BillingMode)
		assert.Equal(t, tt.keys, in.KeySchema)
		assert.Len(t, in.AttributeDefinitions, len(tt.keys))
	}
}

func TestNamesAndVariablesAreUnique(t *testing.T) {
	names, vars := map[string]bool{}, map[string]bool{}
	for _, spec := range All() {
		assert.False(t, names[spec.Name], spec.Name)
		assert.False(t, vars[spec.EnvVar], spec.EnvVar)
		names[spec.Name], vars[spec.EnvVar] = true, true
	}
	assert.Equal(t, map[string]string{"FARES_TABLE": "Fares", "PAYMENTS_TABLE": "Payments",
		"CUSTOMER_ACCOUNTS_TABLE": "CustomerAccounts", "PAYMENT_GATEWAY_TABLE": "PaymentGateway"}, LocalNames())
}
