// Package tables describes the DynamoDB tables of the saga once, for everyone who needs
// their shape: the CDK stack creates them from these specs, the local runtime and the
// tests create the same tables on a local endpoint, and each Lambda finds its table's
// name in the environment variable named here.
package tables

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Spec is a table's logical name, key schema and the variable that carries its name.
type Spec struct {
	Name         string // logical name: the CDK construct id and the local table name
	PartitionKey string // string-typed partition key
	SortKey      string // string-typed sort key, "" when the table has none
	EnvVar       string // environment variable holding the deployed table name
}

var (
	// Fares belongs to the fare service: one item per fare.
	Fares = Spec{Name: "Fares", PartitionKey: "fareId", EnvVar: "FARES_TABLE"}
	// Payments belongs to the payment service: one item per fare's payment.
	Payments = Spec{Name: "Payments", PartitionKey: "fareId", EnvVar: "PAYMENTS_TABLE"}
	// CustomerAccounts belongs to the account service: a balance item per customer and
	// currency, and ledger entries keyed by fareId, under the customer's partition.
	CustomerAccounts = Spec{Name: "CustomerAccounts", PartitionKey: "customerId", SortKey: "entryId", EnvVar: "CUSTOMER_ACCOUNTS_TABLE"}
	// PaymentGateway is the simulated gateway's own state: what a real gateway keeps on
	// its side (authorisations, idempotency keys). It is not ours to read in production.
	PaymentGateway = Spec{Name: "PaymentGateway", PartitionKey: "id", EnvVar: "PAYMENT_GATEWAY_TABLE"}
)

// All lists every table.
func All() []Spec { return []Spec{Fares, Payments, CustomerAccounts, PaymentGateway} }

// CreateTableInput is the request that creates the table under name, on demand.
func (s Spec) CreateTableInput(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(s.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(s.PartitionKey), KeyType: types.KeyTypeHash},
		},
	}
	if s.SortKey != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(s.SortKey), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema,
			types.KeySchemaElement{AttributeName: aws.String(s.SortKey), KeyType: types.KeyTypeRange})
	}
	return in
}

// CreateAll creates every table under its logical name. It is for local endpoints,
// where tables are created at start; on AWS the stack owns them.
func CreateAll(ctx context.Context, client *dynamodb.Client) error {
	for _, spec := range All() {
		if _, err := client.CreateTable(ctx, spec.CreateTableInput(spec.Name)); err != nil {
			return fmt.Errorf("create table %s: %w", spec.Name, err)
		}
	}
	return nil
}

// LocalNames maps each table's environment variable to its logical name, which is
// also its name on local endpoints.
func LocalNames() map[string]string {
	names := map[string]string{}
	for _, spec := range All() {
		names[spec.EnvVar] = spec.Name
	}
	return names
}
