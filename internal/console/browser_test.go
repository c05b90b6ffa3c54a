package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/statemachine"
)

// One Chromium for the package, started by the first browser test: Debian's, headless,
// with the flags this machine needs (no sandbox as root, no GPU, and none of its
// background calls to Google's hosts), and a profile of its own.
var browserSession struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	profile string
	err     error
}

// chromiumPath finds Debian's chromium (or FARESAGA_CHROMIUM).
func chromiumPath() string {
	if path := os.Getenv("FARESAGA_CHROMIUM"); path != "" {
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// tab opens a new tab of the package's browser for one test, or skips the test, saying
// why, when there is no browser; FARESAGA_BROWSER_REQUIRED=1 (CI) makes that a failure.
func tab(t *testing.T) (context.Context, *dialogs) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("FARESAGA_BROWSER_REQUIRED") == "1" {
			t.Fatal("chromium is not installed and FARESAGA_BROWSER_REQUIRED=1: install it (apt-get install chromium); .ci/run does")
		}
		t.Skip("skipped: chromium is not installed (apt-get install chromium, or FARESAGA_CHROMIUM=<path>); FARESAGA_BROWSER_REQUIRED=1 makes this a failure")
	}
	s := &browserSession
	s.once.Do(func() {
		s.profile, s.err = os.MkdirTemp("", "faresaga-chromium-")
		if s.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(s.profile),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.WindowSize(1280, 1000),
		)
		allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), opts...)
		browser, cancelBrowser := chromedp.NewContext(allocator)
		if s.err = chromedp.Do(browser); s.err != nil {
			cancelBrowser()
			cancelAllocator()
			return
		}
		s.ctx, s.cancel = browser, func() { cancelBrowser(); cancelAllocator() }
	})
	require.NoError(t, s.err, "start chromium at %s", path)
	ctx, cancelTab := chromedp.NewContext(s.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1000)))
	d := &dialogs{}
	opening := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range opening {
			if err != nil {
				return
			}
			d.opened.Add(1)
			_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return ctx, d
}

// dialogs counts the JavaScript dialogs a page opened (alert, confirm, prompt).
type dialogs struct{ opened atomic.Int32 }

func closeBrowser() {
	s := &browserSession
	if s.cancel != nil {
		s.cancel()
	}
	if s.profile != "" {
		_ = os.RemoveAll(s.profile)
	}
}

func consoleURL(path string) string { return server.Endpoint + path }

// unlabelledJS lists the form fields of the page that have no label.
const unlabelledJS = `Array.from(document.querySelectorAll('select, textarea, input:not([type=hidden])'))
	.filter((f) => f.labels.length === 0).map((f) => f.name || f.id)`

// stateLabels reads each state's outcome as the page's states table words it.
const stateLabelsJS = `Object.fromEntries(Array.from(document.querySelectorAll('table.states tr[data-state]'),
	(tr) => [tr.dataset.state, tr.querySelector('.outcome').textContent]))`

// graphLabels reads each node's status line as the drawing shows it.
const graphLabelsJS = `Object.fromEntries(Array.from(document.querySelectorAll('svg.graph a.node[data-state]'),
	(a) => [a.dataset.state, (a.querySelector('text.label') || {textContent: ''}).textContent]))`

// act runs actions in the tab.
func act(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// eval evaluates an expression in the tab's page.
func eval[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	require.NoError(t, err, expression)
	return v
}

// text is the text an element shows.
func text(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	require.NoError(t, err, selector)
	return v
}

// until waits until a JavaScript expression is true in the page.
func until(expression string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(30*time.Second),
			chromedp.WithPollingInterval(50*time.Millisecond))(ctx, target)
		return err
	})
}

