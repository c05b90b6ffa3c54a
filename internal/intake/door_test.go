package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// fareJSON is a valid fare.
func fareJSON(fareID, customerID string, amount int64) string {
	return fmt.Sprintf(`{"fareId":%q,"customerId":%q,"amount":%d,"currency":"EUR","paymentToken":"tok_visa_4242"}`, fareID, customerID, amount)
}

func TestTheDoorAnswersEveryStatusCode(t *testing.T) {
	d := startDoor(t)
	fare := fareJSON("fare-codes", "cust-1", 1250)
	const post, get = http.MethodPost, http.MethodGet
	// In order: the first starts the fare the others find.
	tests := []struct {
		name                            string
		method, path, contentType, body string
		status                          int
		code                            intake.Code // of an error answer
		allow                           string      // the Allow header of a 405
	}{
		{"a new fare is started", post, "/fares", "application/json", fare, 202, "", ""},
		{"the same fare again", post, "/fares", "application/json", fare, 200, "", ""},
		{"the same fare, JSON with a charset", post, "/fares", "application/json; charset=utf-8", fare, 200, "", ""},
		{"another fare under its fareId", post, "/fares", "application/json", fareJSON("fare-codes", "cust-1", 999), 409, intake.FareIDTaken, ""},
		{"a refused fare", post, "/fares", "application/json", `{"fareId":"fare-refused"}`, 400, intake.InvalidFareInput, ""},
		{"where a fare stands", get, "/fares/fare-codes", "", "", 200, "", ""},
		{"a fare nobody submitted", get, "/fares/fare-nobody", "", "", 404, intake.NotFound, ""},
		{"a fareId the door would refuse", get, "/fares/fare%20one", "", "", 404, intake.NotFound, ""},
		{"a card number for a fareId", get, "/fares/" + visa, "", "", 404, intake.NotFound, ""},
		{"a card number inside a fareId", get, "/fares/fare-" + master, "", "", 404, intake.NotFound, ""},
		{"a path that climbs", get, "/fares/..", "", "", 404, intake.NotFound, ""},
		{"an unknown path", get, "/nope", "", "", 404, intake.NotFound, ""},
		{"the root", get, "/", "", "", 404, intake.NotFound, ""},
		{"a trailing slash", get, "/fares/", "", "", 404, intake.NotFound, ""},
		{"a path below a fare", post, "/fares/fare-codes/pay", "application/json", fare, 404, intake.NotFound, ""},
		{"GET /fares", get, "/fares", "", "", 405, intake.MethodNotAllowed, "POST"},
		{"PUT /fares", http.MethodPut, "/fares", "application/json", fare, 405, intake.MethodNotAllowed, "POST"},
		{"DELETE a fare", http.MethodDelete, "/fares/fare-codes", "", "", 405, intake.MethodNotAllowed, "GET"},
		{"a form instead of JSON", post, "/fares", "application/x-www-form-urlencoded", "fareId=fare-codes", 415, intake.UnsupportedMediaType, ""},
		{"text instead of JSON", post, "/fares", "text/plain", fare, 415, intake.UnsupportedMediaType, ""},
		{"no content type", post, "/fares", "", fare, 415, intake.UnsupportedMediaType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := d.do(t, tt.method, tt.path, tt.contentType, tt.body)
			require.Equal(t, tt.status, a.status, "%s", a.body)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"), "every answer is JSON")
			assert.Equal(t, "no-store", a.header.Get("Cache-Control"))
			assert.Equal(t, tt.allow, a.header.Get("Allow"))
			if tt.code == "" {
				return
			}
			var body intake.ErrorBody
			a.decode(t, &body)
			assert.Equal(t, tt.code, body.Error)
			assert.NotEmpty(t, body.Message)
		})
	}
	assert.Len(t, d.executions(t), 1, "one fare, one execution")
	assertNoCardDigits(t, d.logs.String(), visa)
	assertNoCardDigits(t, d.logs.String(), master)
}

