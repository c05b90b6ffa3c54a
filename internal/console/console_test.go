package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/console"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/tables"
)

func TestEveryAnswerCarriesAPolicyThatForbidsInlineScript(t *testing.T) {
	arn := startExecution(t, server.StateMachineARN, unique("policy-"), embedded.FareInput("x", "y"))
	for _, path := range []string{"/", "/start", "/execution?arn=" + url.QueryEscape(arn), "/static/console.js", "/nowhere", "/execution"} {
		t.Run(path, func(t *testing.T) {
			p := get(t, path)
			policy := p.Header.Get("Content-Security-Policy")
			assert.Equal(t, console.ContentSecurityPolicy, policy)
			assert.Contains(t, policy, "script-src 'self'")
			assert.NotContains(t, policy, "unsafe-inline")
			assert.NotContains(t, policy, "unsafe-eval")
			assert.Contains(t, policy, "frame-ancestors 'none'")
			assert.Equal(t, "nosniff", p.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "DENY", p.Header.Get("X-Frame-Options"))
		})
	}
	js := get(t, "/static/console.js").Body
	assert.NotContains(t, js, "innerHTML", "the script never writes markup")
	assert.NotContains(t, js, "eval(")
}

func TestTheStepFunctionsAPIKeepsItsPOSTsOnTheConsolesListener(t *testing.T) {
	out, err := sfnAPI.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err, "the API answers on the listener that serves the console")
	assert.NotEmpty(t, out.StateMachines)
	p := post(t, "/", url.Values{}, nil)
	assert.Equal(t, http.StatusNotFound, p.Status, "a form post to / is the console's, not the API's")
	assert.Contains(t, p.Header.Get("Content-Type"), "text/html")
	api := do(t, http.MethodPost, "/", nil, map[string]string{"X-Amz-Target": "AWSStepFunctions.NoSuchThing"})
	assert.Equal(t, http.StatusBadRequest, api.Status)
	assert.Contains(t, api.Body, "UnknownOperation", "a request naming an operation is the API's")
}

func TestTheConsoleAnswersLoopbackNamesOnly(t *testing.T) {
	_, port, _ := strings.Cut(strings.TrimPrefix(server.Endpoint, "http://"), ":")
	for host, want := range map[string]int{
		"127.0.0.1:" + port:          http.StatusOK,
		"localhost:" + port:          http.StatusOK,
		"LOCALHOST":                  http.StatusOK,
		"[::1]:" + port:              http.StatusOK,
		"attacker.example":           http.StatusMisdirectedRequest,
		"attacker.example:" + port:   http.StatusMisdirectedRequest,
		"localhost.attacker.example": http.StatusMisdirectedRequest,
	} {
		t.Run(host, func(t *testing.T) {
			p := do(t, http.MethodGet, "/", nil, map[string]string{"Host": host})
			assert.Equal(t, want, p.Status, "a page of another site that rebinds its name to this machine reads nothing")
		})
	}
}

func TestAFormSentFromAnotherSiteDoesNothing(t *testing.T) {
	fareID := unique(heldPrefix)
	t.Cleanup(func() { gate.release(fareID) })
	arn := startExecution(t, server.StateMachineARN, fareID, embedded.FareInput(fareID, "cust-42"))
	crossSite := map[string]string{"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}

	p := post(t, "/stop", url.Values{"arn": {arn}}, crossSite)
	assert.Equal(t, http.StatusForbidden, p.Status)
	out, err := sfnAPI.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, sfntypes.ExecutionStatusRunning, out.Status, "not stopped")

	other := unique("fare-csrf-")
	p = post(t, "/start", url.Values{"input": {embedded.FareInput(other, "cust-42")}}, crossSite)
	assert.Equal(t, http.StatusForbidden, p.Status)
	_, err = sfnAPI.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(fareExecutionARN(other))})
	var missing *sfntypes.ExecutionDoesNotExist
	assert.ErrorAs(t, err, &missing, "no fare started")

	p = post(t, "/stop", url.Values{"arn": {arn}}, map[string]string{"Origin": server.Endpoint, "Sec-Fetch-Site": "same-origin"})
	assert.Equal(t, http.StatusSeeOther, p.Status, "the console's own form stops it")
	waitFor(t, arn, sfntypes.ExecutionStatusAborted)
}

