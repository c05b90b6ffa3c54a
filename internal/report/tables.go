package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/tables"
)

// column is one column of a table's dump: its heading and the item attribute it shows.
type column struct{ heading, attribute string }

// dumps lists, per table, the columns worth showing a person, key first.
var dumps = []struct {
	spec    tables.Spec
	columns []column
}{
	{tables.Fares, []column{{"FARE", "fareId"}, {"CUSTOMER", "customerId"}, {"AMOUNT", "amount"}, {"CUR", "currency"},
		{"STATUS", "status"}, {"FAILED STATE", "failedState"}, {"ERROR", "failureError"}, {"NEEDS ATTENTION IN", "attentionState"}}},
	{tables.Payments, []column{{"FARE", "fareId"}, {"STATUS", "status"}, {"AUTHORIZATION", "authorizationCode"},
		{"CHARGE", "chargeId"}, {"VOID", "voidId"}, {"REFUND", "refundId"}}},
	{tables.CustomerAccounts, []column{{"CUSTOMER", "customerId"}, {"ENTRY", "entryId"}, {"AMOUNT", "amount"},
		{"BALANCE", "balance"}, {"CUR", "currency"}}},
}

// Tables writes every row of the Fares, Payments and CustomerAccounts tables.
func Tables(ctx context.Context, w io.Writer, db *dynamodb.Client) error {
	for _, dump := range dumps {
		rows, err := scan(ctx, db, dump.spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s (%d rows)\n", dump.spec.Name, len(rows))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		headings := make([]string, len(dump.columns))
		for i, c := range dump.columns {
			headings[i] = c.heading
		}
		fmt.Fprintln(tw, "  "+strings.Join(headings, "\t"))
		for _, row := range rows {
			cells := make([]string, len(dump.columns))
			for i, c := range dump.columns {
				cells[i] = cell(row[c.attribute])
			}
			fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// scan reads a whole table, sorted by its key.
func scan(ctx context.Context, db *dynamodb.Client, spec tables.Spec) ([]map[string]any, error) {
	var rows []map[string]any
	paginator := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(spec.Name)})
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", spec.Name, err)
		}
		for _, item := range page.Items {
			var row map[string]any
			if err := attributevalue.UnmarshalMap(item, &row); err != nil {
				return nil, fmt.Errorf("decode a %s item: %w", spec.Name, err)
			}
			rows = append(rows, row)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := cell(rows[i][spec.PartitionKey]), cell(rows[j][spec.PartitionKey])
		if a != b || spec.SortKey == "" {
			return a < b
		}
		return cell(rows[i][spec.SortKey]) < cell(rows[j][spec.SortKey])
	})
	return rows, nil
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "-"
	case string:
		if v == "" {
			return "-"
		}
		return v
	case float64:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprint(v)
}
