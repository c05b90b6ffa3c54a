package embedded

import "fmt"

// Scenario is a fare that shows one path through the saga.
type Scenario struct {
	Name        string // also the fareId
	Description string
	Input       string
	// Resume: the fare is left for an operator, then resumed as an operator would.
	Resume bool
}

// FareInput is a valid fare input of 12.50 EUR for a customer.
func FareInput(fareID, customerID string) string {
	return fmt.Sprintf(`{"fareId":%q,"customerId":%q,"amount":1250,"currency":"EUR","paymentToken":"tok_visa_4242"}`, fareID, customerID)
}

// Scenarios are the happy path and every failure switch, in the README's order: what
// `faresaga run` shows a newcomer.
func Scenarios() []Scenario {
	return []Scenario{
		{"fare-happy", "every step succeeds", FareInput("fare-happy", "cust-42"), false},
		{"fare-fail-register", "RegisterFare fails", FareInput("fare-fail-register", "cust-42_fail_register"), false},
		{"fare-fail-auth", "the gateway declines the pre-authorisation", FareInput("fare-fail-auth", "cust-42_fail_auth"), false},
		{"fare-fail-charge", "the gateway refuses the capture", FareInput("fare-fail-charge", "cust-42_fail_charge"), false},
		{"fare-fail-credit", "crediting the account fails", FareInput("fare-fail-credit", "cust-42_fail_credit"), false},
		{"fare-fail-complete", "the fare cannot be completed (on hold)", FareInput("fare-fail-complete", "cust-42_fail_complete"), false},
		{"fare-fail-reverse", "completion fails, then the credit cannot be reversed", FareInput("fare-fail-reverse", "cust-42_fail_reverse"), false},
		{"fare-fail-refund", "crediting fails, then the refund fails for good", FareInput("fare-fail-refund", "cust-42_fail_refund"), false},
		{"fare-fail-void", "the capture fails, then the void fails for good", FareInput("fare-fail-void", "cust-42_fail_void"), false},
		{"fare-fail-cancel", "the pre-authorisation fails, then the cancellation fails for good", FareInput("fare-fail-cancel", "cust-42_fail_cancel"), false},
		{"fare-outage-refund", "crediting fails, the gateway is down through every retry of the refund, an operator resumes once it is back",
			FareInput("fare-outage-refund", "cust-42_fail_credit_outage_refund"), true},
		{"fare-transient-auth", "the gateway is unavailable twice, then answers", FareInput("fare-transient-auth", "cust-42_transient_auth"), false},
		{"fare-lost-charge", "the capture's response is lost; the retry finds it done", FareInput("fare-lost-charge", "cust-42_lost_charge"), false},
		{"fare-card-data", "the input carries a card number", `{"fareId":"fare-card-data","customerId":"cust-42","amount":1250,"currency":"EUR","cc":"4111111111111111","cvv":"123"}`, false},
	}
}