func TestStartingAFareGoesThroughTheDoor(t *testing.T) {
	fareID := unique("fare-start-")
	input := embedded.FareInput(fareID, "cust-42")
	p := post(t, "/start", url.Values{"input": {input}}, nil)
	require.Equal(t, http.StatusSeeOther, p.Status, p.Body)
	arn := fareExecutionARN(fareID)
	assert.Equal(t, "/execution?arn="+url.QueryEscape(arn), p.Header.Get("Location"))
	waitFor(t, arn, sfntypes.ExecutionStatusSucceeded)

	again := post(t, "/start", url.Values{"input": {input}}, nil)
	assert.Equal(t, http.StatusSeeOther, again.Status, "the same fare again shows its execution")
	assert.Equal(t, p.Header.Get("Location"), again.Header.Get("Location"))

	taken := post(t, "/start", url.Values{"input": {embedded.FareInput(fareID, "cust-43")}}, nil)
	assert.Equal(t, http.StatusConflict, taken.Status, "another fare under a taken fareId is the door's 409")
	assert.Contains(t, taken.Body, "FareIdTaken")
}

func TestARefusedFareIsShownWithTheDoorsProblemsAndNeverItsCardData(t *testing.T) {
	const card = "4111111111111111"
	tests := []struct {
		name, input string
		kept        bool
	}{
		{"a card number", `{"fareId":"fare-card","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"tok","cc":"` + card + `"}`, false},
		{"a card number spaced out", `{"fareId":"fare-card","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"4111 1111 1111 1111"}`, false},
		{"markup and a bad amount", `{"fareId":"fare-bad","customerId":"<img src=x onerror=alert(1)>","amount":-5,"currency":"EUR","paymentToken":"tok"}`, true},
		{"not JSON", `{"fareId":`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := post(t, "/start", url.Values{"input": {tt.input}}, nil)
			assert.Equal(t, http.StatusBadRequest, p.Status)
			assert.Contains(t, p.Body, "InvalidFareInput", "the door's error")
			assert.NotContains(t, p.Body, "<img src=x", "the input is escaped where it is shown")
			assert.NotContains(t, p.Body, "1111", "no digit of a card number comes back")
			if tt.kept {
				assert.Contains(t, p.Body, htmlEscaped(tt.input), "the input comes back to be fixed")
			} else {
				assert.Contains(t, p.Body, "it was not kept")
			}
		})
	}
}

// htmlEscaped is text as html/template writes it inside an element.
func htmlEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func TestPagesForWhatIsNotThere(t *testing.T) {
	for path, want := range map[string]int{
		"/execution":              http.StatusBadRequest,
		"/execution?arn=nonsense": http.StatusBadRequest,
		"/execution?arn=" + url.QueryEscape(fareExecutionARN("never-started")): http.StatusNotFound,
		"/execution?arn=x&run=0":       http.StatusBadRequest,
		"/execution?arn=x&run=two":     http.StatusBadRequest,
		"/start?preset=no_such_switch": http.StatusNotFound,
		"/nowhere":                     http.StatusNotFound,
		"/static/nothing.js":           http.StatusNotFound,
	} {
		t.Run(path, func(t *testing.T) {
			p := get(t, path)
			assert.Equal(t, want, p.Status, p.Body)
		})
	}
	p := post(t, "/resume", url.Values{"fareId": {"fare-never-started"}}, nil)
	assert.Equal(t, http.StatusNotFound, p.Status, "the door's 404")
	p = post(t, "/resume", url.Values{"fareId": {"not a fare id"}}, nil)
	assert.Equal(t, http.StatusBadRequest, p.Status)
	p = post(t, "/stop", url.Values{"arn": {fareExecutionARN("never-started")}}, nil)
	assert.Equal(t, http.StatusNotFound, p.Status)
}

