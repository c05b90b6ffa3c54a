package intake

import (
	"errors"
	"net/http"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/statemachine"
)

// resume redrives the execution of a fare that needs attention (attention.Resume): 202
// with what will run, 409 when the fare is not stuck or cannot be resumed, 404 when no
// fare has the fareId.
func (d *Door) resume(x *exchange) (int, any, error) {
	fareID := x.params["fareId"]
	if !saga.ValidFareID(fareID) || saga.ContainsCardNumber(fareID) {
		return 0, nil, &Error{Code: NotFound, Message: "no fare has this fareId"}
	}
	x.fareID = fareID
	resumed, err := attention.Resume(x.r.Context(), d.fares, attention.SFNExecutions{Client: d.cfg.StepFunctions}, fareID)
	var notStuck *attention.NotStuckError
	var notResumable *attention.NotResumableError
	switch {
	case errors.Is(err, attention.ErrUnknownFare):
		return 0, nil, &Error{Code: NotFound, Message: err.Error()}
	case errors.As(err, &notStuck), errors.Is(err, attention.ErrChanged):
		return 0, nil, &Error{Code: NotStuck, Message: err.Error()}
	case errors.As(err, &notResumable):
		return 0, nil, &Error{Code: NotResumable, Message: saga.RedactCardNumbers(err.Error()) + "; see the runbook"}
	case err != nil:
		return 0, nil, unavailable("resuming the fare", err)
	}
	x.log().Warn("fare resumed", "resumedFrom", resumed.ResumedFrom, "resumes", resumed.Resumes)
	return http.StatusAccepted, resumed, nil
}

// attentionOf is what GET tells an operator of a stuck fare.
func attentionOf(r fare.Record) *Attention {
	return &Attention{
		State: r.AttentionState, ExecutionStatus: r.AttentionExecutionStatus,
		Error: saga.RedactCardNumbers(r.AttentionError), Cause: saga.RedactCardNumbers(r.AttentionCause),
		FailedState: r.FailedState, FailureError: r.FailureError,
		Resumes: r.Resumes, WillRun: statemachine.ResumePath(r.AttentionState),
	}
}