// Every execution the door starts is named after the fareId and gets the canonical fare:
// the five fields in a fixed order, whatever order, spacing or escapes the client used.
func TestTheExecutionGetsTheCanonicalFare(t *testing.T) {
	d := startDoor(t)
	a := d.post(t, "{ \"paymentToken\" : \"tok_1\",\n \"currency\":\"EUR\", \"amount\": 1250, \"customerId\": \"cust\\u002d7\", \"fareId\": \"fare-canon\" }")
	require.Equal(t, http.StatusAccepted, a.status, "%s", a.body)
	var submitted intake.Submission
	a.decode(t, &submitted)
	assert.Equal(t, intake.Submission{FareID: "fare-canon", Status: intake.StatusRunning,
		ExecutionArn: d.executionARN("fare-canon")}, submitted)

	described, err := d.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(submitted.ExecutionArn)})
	require.NoError(t, err)
	assert.Equal(t, "fare-canon", aws.ToString(described.Name))
	assert.Equal(t, `{"fareId":"fare-canon","customerId":"cust-7","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`, aws.ToString(described.Input))
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, d.waitForEnd(t, "fare-canon").Status)
}

// Card numbers in test cards' forms (Luhn-valid), and one that fails Luhn.
const (
	visa      = "4111111111111111"
	master    = "5555555555554444"
	amex      = "378282246310005"
	visa13    = "4222222222222"
	visa19    = "4000000000000000006"
	discover  = "6011000990139424"
	notLuhn16 = "4111111111111112"
)