// waitStatus waits until the page (updating itself) shows the execution's status.
func waitStatus(status string) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(document.querySelector('.status-line .badge') || {textContent: ''}).textContent.includes(%q)`, status))
}

// screenshot saves what the tab shows under FARESAGA_SCREENSHOTS (default: a folder in
// the temporary directory), and under docs/ when FARESAGA_UPDATE_SCREENSHOTS=1 and the
// README shows it.
func screenshot(t *testing.T, ctx context.Context, name string, height int64, inReadme bool) {
	t.Helper()
	act(t, ctx, chromedp.EmulateViewport(1280, height), chromedp.Sleep(100*time.Millisecond))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, quantize(img)))
	dir := os.Getenv("FARESAGA_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "faresaga-console-screenshots")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "console-"+name+".png")
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	t.Logf("screenshot %s (%d KB)", path, out.Len()/1024)
	if inReadme && os.Getenv("FARESAGA_UPDATE_SCREENSHOTS") == "1" {
		docs := filepath.Join("..", "..", "docs", "console-"+name+".png")
		require.NoError(t, os.WriteFile(docs, out.Bytes(), 0o644))
		t.Logf("updated %s", docs)
	}
}

// startFromTheForm starts a fare from the start page: a ready input, or (when input is
// not "") the user's own JSON typed into the form; the keyboard sends it.
func startFromTheForm(t *testing.T, ctx context.Context, preset, input string) {
	t.Helper()
	act(t, ctx, chromedp.Navigate(consoleURL("/start")), chromedp.WaitVisible(chromedp.CSS("#preset")))
	if preset != "" {
		act(t, ctx, chromedp.SetValue(chromedp.CSS("#preset"), preset))
		navigate(t, ctx, "/start?preset="+preset, "#input", chromedp.Click(chromedp.CSS(`form.presets button[type="submit"]`)))
		chosen := "_" + preset
		if preset == "happy" {
			chosen = "happy path"
		}
		require.Contains(t, text(t, ctx, "#preset-description"), chosen, "the ready input chosen")
	}
	if input != "" {
		eval[chromedp.Void](t, ctx, `document.getElementById('input').value = `+jsString(input)+`; undefined`)
	}
	// From the fare's text, Tab reaches the start button, and Enter presses it.
	act(t, ctx, chromedp.Focus(chromedp.CSS("#input")), chromedp.KeyEvent(kb.Tab))
	require.Equal(t, "start-fare", eval[string](t, ctx, `document.activeElement.id`), "Tab from the fare's text reaches the start button")
	require.NotEqual(t, "none", eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`), "the focus shows")
	require.Empty(t, eval[[]string](t, ctx, unlabelledJS), "every field of the form has its label")
	navigate(t, ctx, "/execution?arn=", ".status-line", chromedp.KeyEvent(kb.Enter))
}

