package stacks

import "github.com/faresaga/faresaga/internal/tables"

// DynamoDB actions by their IAM names. A TransactWriteItems is authorised item by item:
// a Put needs PutItem, an Update UpdateItem, a ConditionCheck ConditionCheckItem.
const (
	getItem            = "dynamodb:GetItem"
	putItem            = "dynamodb:PutItem"
	updateItem         = "dynamodb:UpdateItem"
	query              = "dynamodb:Query"
	conditionCheckItem = "dynamodb:ConditionCheckItem"
)

// functionTableActions is, per function of statemachine.Functions and per table it
// touches, exactly the DynamoDB actions its code calls; the roles get these and no
// more. TestFunctionsHaveExactlyTheDynamoDBActionsTheirCodeUses runs the real handlers
// through every failure switch against a recording endpoint and compares.
var functionTableActions = map[string]map[string][]string{
	// fare.Service: a conditional PutItem; on a refused write, a GetItem to see whose
	// fare it is. CancelFare: a conditional UpdateItem, and the same GetItem on refusal.
	"registerfare": {tables.Fares.Name: {putItem, getItem}},
	"cancelfare":   {tables.Fares.Name: {updateItem, getItem}},

	// payment.Service: the Payments record is read (GetItem) and moved (a conditional
	// UpdateItem); the simulated gateway reads its records (GetItem) and commits each
	// operation as a transaction of two Puts (PutItem).
	"preauthorizepayment":  paymentActions,
	"chargefare":           paymentActions,
	"refundfare":           paymentActions,
	"voidpreauthorization": paymentActions,

	// account.Service: the fare's ledger entries are read with a Query; a credit or
	// reversal is one transaction of a ConditionCheck (the fence), a Put (the entry) and
	// an Update (the balance).
	"creditcustomeraccount": accountActions,
	"reversecustomercredit": accountActions,
}

var paymentActions = map[string][]string{
	tables.Payments.Name:       {getItem, updateItem},
	tables.PaymentGateway.Name: {getItem, putItem},
}

var accountActions = map[string][]string{
	tables.CustomerAccounts.Name: {query, conditionCheckItem, putItem, updateItem},
}

// The functions outside the saga that touch the Fares table, and exactly what their code
// calls; TestTheWatcherAndTheDoorHaveExactlyTheDynamoDBActionsTheirCodeUses compares.
var (
	// The watcher reads a fare (GetItem), marks it (a conditional UpdateItem), and
	// writes one an execution stopped before writing it (a conditional PutItem).
	watcherFaresActions = []string{getItem, putItem, updateItem}
	// The door reads a fare (GetItem), and a resume takes it back and, when the redrive
	// is refused, marks it again (conditional UpdateItems).
	doorFaresActions = []string{getItem, updateItem}
)