// withFields is a valid fare of fareID with fields changed: a nil value removes one.
func withFields(fareID string, changes map[string]any) string {
	fields := map[string]any{"fareId": fareID, "customerId": "cust-9", "amount": 1250, "currency": "EUR", "paymentToken": "tok_visa_4242"}
	for name, value := range changes {
		if value == nil {
			delete(fields, name)
		} else {
			fields[name] = value
		}
	}
	out, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// refusedInputs are inputs the door must refuse, with the card number each carries.
var refusedInputs = []struct {
	name    string
	body    string
	card    string // "" when it carries none
	problem string // a problem the answer must name, "" to check only that there are some
}{
	{"card number inside the customerId", withFields("fare-r01", map[string]any{"customerId": "rider." + master}), master, "card data"},
	{"card number inside the paymentToken", withFields("fare-r02", map[string]any{"paymentToken": "tok_" + visa}), visa, "card data"},
	{"card number inside the fareId", withFields("fare-r03-"+visa, nil), visa, "card data"},
	{"card number as the paymentToken", withFields("fare-r04", map[string]any{"paymentToken": visa}), visa, "card data"},
	{"card number as a key", withFields("fare-r05", map[string]any{visa: "x"}), visa, ""},
	{"card number as a nested key", withFields("fare-r06", map[string]any{"meta": map[string]any{master: true}}), master, ""},
	{"card number in an array", withFields("fare-r07", map[string]any{"meta": []any{"a", "4111-1111-1111-1111"}}), visa, "card data"},
	{"separated by spaces", withFields("fare-r08", map[string]any{"paymentToken": "4111 1111 1111 1111"}), visa, "card data"},
	{"separated by dashes", withFields("fare-r09", map[string]any{"customerId": "5555-5555-5555-4444"}), master, "card data"},
	{"separated by dots", withFields("fare-r10", map[string]any{"customerId": "4111.1111.1111.1111"}), visa, "card data"},
	{"separated by underscores", withFields("fare-r11", map[string]any{"paymentToken": "6011_0009_9013_9424"}), discover, "card data"},
	{"13 digits", withFields("fare-r12", map[string]any{"paymentToken": visa13}), visa13, "card data"},
	{"15 digits", withFields("fare-r13", map[string]any{"customerId": "cust:" + amex}), amex, "card data"},
	{"19 digits", withFields("fare-r14", map[string]any{"meta": visa19}), visa19, "card data"},
	{"card number as a JSON number", withFields("fare-r15", map[string]any{"amount": json.Number(visa)}), visa, "card data"},
	{"card fields", withFields("fare-r16", map[string]any{"cc": visa, "cvv": "987", "expiryDate": "12/29"}), visa, `card data is not accepted (field "cc")`},
	{"a cardNumber field", withFields("fare-r17", map[string]any{"cardNumber": master}), master, "card data"},
	{"card number in a duplicate key", `{"fareId":"fare-r18","customerId":"cust-9","amount":1250,"currency":"EUR","paymentToken":"` + visa + `","paymentToken":"tok_1"}`, visa, "card data"},
	{"card number in unicode escapes", `{"fareId":"fare-r19","customerId":"\u0034111111111111111","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`, visa, "card data"},
	{"the body a card number string", `"` + visa + `"`, visa, "input must be a JSON object"},
	{"the body a card number", visa, visa, "input must be a JSON object"},
	{"missing fields", `{"fareId":"fare-r22"}`, "", `missing field "customerId"`},
	{"wrong types", withFields("fare-r23", map[string]any{"amount": "1250", "customerId": 42}), "", `field "amount" must be an integer number of minor units`},
	{"a fraction", withFields("fare-r24", map[string]any{"amount": json.Number("12.50")}), "", "not a fraction or exponent"},
	{"an unknown field", withFields("fare-r25", map[string]any{"tip": 100}), "", "an unknown field (member"},
	{"oversized", withFields("fare-r26", map[string]any{"note": strings.Repeat("n", 5000)}), "", "larger than 4096 bytes"},
	{"oversized, with a card number past the limit", withFields("fare-r27", map[string]any{"zz": strings.Repeat("n", 5000) + visa}), visa, "larger than 4096 bytes"},
	{"not JSON", `{"fareId":"fare-r28",`, "", "input must be a JSON object"},
	{"an empty body", ``, "", "input must be a JSON object"},
	{"JSON after the fare", fareJSON("fare-r30", "cust-9", 1250) + `{}`, "", "input must be a JSON object"},
}

// A refused input starts no execution, writes nothing, and no digit run of a card
// number it carried comes back in the answer or goes into the door's logs.
func TestRefusedInputsStartNothing(t *testing.T) {
	d := startDoor(t)
	var cards []string
	for _, tt := range refusedInputs {
		t.Run(tt.name, func(t *testing.T) {
			before := d.items(t)

			a := d.post(t, tt.body)

			require.Equal(t, http.StatusBadRequest, a.status, "%s", a.body)
			var body intake.ErrorBody
			a.decode(t, &body)
			assert.Equal(t, intake.InvalidFareInput, body.Error)
			require.NotEmpty(t, body.Problems)
			if tt.problem != "" {
				assert.Contains(t, strings.Join(body.Problems, "\n"), tt.problem)
			}
			assert.Empty(t, d.executions(t), "no execution was started")
			assert.Equal(t, before, d.items(t), "no item in any table")
			if tt.card != "" {
				cards = append(cards, tt.card)
				assertNoCardDigits(t, string(a.body), tt.card)
			}
		})
	}
	lines := d.logLines(t)
	require.Len(t, lines, 2*len(refusedInputs), "a refusal and an answer per request")
	for _, line := range lines {
		assert.Contains(t, line, "fareId", "every log line carries the fareId")
		assert.Equal(t, "", line["fareId"], "a refused input's fareId is not trusted, nor logged")
	}
	for _, card := range cards {
		assertNoCardDigits(t, d.logs.String(), card)
	}
}

// A duplicate key is refused: a reader that keeps the last value would see another fare
// than one that keeps the first, and the door's check would not be the machine's.
func TestDuplicateKeysAreRefused(t *testing.T) {
	body := `{"fareId":"fare-dup","customerId":"cust-9","amount":1,"amount":1250,"currency":"EUR","paymentToken":"tok_1"}`
	d := startDoor(t)
	a := d.post(t, body)
	require.Equal(t, http.StatusBadRequest, a.status, "%s", a.body)
	assert.Empty(t, d.executions(t))
}

// assertNoCardDigits checks that text holds no run of eight or more of the card's
// digits, whatever separates them.
func assertNoCardDigits(t *testing.T, text, card string) {
	t.Helper()
	for _, run := range digitRuns(text) {
		if len(run) >= 8 && strings.Contains(card, run) {
			at := max(0, strings.Index(text, run[:4]))
			t.Errorf("the text carries %d digits of the card number %s, after %q", len(run), card, text[max(0, at-80):at])
			return
		}
	}
}

// digitRuns lists the runs of digits in text, with the separators card numbers are
// written with dropped.
func digitRuns(text string) []string {
	var runs []string
	var run strings.Builder
	for _, r := range text + "x" {
		switch {
		case r >= '0' && r <= '9':
			run.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '_':
		default:
			if run.Len() > 0 {
				runs = append(runs, run.String())
				run.Reset()
			}
		}
	}
	return runs
}

// Lookalikes of card numbers are not card data: the door starts those fares.
func TestLookalikesAreNotCardData(t *testing.T) {
	d := startDoor(t)
	for i, customer := range []string{"cust-" + notLuhn16, "rider.1234567890123", "tel:447700900123456", "cust-123456789012"} {
		fareID := fmt.Sprintf("fare-like-%d", i)
		a := d.post(t, fareJSON(fareID, customer, 1250))
		assert.Equal(t, http.StatusAccepted, a.status, "%s: %s", customer, a.body)
	}
}

// A fare submitted again is the same fare (200) and a different fare under its fareId
// is refused (409), while the first runs and after it ended, however it ended; the
// first stays the only execution of its name.
func TestAFareSubmittedAgain(t *testing.T) {
	d := startDoor(t)
	tests := []struct {
		name, fareID, customer string
		held                   bool
		ends                   string // where the first fare stands once it has ended
		executionStatus        sfntypes.ExecutionStatus
	}{
		{"completed", "fare-again-1", "cust-1", false, intake.StatusCompleted, sfntypes.ExecutionStatusSucceeded},
		{"cancelled", "fare-again-2", "cust-1_fail_charge", false, intake.StatusCancelled, sfntypes.ExecutionStatusFailed},
		{"needs attention", "fare-again-3", "cust-1_fail_refund", false, intake.StatusNeedsAttention, sfntypes.ExecutionStatusFailed},
		{"running", heldPrefix + "again-4", "cust-1", true, intake.StatusCompleted, sfntypes.ExecutionStatusSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := fareJSON(tt.fareID, tt.customer, 1250)
			different := fareJSON(tt.fareID, tt.customer, 1251)
			started := d.post(t, first)
			require.Equal(t, http.StatusAccepted, started.status, "%s", started.body)
			var submission intake.Submission
			started.decode(t, &submission)

			check := func(t *testing.T, wantStatus string) {
				again := d.post(t, first)
				require.Equal(t, http.StatusOK, again.status, "%s", again.body)
				var resubmitted intake.Submission
				again.decode(t, &resubmitted)
				assert.Equal(t, intake.Submission{FareID: tt.fareID, ExecutionArn: submission.ExecutionArn, Status: wantStatus}, resubmitted)

				taken := d.post(t, different)
				require.Equal(t, http.StatusConflict, taken.status, "%s", taken.body)
				var body intake.ErrorBody
				taken.decode(t, &body)
				assert.Equal(t, intake.ErrorBody{Error: intake.FareIDTaken, Message: "the fareId is taken by a different fare; nothing was started"}, body)

				var named int
				for _, x := range d.executions(t) {
					if aws.ToString(x.Name) == tt.fareID {
						named++
					}
				}
				assert.Equal(t, 1, named, "one execution of the name")
			}
			if tt.held {
				d.holds.reached(t, tt.fareID)
				t.Run("while it runs", func(t *testing.T) { check(t, intake.StatusRunning) })
				d.holds.release(tt.fareID)
			}
			assert.Equal(t, tt.executionStatus, d.waitForEnd(t, tt.fareID).Status)
			t.Run("after it ended", func(t *testing.T) { check(t, tt.ends) })
		})
	}
}

