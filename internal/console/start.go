package console

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/saga"
)

// Preset is a ready fare input: the happy path, or a failure switch.
type Preset struct {
	ID          string // the switch without its leading underscore; "happy" for none
	Label       string
	Description string
	Switch      string // the customerId suffix
}

// Presets are the README's ready inputs: the happy path and every failure switch, and
// the stuck-then-resumed fare `faresaga run` shows.
func Presets() []Preset {
	out := []Preset{{ID: "happy", Label: "the happy path", Description: "every step succeeds"}}
	for _, sw := range faults.Switches() {
		kind, stepName, _ := strings.Cut(strings.TrimPrefix(sw, "_"), "_")
		step := faults.Step(stepName)
		state := step.State()
		var description string
		switch {
		case kind == faults.KindFail && faults.Compensates(step):
			description = state + " fails on every retry, after the step it undoes failed: the fare is stuck (NEEDS_ATTENTION) and stays stuck after a resume"
		case kind == faults.KindFail:
			description = state + " fails: the steps that ran are compensated"
		case kind == faults.KindOutage:
			description = "an outage through every retry of " + state + ": the fare is stuck (NEEDS_ATTENTION); a resume finishes compensating"
		case kind == faults.KindTransient:
			description = fmt.Sprintf("%s fails its first %d attempts, then succeeds", state, faults.TransientFailures)
		case kind == faults.KindLost:
			description = state + "'s first response is lost after its effect; the retry finds it done"
		}
		out = append(out, Preset{ID: strings.TrimPrefix(sw, "_"), Label: sw, Description: description, Switch: sw})
	}
	return append(out, Preset{ID: "fail_credit_outage_refund", Label: "_fail_credit_outage_refund",
		Description: "crediting fails, the gateway is down through every retry of the refund: stuck until resumed", Switch: "_fail_credit_outage_refund"})
}

// presetInput is a fare of 12.50 EUR for customer cust-42 with the preset's switch,
// under a new fareId.
func presetInput(p Preset) string {
	fare := struct {
		FareID       string `json:"fareId"`
		CustomerID   string `json:"customerId"`
		Amount       int64  `json:"amount"`
		Currency     string `json:"currency"`
		PaymentToken string `json:"paymentToken"`
	}{newFareID(p.ID), "cust-42" + p.Switch, 1250, "EUR", "tok_visa_4242"}
	out, _ := json.MarshalIndent(fare, "", "  ")
	return string(out)
}

func newFareID(preset string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "fare-" + strings.ReplaceAll(preset, "_", "-") + "-" + hex.EncodeToString(b[:])
}

type startPage struct {
	Presets     []Preset
	Preset      Preset
	Input       string
	DoorMissing bool
	Refusal     *doorRefusal
	// NotKept: the refused input held card data, so it is not sent back.
	NotKept bool
}

// doorRefusal is an error answer of the front door.
type doorRefusal struct {
	Status   int
	Code     string   `json:"error"`
	Message  string   `json:"message"`
	Problems []string `json:"problems"`
}

func refusalOf(status int, body []byte) *doorRefusal {
	r := &doorRefusal{}
	if json.Unmarshal(body, r) != nil || r.Code == "" {
		r = &doorRefusal{Code: http.StatusText(status), Message: "The door's answer is not one of its errors."}
	}
	r.Status = status
	return r
}

func (c *Console) startForm(w http.ResponseWriter, r *http.Request) {
	presets := Presets()
	page := startPage{Presets: presets, Preset: presets[0], DoorMissing: c.cfg.Door == nil}
	if id := r.URL.Query().Get("preset"); id != "" {
		found := false
		for _, p := range presets {
			if p.ID == id {
				page.Preset, found = p, true
			}
		}
		if !found {
			c.fail(w, r, http.StatusNotFound, "There is no ready input "+quote(id)+".", nil)
			return
		}
	}
	page.Input = presetInput(page.Preset)
	c.render(w, http.StatusOK, "start", page)
}

// maxFormBytes bounds a posted form: a fare input and a little more.
const maxFormBytes = saga.MaxInputBytes + 4096

func (c *Console) start(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Door == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "No front door is served (faresaga local --api-listen), so fares cannot start here.", nil)
		return
	}
	input, err := formValue(w, r, "input", maxFormBytes)
	if err != nil {
		c.fail(w, r, http.StatusRequestEntityTooLarge, "The form is larger than a fare can be.", nil)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	answer, err := c.cfg.Door.Start(ctx, []byte(input))
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, "The front door did not answer.", err)
		return
	}
	if answer.Status == http.StatusAccepted || answer.Status == http.StatusOK {
		var submitted intake.Submission
		if err := json.Unmarshal(answer.Body, &submitted); err != nil || submitted.ExecutionArn == "" {
			c.fail(w, r, http.StatusBadGateway, "The front door's answer names no execution.", err)
			return
		}
		http.Redirect(w, r, executionURL(submitted.ExecutionArn), http.StatusSeeOther)
		return
	}
	presets := Presets()
	page := startPage{Presets: presets, Preset: presets[0], Input: input, Refusal: refusalOf(answer.Status, answer.Body)}
	if holdsCardData(input) {
		// The door never echoes card data; neither does the page that says it refused.
		page.Input, page.NotKept = "", true
	}
	c.render(w, answer.Status, "start", page)
}

func (c *Console) stop(w http.ResponseWriter, r *http.Request) {
	arn, err := formValue(w, r, "arn", 4096)
	if err != nil || arn == "" {
		c.fail(w, r, http.StatusBadRequest, "Which execution? The form names none.", nil)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	_, err = c.cfg.StepFunctions.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn),
		Cause: aws.String("stopped from the faresaga console")})
	var missing *sfntypes.ExecutionDoesNotExist
	switch {
	case errors.As(err, &missing):
		c.fail(w, r, http.StatusNotFound, "The server has no such execution.", nil)
	case err != nil:
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not stop the execution.", err)
	default:
		http.Redirect(w, r, executionURL(arn), http.StatusSeeOther)
	}
}

func (c *Console) resume(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Door == nil {
		c.fail(w, r, http.StatusServiceUnavailable, "No front door is served (faresaga local --api-listen), so fares cannot be resumed here.", nil)
		return
	}
	fareID, err := formValue(w, r, "fareId", 4096)
	if err != nil || !saga.ValidFareID(fareID) {
		c.fail(w, r, http.StatusBadRequest, "The form names no fare.", nil)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	answer, err := c.cfg.Door.Resume(ctx, fareID)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, "The front door did not answer.", err)
		return
	}
	if answer.Status != http.StatusAccepted {
		refusal := refusalOf(answer.Status, answer.Body)
		c.render(w, answer.Status, "error", errorPage{Status: answer.Status, StatusText: http.StatusText(answer.Status),
			Message: "The front door did not resume fare " + fareID + ".", Answer: refusal})
		return
	}
	var resumed struct {
		ExecutionArn string `json:"executionArn"`
	}
	if err := json.Unmarshal(answer.Body, &resumed); err != nil || resumed.ExecutionArn == "" {
		c.fail(w, r, http.StatusBadGateway, "The front door's answer names no execution.", err)
		return
	}
	http.Redirect(w, r, executionURL(resumed.ExecutionArn), http.StatusSeeOther)
}

// holdsCardData reports whether a refused input may hold card data: the saga's check
// for JSON, and for text that is no JSON (whose fields cannot be read), its search for
// card numbers.
func holdsCardData(input string) bool {
	if !json.Valid([]byte(input)) {
		return saga.ContainsCardNumber(input)
	}
	return saga.RefuseCardData([]byte(input)) != nil
}
