// Package statemachine holds THE definition of the fare-collection saga,
// fare_collection.asl.json, and the names it shares with everyone else: its states, its
// functions and the ${...} substitutions the CDK stack and the local runtime fill in.
package statemachine

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/faresaga/faresaga/internal/tables"
)

// Definition is the Amazon States Language text, with ${...} placeholders.
//
//go:embed fare_collection.asl.json
var Definition string

// State names are a contract: the README, tests, console inputs and alarms use them.
const (
	RegisterFare             = "RegisterFare"
	PreAuthorizePayment      = "PreAuthorizePayment"
	ChargeFare               = "ChargeFare"
	CreditCustomerAccount    = "CreditCustomerAccount"
	SetFareStatusCompleted   = "SetFareStatusCompleted"
	NotifySuccess            = "NotifySuccess"
	FareProcessingSucceeded  = "FareProcessingSucceeded"
	ReverseCustomerCredit    = "ReverseCustomerCredit"
	RefundFare               = "RefundFare"
	VoidPreAuthorization     = "VoidPreAuthorization"
	CancelFare               = "CancelFare"
	FareOwnedByThisExecution = "FareOwnedByThisExecution"
	NotifyFailure            = "NotifyFailure"
	FareProcessingFailed     = "FareProcessingFailed"
	FareNeedsAttention       = "FareNeedsAttention"
)

// LambdaTimeoutSeconds is every function's own timeout. Each Lambda Task's TimeoutSeconds
// in the definition is above it, so a hung function is ended by Lambda (and the attempt
// retried or caught) before Step Functions gives up on the Task.
const LambdaTimeoutSeconds = 10

// Substitutions that are not function ARNs.
const (
	FaresTableName      = "FaresTableName"
	FareOutcomeTopicArn = "FareOutcomeTopicArn"
)

// Function is one of the saga's Lambda functions.
type Function struct {
	Name            string        // lambdas/<Name>, and the function's name suffix
	State           string        // the Task state that invokes it
	SubstitutionKey string        // ${SubstitutionKey} in the definition holds its ARN
	Compensation    bool          // true for the four compensations
	Tables          []tables.Spec // the only tables it may touch: its own service's
}

var paymentTables = []tables.Spec{tables.Payments, tables.PaymentGateway}

// Functions lists the eight functions in saga order, forward steps first.
var Functions = []Function{
	{Name: "registerfare", State: RegisterFare, SubstitutionKey: "RegisterFareFunctionArn", Tables: []tables.Spec{tables.Fares}},
	{Name: "preauthorizepayment", State: PreAuthorizePayment, SubstitutionKey: "PreAuthorizePaymentFunctionArn", Tables: paymentTables},
	{Name: "chargefare", State: ChargeFare, SubstitutionKey: "ChargeFareFunctionArn", Tables: paymentTables},
	{Name: "creditcustomeraccount", State: CreditCustomerAccount, SubstitutionKey: "CreditCustomerAccountFunctionArn", Tables: []tables.Spec{tables.CustomerAccounts}},
	{Name: "reversecustomercredit", State: ReverseCustomerCredit, SubstitutionKey: "ReverseCustomerCreditFunctionArn", Compensation: true, Tables: []tables.Spec{tables.CustomerAccounts}},
	{Name: "refundfare", State: RefundFare, SubstitutionKey: "RefundFareFunctionArn", Compensation: true, Tables: paymentTables},
	{Name: "voidpreauthorization", State: VoidPreAuthorization, SubstitutionKey: "VoidPreAuthorizationFunctionArn", Compensation: true, Tables: paymentTables},
	{Name: "cancelfare", State: CancelFare, SubstitutionKey: "CancelFareFunctionArn", Compensation: true, Tables: []tables.Spec{tables.Fares}},
}

// compensationStates are the compensations' states.
var compensationStates = func() map[string]bool {
	states := map[string]bool{}
	for _, fn := range Functions {
		states[fn.State] = fn.Compensation
	}
	return states
}()

// IsCompensation reports whether state is one of the four compensations.
func IsCompensation(state string) bool { return compensationStates[state] }

// SubstitutionKeys lists every ${...} the definition needs, sorted.
func SubstitutionKeys() []string {
	keys := []string{FaresTableName, FareOutcomeTopicArn}
	for _, fn := range Functions {
		keys = append(keys, fn.SubstitutionKey)
	}
	sort.Strings(keys)
	return keys
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// Render fills the placeholders as CloudFormation's DefinitionSubstitutions do, for
// runtimes without CloudFormation. A missing or unused value is an error, so the two
// lists never drift apart.
func Render(values map[string]string) (string, error) {
	var missing []string
	used := map[string]bool{}
	rendered := placeholder.ReplaceAllStringFunc(Definition, func(match string) string {
		key := placeholder.FindStringSubmatch(match)[1]
		used[key] = true
		value, ok := values[key]
		if !ok {
			missing = append(missing, key)
			return match
		}
		return value
	})
	var unused []string
	for key := range values {
		if !used[key] {
			unused = append(unused, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	switch {
	case len(missing) > 0:
		return "", fmt.Errorf("definition needs values for %s", strings.Join(slices.Compact(missing), ", "))
	case len(unused) > 0:
		return "", fmt.Errorf("definition has no placeholder for %s", strings.Join(unused, ", "))
	}
	return rendered, nil
}