// Clients that submit at once (a retry racing the first attempt) start one execution:
// the same fare is accepted for each of them; of two different fares under one fareId,
// one wins and the other is refused every time.
func TestSimultaneousSubmissions(t *testing.T) {
	d := startDoor(t)
	const clients = 8
	submitAll := func(bodies func(i int) string) []answer {
		answers := make([]answer, clients)
		var wg sync.WaitGroup
		release := make(chan struct{})
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				answers[i] = d.post(t, bodies(i))
			}()
		}
		close(release)
		wg.Wait()
		return answers
	}

	t.Run("the same fare", func(t *testing.T) {
		answers := submitAll(func(int) string { return fareJSON(heldPrefix+"same", "cust-1", 1250) })
		arns := map[string]bool{}
		for _, a := range answers {
			require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, a.status, "%s", a.body)
			var s intake.Submission
			a.decode(t, &s)
			arns[s.ExecutionArn] = true
		}
		assert.Len(t, arns, 1, "one execution")
	})
	t.Run("two fares under one fareId", func(t *testing.T) {
		fares := []string{fareJSON(heldPrefix+"two", "cust-1", 1250), fareJSON(heldPrefix+"two", "cust-2", 1250)}
		answers := submitAll(func(i int) string { return fares[i%2] })
		winner := -1
		for i, a := range answers {
			if a.status == http.StatusConflict {
				continue
			}
			require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, a.status, "%s", a.body)
			if winner == -1 {
				winner = i % 2
			}
			assert.Equal(t, winner, i%2, "only one of the two fares is accepted")
		}
		require.NotEqual(t, -1, winner, "one fare won")
		for i, a := range answers {
			if i%2 != winner {
				assert.Equal(t, http.StatusConflict, a.status, "%s", a.body)
			}
		}
		described, err := d.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{
			ExecutionArn: aws.String(d.executionARN(heldPrefix + "two"))})
		require.NoError(t, err)
		winning, err := saga.ParseFare(json.RawMessage(fares[winner]))
		require.NoError(t, err)
		assert.Equal(t, winning.Input(), aws.ToString(described.Input), "the execution runs the fare that won")
	})
	assert.Len(t, d.executions(t), 2)
}