func TestResumingAFareThatIsNotStuckIsTheDoorsRefusal(t *testing.T) {
	fareID := unique("fare-done-")
	require.Equal(t, http.StatusSeeOther, post(t, "/start", url.Values{"input": {embedded.FareInput(fareID, "cust-42")}}, nil).Status)
	waitFor(t, fareExecutionARN(fareID), sfntypes.ExecutionStatusSucceeded)
	p := post(t, "/resume", url.Values{"fareId": {fareID}}, nil)
	assert.Equal(t, http.StatusConflict, p.Status)
	assert.Contains(t, p.Body, "NotStuck")
}

func TestTheListPagesThroughEveryExecutionOnceNewestFirst(t *testing.T) {
	machine := createMachine(t, unique("Pager"), `{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}`)
	const n = 2*console.DefaultPageSize + 20
	var started []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("page-%03d", i)
		started = append(started, name)
		waitFor(t, startExecution(t, machine, name, `{}`), sfntypes.ExecutionStatusSucceeded)
	}
	first := get(t, "/?"+url.Values{"machine": {machine}}.Encode())
	require.Equal(t, http.StatusOK, first.Status)
	assert.Contains(t, first.Body, fmt.Sprintf("Executions 1–%d of %d", console.DefaultPageSize, n))

	var seen []string
	pages := []page{first}
	for p := first; ; {
		seen = append(seen, listedNames(p.Body)...)
		older := pagerURL(p.Body, "next")
		if older == "" {
			break
		}
		require.Less(t, len(pages), 10, "the pages end")
		p = get(t, older)
		pages = append(pages, p)
		if len(pages) == 2 {
			// Executions started while paging do not shift the pages that follow.
			for i := 0; i < 5; i++ {
				startExecution(t, machine, fmt.Sprintf("late-%d", i), `{}`)
			}
		}
	}
	want := make([]string, n)
	for i, name := range started {
		want[n-1-i] = name
	}
	assert.Equal(t, want, seen, "every execution once, newest first")
	assert.Len(t, pages, 3)

	back := get(t, pagerURL(pages[2].Body, "prev"))
	assert.Equal(t, listedNames(pages[1].Body), listedNames(back.Body), "newer goes back to the page before")
}

func TestTheListFiltersByStatusAndMachine(t *testing.T) {
	machine := createMachine(t, unique("Filter"), `{"StartAt":"Decide","States":{"Decide":{"Type":"Choice",
		"Choices":[{"Variable":"$.fail","BooleanEquals":true,"Next":"No"}],"Default":"Yes"},
		"Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"Refused","Cause":"asked to fail"}}}`)
	for i := 0; i < 3; i++ {
		waitFor(t, startExecution(t, machine, fmt.Sprintf("ok-%d", i), `{"fail":false}`), sfntypes.ExecutionStatusSucceeded)
		waitFor(t, startExecution(t, machine, fmt.Sprintf("no-%d", i), `{"fail":true}`), sfntypes.ExecutionStatusFailed)
	}
	failed := get(t, "/?"+url.Values{"machine": {machine}, "status": {"FAILED"}}.Encode())
	assert.Equal(t, []string{"no-2", "no-1", "no-0"}, listedNames(failed.Body))
	assert.Contains(t, failed.Body, `<td class="error">Refused</td>`, "the error of each failed execution")
	assert.Equal(t, 3, strings.Count(failed.Body, "✗ FAILED"), "each FAILED with its sign, not by colour alone")

	all := get(t, "/?"+url.Values{"machine": {machine}}.Encode())
	assert.Len(t, listedNames(all.Body), 6)
	for _, name := range listedNames(get(t, "/?status=SUCCEEDED").Body) {
		assert.NotContains(t, name, "no-")
	}
	unknown := get(t, "/?status=EXPLODED&machine="+url.QueryEscape(machine))
	assert.Contains(t, unknown.Body, "There is no status “EXPLODED”")
	assert.Len(t, listedNames(unknown.Body), 6, "an unknown status filters nothing out")
}

