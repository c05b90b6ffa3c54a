package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/tables"
)

// fareView is what the saga's own records say about a fare.
type fareView struct {
	FareID string
	// Door is the front door's answer to GET /fares/{fareId}; DoorNote says why there
	// is none.
	Door      *intake.FareStatus
	DoorNote  string
	Tables    []tableView
	Messages  []messageView
	CanResume bool
	// NoMessages: the console was given no way to read the outcome topic.
	NoMessages bool
}

type tableView struct {
	Name, Note string
	Items      [][]Field
}

type messageView struct {
	Text       string
	Attributes []Field
	Kind       string // success, failure or alert
}

// fare reads a fare's records: where the door says it stands, its rows in Fares,
// Payments and CustomerAccounts, and the messages published about it. What cannot be
// read is said on the page; the execution is shown all the same.
func (c *Console) fare(ctx context.Context, fareID, input string) *fareView {
	v := &fareView{FareID: fareID}
	if c.cfg.Door == nil {
		v.DoorNote = "No front door is served, so the fare's standing cannot be asked."
	} else if answer, err := c.cfg.Door.Status(ctx, fareID); err != nil {
		v.DoorNote = "The front door did not answer: " + err.Error()
	} else if answer.Status != http.StatusOK {
		v.DoorNote = fmt.Sprintf("The front door answered %d: %s", answer.Status, refusalOf(answer.Status, answer.Body).Message)
	} else {
		var status intake.FareStatus
		if err := json.Unmarshal(answer.Body, &status); err != nil {
			v.DoorNote = "The front door's answer is not a fare's status."
		} else {
			v.Door = &status
			v.CanResume = status.Status == intake.StatusNeedsAttention && status.Attention != nil
		}
	}
	if c.cfg.DynamoDB != nil {
		v.Tables = c.fareRows(ctx, fareID, input)
	}
	if c.cfg.Notifications == nil {
		v.NoMessages = true
	} else {
		for _, n := range c.cfg.Notifications.AboutFare(fareID) {
			v.Messages = append(v.Messages, messageOf(n))
		}
	}
	return v
}

func messageOf(n Notification) messageView {
	m := messageView{Text: prettyJSON(n.Message), Kind: "failure"}
	names := make([]string, 0, len(n.Attributes))
	for name := range n.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m.Attributes = append(m.Attributes, Field{Name: name, Value: n.Attributes[name]})
	}
	switch {
	case n.Attributes["NeedsAttention"] == "true":
		m.Kind = "alert"
	case n.Attributes["IsSuccessful"] == "true":
		m.Kind = "success"
	}
	return m
}

// fareRows reads the fare's item in Fares and Payments, and in CustomerAccounts its
// ledger entries and its customer's balances.
func (c *Console) fareRows(ctx context.Context, fareID, input string) []tableView {
	db := c.cfg.DynamoDB
	key := func(spec tables.Spec) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{spec.PartitionKey: &ddbtypes.AttributeValueMemberS{Value: fareID}}
	}
	var out []tableView
	var customerID, currency string
	for _, spec := range []tables.Spec{tables.Fares, tables.Payments} {
		view := tableView{Name: spec.Name}
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(spec.Name), Key: key(spec), ConsistentRead: aws.Bool(true)})
		switch {
		case err != nil:
			view.Note = "Not read: " + err.Error()
		case got.Item == nil:
			view.Note = "No item for this fare."
		default:
			view.Items = append(view.Items, itemFields(got.Item))
			if spec == tables.Fares {
				customerID, currency = stringAttribute(got.Item, "customerId"), stringAttribute(got.Item, "currency")
			}
		}
		out = append(out, view)
	}
	if customerID == "" {
		var fields struct {
			CustomerID string `json:"customerId"`
			Currency   string `json:"currency"`
		}
		if json.Unmarshal([]byte(input), &fields) == nil {
			customerID, currency = fields.CustomerID, fields.Currency
		}
	}
	return append(out, c.ledgerRows(ctx, fareID, customerID, currency))
}

// ledgerRows reads, in CustomerAccounts, the fare's credit and reversal and its
// customer's balance in the fare's currency, by their keys.
func (c *Console) ledgerRows(ctx context.Context, fareID, customerID, currency string) tableView {
	view := tableView{Name: tables.CustomerAccounts.Name}
	if customerID == "" {
		view.Note = "The fare names no customer."
		return view
	}
	entries := []string{account.FareEntryID(fareID, account.KindCredit), account.FareEntryID(fareID, account.KindReversal)}
	if currency != "" {
		entries = append(entries, account.BalanceEntryID(currency))
	}
	keys := make([]map[string]ddbtypes.AttributeValue, len(entries))
	for i, entry := range entries {
		keys[i] = map[string]ddbtypes.AttributeValue{
			tables.CustomerAccounts.PartitionKey: &ddbtypes.AttributeValueMemberS{Value: customerID},
			tables.CustomerAccounts.SortKey:      &ddbtypes.AttributeValueMemberS{Value: entry},
		}
	}
	got, err := c.cfg.DynamoDB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
		tables.CustomerAccounts.Name: {Keys: keys, ConsistentRead: aws.Bool(true)}}})
	if err != nil {
		view.Note = "Not read: " + err.Error()
		return view
	}
	items := got.Responses[tables.CustomerAccounts.Name]
	byEntry := map[string]map[string]ddbtypes.AttributeValue{}
	for _, item := range items {
		byEntry[stringAttribute(item, tables.CustomerAccounts.SortKey)] = item
	}
	for _, entry := range entries { // in a fixed order: credit, reversal, balance
		if item, ok := byEntry[entry]; ok {
			view.Items = append(view.Items, itemFields(item))
		}
	}
	if len(view.Items) == 0 {
		view.Note = "No ledger entry for this fare, and no balance for its customer."
	}
	return view
}

func stringAttribute(item map[string]ddbtypes.AttributeValue, name string) string {
	if s, ok := item[name].(*ddbtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// itemFields shows an item's attributes, sorted by name.
func itemFields(item map[string]ddbtypes.AttributeValue) []Field {
	names := make([]string, 0, len(item))
	for name := range item {
		names = append(names, name)
	}
	sort.Strings(names)
	fields := make([]Field, len(names))
	for i, name := range names {
		fields[i] = Field{Name: name, Value: attributeText(item[name])}
	}
	return fields
}

func attributeText(av ddbtypes.AttributeValue) string {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return v.Value
	case *ddbtypes.AttributeValueMemberN:
		return v.Value
	case *ddbtypes.AttributeValueMemberBOOL:
		return fmt.Sprint(v.Value)
	case *ddbtypes.AttributeValueMemberNULL:
		return "null"
	case *ddbtypes.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(v.Value)
	case *ddbtypes.AttributeValueMemberSS:
		return "{" + strings.Join(v.Value, ", ") + "}"
	case *ddbtypes.AttributeValueMemberNS:
		return "{" + strings.Join(v.Value, ", ") + "}"
	}
	var plain any
	if err := attributevalue.Unmarshal(av, &plain); err != nil {
		return fmt.Sprintf("(%T)", av)
	}
	out, err := json.Marshal(plain)
	if err != nil {
		return fmt.Sprintf("(%T)", av)
	}
	return string(out)
}