func TestWhereAFareStands(t *testing.T) {
	d := startDoor(t)
	ctx := context.Background()
	submit := func(t *testing.T, fareID, customer string) {
		a := d.post(t, fareJSON(fareID, customer, 1250))
		require.Equal(t, http.StatusAccepted, a.status, "%s", a.body)
	}
	// startFromTheConsole starts an execution as the console does, bypassing the door.
	startFromTheConsole := func(t *testing.T, name, input string) {
		_, err := d.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(d.srv.StateMachineARN), Name: aws.String(name), Input: aws.String(input)})
		require.NoError(t, err)
	}
	amount := aws.Int64(1250)
	tests := []struct {
		name   string
		fareID string
		start  func(t *testing.T, fareID string)
		want   intake.FareStatus // Cause is checked apart
		cause  string            // in the cause
	}{
		{"completed", "fare-st-1", func(t *testing.T, id string) { submit(t, id, "cust-1"); d.waitForEnd(t, id) },
			intake.FareStatus{Status: intake.StatusCompleted, ExecutionStatus: "SUCCEEDED", Amount: amount, Currency: "EUR"}, ""},
		{"cancelled", "fare-st-2", func(t *testing.T, id string) { submit(t, id, "cust-1_fail_charge"); d.waitForEnd(t, id) },
			intake.FareStatus{Status: intake.StatusCancelled, ExecutionStatus: "FAILED", Error: "CaptureDeclined", Amount: amount, Currency: "EUR"}, "every step that had run was compensated"},
		{"needs attention", "fare-st-3", func(t *testing.T, id string) { submit(t, id, "cust-1_fail_refund"); d.waitForEnd(t, id) },
			intake.FareStatus{Status: intake.StatusNeedsAttention, ExecutionStatus: "FAILED", Error: "InjectedFailure", Amount: amount, Currency: "EUR",
				Attention: &intake.Attention{State: statemachine.RefundFare, ExecutionStatus: "FAILED", Error: "InjectedFailure",
					FailedState: statemachine.CreditCustomerAccount, FailureError: "InjectedFailure",
					WillRun: statemachine.ResumePath(statemachine.RefundFare)}}, "_fail_refund"},
		{"running", heldPrefix + "st-4", func(t *testing.T, id string) { submit(t, id, "cust-1"); d.holds.reached(t, id) },
			intake.FareStatus{Status: intake.StatusRunning, ExecutionStatus: "RUNNING", Amount: amount, Currency: "EUR"}, ""},
		{"registered, then stopped by an operator", heldPrefix + "st-5", func(t *testing.T, id string) {
			submit(t, id, "cust-1")
			d.holds.reached(t, id)
			d.stop(t, id)
		}, intake.FareStatus{Status: intake.StatusNeedsAttention, ExecutionStatus: "ABORTED", Amount: amount, Currency: "EUR",
			Attention: &intake.Attention{State: statemachine.ChargeFare, ExecutionStatus: "ABORTED",
				WillRun: statemachine.ResumePath(statemachine.ChargeFare)}}, ""},
		{"stopped in RegisterFare before it wrote anything", heldInRegisterPrefix + "st-6", func(t *testing.T, id string) {
			submit(t, id, "cust-1")
			d.holds.reached(t, id)
			d.stop(t, id)
		}, intake.FareStatus{Status: intake.StatusNeedsAttention, ExecutionStatus: "ABORTED", Amount: amount, Currency: "EUR",
			Attention: &intake.Attention{State: statemachine.RegisterFare, ExecutionStatus: "ABORTED",
				WillRun: statemachine.ResumePath(statemachine.RegisterFare)}}, ""},
		{"started from the console with a card number as a key", "console-1", func(t *testing.T, id string) {
			startFromTheConsole(t, id, `{"fareId":"console-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1","`+visa+`":"x"}`)
			d.waitForEnd(t, id)
		}, intake.FareStatus{Status: intake.StatusCancelled, ExecutionStatus: "FAILED", Error: "InvalidFareInput"}, "nothing was written"},
		{"started from the console under another fare's name", "console-2", func(t *testing.T, id string) {
			startFromTheConsole(t, id, fareJSON("fare-elsewhere", "cust-1", 1250))
			d.waitForEnd(t, id)
		}, intake.FareStatus{Status: intake.StatusCancelled, ExecutionStatus: "FAILED", Error: "InvalidFareInput"}, "execution name must equal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.start(t, tt.fareID)
			a, got := d.settledStatus(t, tt.fareID)
			assert.Contains(t, got.Cause, tt.cause)
			assertNoCardDigits(t, string(a.body), visa)
			got.Cause = ""
			if got.Attention != nil {
				got.Attention.Cause = ""
			}
			tt.want.FareID = tt.fareID
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("a fareId started from the console is taken", func(t *testing.T) {
		a := d.post(t, fareJSON("console-2", "cust-1", 1250))
		assert.Equal(t, http.StatusConflict, a.status, "%s", a.body)
	})
}

// Once Step Functions has forgotten an execution (90 days after it closed on AWS,
// beyond --max-finished locally), the Fares record still holds its fareId.
func TestAForgottenExecutionsFareIsRemembered(t *testing.T) {
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0",
		VirtualTime: true, Seed: 5, MaxFinished: 1})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	d := &localDoor{srv: srv, sfn: localapi.NewSFNClient(srv.Endpoint), db: dynamotest.NewClient(srv.Stack.DynamoDBURL), logs: &syncbuf.Buffer{}, http: newHTTPClient(t)}
	for _, id := range []string{"fare-old", "fare-new"} {
		require.Equal(t, http.StatusAccepted, d.post(t, fareJSON(id, "cust-1", 1250)).status)
		d.waitForEnd(t, id)
	}
	_, err = d.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{
		ExecutionArn: aws.String(strings.Replace(srv.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":fare-old")})
	require.True(t, isAbsent(err), "the first execution is forgotten: %v", err)

	a := d.get(t, "fare-old")
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var got intake.FareStatus
	a.decode(t, &got)
	assert.Equal(t, intake.FareStatus{FareID: "fare-old", Status: intake.StatusCompleted, Amount: aws.Int64(1250), Currency: "EUR"}, got)
	assert.Equal(t, http.StatusOK, d.post(t, fareJSON("fare-old", "cust-1", 1250)).status, "the same fare")
	assert.Equal(t, http.StatusConflict, d.post(t, fareJSON("fare-old", "cust-1", 7)).status, "another fare")
	assert.Len(t, d.executions(t), 1, "nothing was started again")
}