// navigate runs actions that take the tab to another document (a link, a form sent),
// and waits until that document, under path, shows selector. The old document is
// marked, so that a form that comes back to the same address is waited for too.
func navigate(t *testing.T, ctx context.Context, path, selector string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `window.__leaving = true; undefined`)
	act(t, ctx, steps...)
	require.Eventually(t, func() bool {
		location, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasPrefix(location, consoleURL(path)) {
			return false
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__leaving === undefined && document.readyState === 'complete' && document.querySelector(`+jsString(selector)+`) !== null`))
		return err == nil && shown
	}, 30*time.Second, 20*time.Millisecond, "the tab reaches %s", path)
}

func jsString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

func TestBrowserStartsAFareFromTheFormAndWatchesItFinish(t *testing.T) {
	ctx, opened := tab(t)
	fareID := unique(heldPrefix)
	t.Cleanup(func() { gate.release(fareID) })
	startFromTheForm(t, ctx, "", embedded.FareInput(fareID, "cust-42"))

	act(t, ctx, waitStatus("RUNNING"), until(`(`+graphLabelsJS+`)[`+jsString(statemachine.ChargeFare)+`] === '▶ running'`))
	labels := eval[map[string]string](t, ctx, graphLabelsJS)
	assert.Equal(t, "✓ succeeded", labels[statemachine.RegisterFare])
	assert.Equal(t, "✓ succeeded", labels[statemachine.PreAuthorizePayment])
	assert.Equal(t, "▶ running", labels[statemachine.ChargeFare], "the fare is held in ChargeFare")
	assert.Equal(t, "○ not run", labels[statemachine.CreditCustomerAccount])
	screenshot(t, ctx, "running", 1000, false)

	// The page updates itself: the same document, never reloaded, shows the end.
	eval[chromedp.Void](t, ctx, `window.__samePage = 'yes'; undefined`)
	gate.release(fareID)
	act(t, ctx, waitStatus("SUCCEEDED"))
	assert.True(t, eval[bool](t, ctx, `window.__samePage === 'yes'`), "the page updated in place")
	labels = eval[map[string]string](t, ctx, stateLabelsJS)
	for _, state := range []string{statemachine.RegisterFare, statemachine.PreAuthorizePayment, statemachine.ChargeFare,
		statemachine.CreditCustomerAccount, statemachine.SetFareStatusCompleted, statemachine.NotifySuccess, statemachine.FareProcessingSucceeded} {
		assert.Equal(t, "✓ succeeded", labels[state], state)
	}
	for _, state := range []string{statemachine.RefundFare, statemachine.CancelFare, statemachine.FareProcessingFailed} {
		assert.Equal(t, "○ not run", labels[state], state)
	}
	fare := text(t, ctx, "section.fare")
	assert.Contains(t, fare, "COMPLETED", "the door's word and the Fares row")
	assert.Contains(t, fare, "CAPTURED", "the Payments row")
	assert.Contains(t, fare, "FARE#"+fareID+"#CREDIT", "the ledger entry")
	assert.Contains(t, fare, "BALANCE#EUR", "the customer's balance")
	assert.Contains(t, fare, "IsSuccessful=true", "the outcome message")
	assert.Zero(t, opened.opened.Load())
}

func TestBrowserLabelsEveryStateOfACompensatedExecution(t *testing.T) {
	const (
		ok     = "✓ succeeded"
		notRun = "○ not run"
		comp   = "↩ compensating · ✓ succeeded"
	)
	tests := []struct {
		preset string
		status string
		labels map[string]string
		detail map[string]string // state: text its row's detail holds
		shot   string
	}{
		{
			preset: "fail_charge", status: "FAILED",
			labels: map[string]string{
				statemachine.RegisterFare: ok, statemachine.PreAuthorizePayment: ok, statemachine.ChargeFare: "⚠ caught",
				statemachine.CreditCustomerAccount: notRun, statemachine.SetFareStatusCompleted: notRun, statemachine.NotifySuccess: notRun,
				statemachine.FareProcessingSucceeded: notRun, statemachine.ReverseCustomerCredit: notRun,
				statemachine.RefundFare: comp, statemachine.VoidPreAuthorization: comp, statemachine.CancelFare: comp,
				statemachine.FareOwnedByThisExecution: comp, statemachine.NotifyFailure: comp,
				statemachine.FareProcessingFailed: "✗ failed", statemachine.FareNeedsAttention: notRun,
			},
			detail: map[string]string{statemachine.ChargeFare: "CaptureDeclined", statemachine.FareProcessingFailed: "CaptureDeclined"},
			shot:   "compensated",
		},
		{
			preset: "transient_auth", status: "SUCCEEDED",
			labels: map[string]string{statemachine.PreAuthorizePayment: ok, statemachine.ChargeFare: ok, statemachine.RefundFare: notRun},
			detail: map[string]string{statemachine.PreAuthorizePayment: "↻ retried 2×"},
		},
		{
			preset: "fail_register", status: "FAILED",
			labels: map[string]string{statemachine.RegisterFare: "⚠ caught", statemachine.PreAuthorizePayment: notRun,
				statemachine.CancelFare: comp, statemachine.FareProcessingFailed: "✗ failed"},
			detail: map[string]string{statemachine.RegisterFare: "InjectedFailure"},
		},
	}
	ctx, opened := tab(t)
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			startFromTheForm(t, ctx, tt.preset, "")
			act(t, ctx, waitStatus(tt.status))
			labels := eval[map[string]string](t, ctx, stateLabelsJS)
			graph := eval[map[string]string](t, ctx, graphLabelsJS)
			details := eval[map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll('table.states tr[data-state]'),
				(tr) => [tr.dataset.state, tr.children[3].textContent]))`)
			for state, want := range tt.labels {
				assert.Equal(t, want, labels[state], "%s in the states table", state)
				assert.Equal(t, want, graph[state], "%s in the graph", state)
			}
			for state, want := range tt.detail {
				assert.Contains(t, details[state], want, state)
			}
			if tt.shot != "" {
				fare := text(t, ctx, "section.fare")
				assert.Contains(t, fare, "CANCELLED", "the door's word and the Fares row")
				assert.Contains(t, fare, "VOIDED", "the Payments row: the authorisation released")
				assert.Contains(t, fare, `"status": "CANCELLED"`, "the outcome message")
				screenshot(t, ctx, tt.shot, 1360, true)
			}
		})
	}
	assert.Zero(t, opened.opened.Load())
}