// Hostile text within the name rules of Step Functions: quotes that would end an
// attribute, script-looking text, entities; and, where no rule applies (inputs, state
// names, errors and causes), markup.
var hostileExecutionNames = []string{
	`x'onmouseover='window.__pwned=1'autofocus='`,
	`'-alert(1)-'`,
	`@import.url(evil)`,
	`..`,
	`img-src=x-onerror=alert(1)`,
}

const hostileDefinition = `{"QueryLanguage":"JSONata","StartAt":"<img src=x onerror=window.__pwned=2>","States":{
	"<img src=x onerror=window.__pwned=2>":{"Type":"Pass","Comment":"<script>window.__pwned=3</script>",
		"Next":"</text></svg><script>window.__pwned=4</script>"},
	"</text></svg><script>window.__pwned=4</script>":{"Type":"Choice",
		"Choices":[{"Condition":"{% '<img src=x onerror=window.__pwned=5>' = $states.input.x %}","Next":"\" onfocus=\"window.__pwned=6"}],
		"Default":"\" onfocus=\"window.__pwned=6"},
	"\" onfocus=\"window.__pwned=6":{"Type":"Fail","Error":"<svg onload=window.__pwned=7>","Cause":"<img src=x onerror=alert(1)>"}}}`

const hostileInput = `{"x":"</pre><img src=x onerror=window.__pwned=8><textarea>","y":"\u003cscript\u003ewindow.__pwned=9\u003c/script\u003e"}`

// startHostileExecutions starts executions whose names, states, inputs and errors hold
// markup, and returns their ARNs.
func startHostileExecutions(t *testing.T) []string {
	t.Helper()
	machine := createMachine(t, unique("Hostile'-alert(1)-'"), hostileDefinition)
	var arns []string
	for _, name := range hostileExecutionNames {
		arn := startExecution(t, machine, name+unique("-"), hostileInput)
		waitFor(t, arn, sfntypes.ExecutionStatusFailed)
		arns = append(arns, arn)
		fare := startExecution(t, server.StateMachineARN, name+unique("-"), hostileInput)
		waitFor(t, fare, sfntypes.ExecutionStatusFailed)
		arns = append(arns, fare)
	}
	return arns
}

func TestHostileNamesInputsAndErrorsAreEscapedOnEveryPage(t *testing.T) {
	arns := startHostileExecutions(t)
	paths := []string{"/", "/?status=FAILED"}
	for _, arn := range arns {
		paths = append(paths, "/execution?arn="+url.QueryEscape(arn), "/execution?arn="+url.QueryEscape(arn)+"&run=1")
	}
	for _, path := range paths {
		p := get(t, path)
		require.Equal(t, http.StatusOK, p.Status, path)
		for _, raw := range []string{"<img", "<script>window", "<svg onload", "<textarea>", `" onfocus="`, "'onmouseover='"} {
			assert.NotContains(t, p.Body, raw, "%s shows %q as markup", path, raw)
		}
	}
	execution := get(t, "/execution?arn="+url.QueryEscape(arns[0])).Body
	assert.Contains(t, execution, "&lt;img src=x onerror=window.__pwned=2&gt;", "a state name is shown as text")
	assert.Contains(t, execution, "&lt;svg onload=window.__pwned=7&gt;", "an error is shown as text")
	assert.Contains(t, execution, "x&#39;onmouseover=&#39;window.__pwned=1&#39;autofocus=&#39;", "the name is shown as text")
}