// When Step Functions cannot be reached the door says so (503) and starts nothing;
// the client may send the fare again as it is.
func TestUnreachableStepFunctions(t *testing.T) {
	unreachable := httptest.NewServer(http.NotFoundHandler())
	unreachable.Close() // a port nothing listens on
	client := sfn.New(localapi.NewSFNClient(unreachable.URL).Options(), func(o *sfn.Options) { o.RetryMaxAttempts = 1 })
	logs := &syncbuf.Buffer{}
	door, err := intake.New(intake.Config{StepFunctions: client, DynamoDB: dynamotest.Start(t).Client,
		StateMachineARN: "arn:aws:states:us-east-1:000000000000:stateMachine:FareCollection-test", FaresTable: tables.Fares.Name,
		Log: newJSONLogger(logs)})
	require.NoError(t, err)
	server := httptest.NewServer(door)
	defer server.Close()

	resp, err := http.Post(server.URL+"/fares", "application/json", strings.NewReader(fareJSON("fare-503", "cust-1", 1250)))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	var body intake.ErrorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, intake.ServiceUnavailable, body.Error)
	assert.Contains(t, logs.String(), `"level":"ERROR"`)
	assert.Contains(t, logs.String(), `"fareId":"fare-503"`)
}

func TestNewRefusesAnIncompleteConfiguration(t *testing.T) {
	db := dynamotest.Start(t).Client
	sfnClient := localapi.NewSFNClient("http://127.0.0.1:1")
	machine := "arn:aws:states:us-east-1:000000000000:stateMachine:M"
	tests := []struct {
		name    string
		cfg     intake.Config
		wantErr string
	}{
		{"complete", intake.Config{StepFunctions: sfnClient, DynamoDB: db, StateMachineARN: machine, FaresTable: "Fares"}, ""},
		{"no clients", intake.Config{StateMachineARN: machine, FaresTable: "Fares"}, "clients are required"},
		{"no table", intake.Config{StepFunctions: sfnClient, DynamoDB: db, StateMachineARN: machine}, "Fares table name is required"},
		{"an execution's ARN", intake.Config{StepFunctions: sfnClient, DynamoDB: db, FaresTable: "Fares",
			StateMachineARN: "arn:aws:states:us-east-1:000000000000:execution:M:x"}, "is not a state machine ARN"},
		{"no ARN", intake.Config{StepFunctions: sfnClient, DynamoDB: db, FaresTable: "Fares"}, "is not a state machine ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := intake.New(tt.cfg)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// Every line the door logs for a fare carries its fareId.
func TestLogLinesCarryTheFareID(t *testing.T) {
	d := startDoor(t)
	require.Equal(t, http.StatusAccepted, d.post(t, fareJSON("fare-log", "cust-1", 1250)).status)
	d.waitForEnd(t, "fare-log")
	require.Equal(t, http.StatusOK, d.post(t, fareJSON("fare-log", "cust-1", 1250)).status)
	require.Equal(t, http.StatusConflict, d.post(t, fareJSON("fare-log", "cust-1", 1)).status)
	require.Equal(t, http.StatusOK, d.get(t, "fare-log").status)
	lines := d.logLines(t)
	var messages []string
	for _, line := range lines {
		assert.Equal(t, "fare-log", line["fareId"], "%v", line)
		messages = append(messages, fmt.Sprint(line["msg"]))
	}
	assert.Equal(t, []string{
		"execution started", "answered",
		"the same fare was submitted again; nothing was started", "answered",
		"the fareId is taken by a different fare; nothing was started", "answered",
		"answered",
	}, messages)
	assert.Equal(t, "POST /fares", lines[1]["route"])
	assert.Equal(t, float64(http.StatusAccepted), lines[1]["status"])
	assert.Equal(t, "GET /fares/{fareId}", lines[6]["route"])
}