func TestBrowserResumesAStuckFareFromItsPage(t *testing.T) {
	ctx, opened := tab(t)
	startFromTheForm(t, ctx, "outage_refund", "")
	// The execution fails before the watcher marks the fare (the door already calls a
	// REGISTERED fare of a failed execution NEEDS_ATTENTION); the live page shows the mark
	// and what a resume runs once it is there.
	act(t, ctx, waitStatus("FAILED"), chromedp.WaitVisible(chromedp.CSS("#resume")),
		until(`(document.querySelector('section.fare') || {textContent: ''}).textContent.includes('RefundFare → VoidPreAuthorization')`))
	location, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	parsed, err := url.Parse(location)
	require.NoError(t, err)
	executionARN := parsed.Query().Get("arn")

	fare := text(t, ctx, "section.fare")
	labels := eval[map[string]string](t, ctx, stateLabelsJS)
	assert.Contains(t, fare, "NEEDS_ATTENTION")
	assert.Contains(t, fare, "RefundFare → VoidPreAuthorization → CancelFare", "what a resume will run")
	assert.Contains(t, fare, "CreditCustomerAccount's InjectedFailure", "what it was compensating")
	assert.Contains(t, fare, "NeedsAttention=true", "the alert")
	assert.Equal(t, "↩ compensating · ✗ failed", labels[statemachine.RefundFare])
	assert.Equal(t, "○ not run", labels[statemachine.VoidPreAuthorization])
	screenshot(t, ctx, "stuck", 1360, true)

	// The keyboard resumes it: focus the button, press Enter.
	navigate(t, ctx, "/execution?arn=", ".status-line", chromedp.Focus(chromedp.CSS("#resume")), chromedp.KeyEvent(kb.Enter))
	waitFor(t, executionARN, sfntypes.ExecutionStatusFailed)
	act(t, ctx, until(`document.querySelector('nav.runs') !== null && document.querySelector('.status-line').textContent.includes('FAILED')`))
	runs := text(t, ctx, "nav.runs")
	labels = eval[map[string]string](t, ctx, stateLabelsJS)
	fare = text(t, ctx, "section.fare")
	assert.Contains(t, runs, "Run 1: FAILED in RefundFare")
	assert.Contains(t, runs, "Run 2 (redrive 1): FAILED in FareProcessingFailed")
	assert.Equal(t, "↩ compensating · ✓ succeeded", labels[statemachine.RefundFare], "run 2 finished the refund")
	assert.Equal(t, "↩ compensating · ✓ succeeded", labels[statemachine.CancelFare])
	assert.Equal(t, "✗ failed", labels[statemachine.FareProcessingFailed])
	assert.Contains(t, fare, "CANCELLED", "all compensated once resumed")

	navigate(t, ctx, "/execution?arn=", `nav.runs a[href$="run=1"][aria-current="page"]`, chromedp.Click(chromedp.CSS(`nav.runs a[href$="run=1"]`)))
	labels = eval[map[string]string](t, ctx, stateLabelsJS)
	assert.Equal(t, "↩ compensating · ✗ failed", labels[statemachine.RefundFare], "run 1 alone: the refund failed there")
	assert.Equal(t, "○ not run", labels[statemachine.VoidPreAuthorization])
	assert.Zero(t, opened.opened.Load())
}

func TestBrowserStopsARunningExecution(t *testing.T) {
	ctx, opened := tab(t)
	fareID := unique(heldPrefix)
	t.Cleanup(func() { gate.release(fareID) })
	arn := startExecution(t, server.StateMachineARN, fareID, embedded.FareInput(fareID, "cust-42"))
	act(t, ctx, chromedp.Navigate(consoleURL("/execution?arn="+url.QueryEscape(arn))), waitStatus("RUNNING"))
	// While it runs the page renews itself every second: an open payload stays open and
	// the focused button keeps the focus, so a keyboard user is not thrown back.
	eval[chromedp.Void](t, ctx, `window.__updates = 0; document.addEventListener('console:updated', () => window.__updates++);
		document.getElementById('execution-input').open = true; undefined`)
	act(t, ctx, chromedp.Focus(chromedp.CSS("#stop")), until(`window.__updates >= 2`))
	assert.Equal(t, "stop", eval[string](t, ctx, `document.activeElement.id`))
	assert.True(t, eval[bool](t, ctx, `document.getElementById('execution-input').open`))
	navigate(t, ctx, "/execution?arn=", ".status-line", chromedp.KeyEvent(kb.Enter))
	act(t, ctx, waitStatus("ABORTED"))
	assert.Equal(t, "■ stopped", eval[map[string]string](t, ctx, stateLabelsJS)[statemachine.ChargeFare])
	// The attention watcher marks a fare stopped half-way: its page offers to resume it.
	require.Eventually(t, func() bool {
		record, found, err := server.Stack.Services.Fare.Get(context.Background(), fareID)
		return err == nil && found && record.Status == fare.NeedsAttention
	}, 20*time.Second, 20*time.Millisecond)
	navigate(t, ctx, "/execution?arn=", "#resume", chromedp.Reload())
	standing := text(t, ctx, "section.fare")
	assert.Contains(t, standing, "Stopped in")
	assert.Contains(t, standing, "ChargeFare (ABORTED)")
	assert.Zero(t, opened.opened.Load())
}