// A machine that loops 600 times writes thousands of events: the path counts every
// entry, the table shows the newest thousand and says so.
func TestALongLoopingExecutionIsTracedWholeAndShownInPart(t *testing.T) {
	machine := createMachine(t, unique("Loop"), `{"QueryLanguage":"JSONata","StartAt":"Count","States":{
		"Count":{"Type":"Pass","Output":"{% {'n': $states.input.n + 1} %}","Next":"Enough?"},
		"Enough?":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n >= 600 %}","Next":"Done"}],"Default":"Count"},
		"Done":{"Type":"Succeed"}}}`)
	arn := startExecution(t, machine, "loop", `{"n":0}`)
	waitFor(t, arn, sfntypes.ExecutionStatusSucceeded)
	p := get(t, "/execution?arn="+url.QueryEscape(arn))
	require.Equal(t, http.StatusOK, p.Status)
	// ExecutionStarted, 600 × (Count and Enough? entered and exited), Done entered and
	// exited, ExecutionSucceeded.
	const events = 1 + 600*4 + 2 + 1
	for _, want := range []string{
		"entered 600×",
		fmt.Sprintf("(%d events)", events),
		fmt.Sprintf("The %d oldest events are not shown here: the newest 1000 are.", events-1000),
	} {
		assert.True(t, strings.Contains(p.Body, want), "the page says %q", want)
	}
	assert.Equal(t, 1000, strings.Count(p.Body, "<td class=\"event-detail\">"), "a thousand rows")
}

func TestAFormLargerThanAFareIsRefused(t *testing.T) {
	p := post(t, "/start", url.Values{"input": {strings.Repeat("x", 1<<20)}}, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, p.Status)
}

// A fare's rows are shown as stored, every attribute: no value is rewritten (a
// timestamp's digits can look like a card number to a redactor, and the tables never
// hold card data).
func TestAFaresRowsAreShownAsStored(t *testing.T) {
	for i := 0; i < 5; i++ {
		fareID := unique("fare-rows-")
		require.Equal(t, http.StatusSeeOther, post(t, "/start", url.Values{"input": {embedded.FareInput(fareID, "cust-42_fail_credit")}}, nil).Status)
		waitFor(t, fareExecutionARN(fareID), sfntypes.ExecutionStatusFailed)
		body := get(t, "/execution?arn="+url.QueryEscape(fareExecutionARN(fareID))).Body
		for _, table := range []string{tables.Fares.Name, tables.Payments.Name} {
			out, err := server.Stack.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table),
				Key: map[string]ddbtypes.AttributeValue{"fareId": &ddbtypes.AttributeValueMemberS{Value: fareID}}})
			require.NoError(t, err)
			require.NotNil(t, out.Item, table)
			for name, value := range out.Item {
				if s, ok := value.(*ddbtypes.AttributeValueMemberS); ok {
					assert.True(t, strings.Contains(body, "<td>"+htmlEscaped(s.Value)+"</td>"), "%s.%s shown as stored: %q", table, name, s.Value)
				}
			}
		}
	}
}

func TestTheListRenewsItselfWhileAnExecutionRuns(t *testing.T) {
	fareID := unique(heldPrefix)
	arn := startExecution(t, server.StateMachineARN, fareID, embedded.FareInput(fareID, "cust-42"))
	assert.Contains(t, get(t, "/").Body, `<div id="live" data-live="true">`, "the script renews a page that says it is live")
	gate.release(fareID)
	waitFor(t, arn, sfntypes.ExecutionStatusSucceeded)
	assert.Contains(t, get(t, "/").Body, `<div id="live" data-live="false">`)
}

func TestEveryEdgeSaysWhyItIsThereAndWhetherItWasTaken(t *testing.T) {
	fareID := unique("fare-edges-")
	require.Equal(t, http.StatusSeeOther, post(t, "/start", url.Values{"input": {embedded.FareInput(fareID, "cust-42_fail_charge")}}, nil).Status)
	waitFor(t, fareExecutionARN(fareID), sfntypes.ExecutionStatusFailed)
	body := get(t, "/execution?arn="+url.QueryEscape(fareExecutionARN(fareID))).Body
	for _, title := range []string{
		"<title>ChargeFare → RefundFare: catch (States.ALL), taken</title>",
		"<title>ChargeFare → FareNeedsAttention: catch (FareConflict)</title>",
		"<title>ChargeFare → CreditCustomerAccount: next</title>",
		"<title>FareOwnedByThisExecution → NotifyFailure: choice default (Default), taken</title>",
	} {
		assert.True(t, strings.Contains(body, title), "an edge titled %q", title)
	}
	assert.Contains(t, body, `<path class="edge edge-catch taken"`)
}