func TestBrowserListsEveryExecution(t *testing.T) {
	ctx, opened := tab(t)
	for _, preset := range []string{"happy", "fail_auth", "outage_void", "lost_charge"} {
		startFromTheForm(t, ctx, preset, "")
	}
	act(t, ctx, chromedp.Navigate(consoleURL("/")), chromedp.WaitVisible(chromedp.CSS("table.executions")))
	assert.Empty(t, eval[[]string](t, ctx, unlabelledJS), "every filter has its label")
	assert.GreaterOrEqual(t, eval[int](t, ctx, `document.querySelectorAll('table.executions tbody tr').length`), 4)
	screenshot(t, ctx, "list", 900, true)

	// Filtering by status: the form is a real form, sent with the keyboard.
	act(t, ctx, chromedp.SetValue(chromedp.CSS("#status"), "FAILED"))
	navigate(t, ctx, "/?", `#status option[value="FAILED"][selected]`, chromedp.Focus(chromedp.CSS(`form.filters button`)), chromedp.KeyEvent(kb.Enter))
	statuses := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('table.executions tbody .badge'), (b) => b.textContent)`)
	require.NotEmpty(t, statuses)
	for _, s := range statuses {
		assert.Equal(t, "✗ FAILED", s)
	}
	assert.Zero(t, opened.opened.Load())
}

// markupFound lists what in the page is markup that no console template writes: event
// handler attributes, images, frames, scripts but the console's own. It finds an
// escaping mistake even where the Content-Security-Policy would stop the script.
const markupFoundJS = `(() => {
	const found = [];
	for (const el of document.querySelectorAll('*')) {
		for (const a of el.attributes) { if (a.name.startsWith('on') || a.name === 'autofocus') found.push(el.tagName + '[' + a.name + ']'); }
	}
	document.querySelectorAll('img, iframe, object, embed, textarea').forEach((e) => found.push(e.tagName));
	document.querySelectorAll('script').forEach((s) => { if (!s.src.endsWith('/static/console.js')) found.push('script'); });
	return found;
})()`

func TestBrowserRunsNoScriptFromHostileNamesInputsOrErrors(t *testing.T) {
	ctx, opened := tab(t)
	arns := startHostileExecutions(t)
	pages := []string{"/", "/?status=FAILED"}
	for _, arn := range arns {
		pages = append(pages, "/execution?arn="+url.QueryEscape(arn))
	}
	for _, path := range pages {
		act(t, ctx, chromedp.Navigate(consoleURL(path)), chromedp.WaitReady(chromedp.CSS("body")))
		// Open every payload, hover and focus everything: handlers that needed it would run.
		eval[chromedp.Void](t, ctx, `document.querySelectorAll('details').forEach((d) => d.open = true); undefined`)
		eval[chromedp.Void](t, ctx, `document.querySelectorAll('a, button, svg *').forEach((e) => {
			e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); if (e.focus) e.focus(); }); undefined`)
		act(t, ctx, chromedp.Sleep(50*time.Millisecond))
		assert.Empty(t, eval[[]string](t, ctx, markupFoundJS), "%s holds markup from data", path)
		assert.False(t, eval[bool](t, ctx, `window.__pwned !== undefined`), "%s ran a script from data", path)
		if strings.Contains(path, "Hostile") {
			assert.Contains(t, text(t, ctx, "body"), "<img src=x onerror=window.__pwned=2>", "the state name reads as text")
		}
	}
	screenshot(t, ctx, "hostile", 1000, false)
	assert.Zero(t, opened.opened.Load(), "no dialog opened")
}
