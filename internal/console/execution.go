package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/saga"
)

// maxEvents is the most history events a page reads: AWS's limit per execution. The
// path is traced from all of them; the table shows the newest maxShownEvents, so that a
// long execution's page stays a page.
const (
	maxEvents      = 25000
	maxShownEvents = 1000
)

type executionPage struct {
	X         execView
	Graph     *graphView
	GraphNote string
	Runs      []runLink // empty unless the execution was redriven
	Run       int       // the run shown, 0 for all
	States    []stateRow
	Events    []eventView
	// EventsHidden counts the older events the history table leaves out.
	EventsHidden int
	Fare         *fareView
	Live         bool
	CanStop      bool
}

type execView struct {
	ARN, Name, MachineName, MachineARN, Status string
	Start, Stop                                time.Time
	Duration                                   time.Duration
	Error, Cause                               string
	Input, Output                              string
	InputBytes, OutputBytes                    int
	RedriveCount                               int32
	RedriveStatus, RedriveStatusReason         string
}

type runLink struct {
	URL, Label string
	Selected   bool
}

type graphView struct {
	Width, Height float64
	Nodes         []nodeView
	Edges         []edgeView
	Summary       string
}

type nodeView struct {
	Index                       int
	Name, Short, Type           string
	Class, Label, Detail, Title string
	X, Y, W, H                  float64
	CX, NameY, LabelY, DetailY  float64
	Pseudo                      bool
}

type edgeView struct{ Path, Class, Marker, Title string }

type stateRow struct {
	Index                      int
	Name, Type, Class          string
	Label, Detail, Does, Retry string
}

type eventView struct {
	Event
	Offset   string
	Class    string
	Payloads []payloadView
	Fields   []Field
	// RunStart marks the first event of a redrive's run.
	RunStart bool
}

type payloadView struct {
	Payload
	ID string
}

func (c *Console) execution(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := requestContext(r)
	defer cancel()
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		c.fail(w, r, http.StatusBadRequest, "Which execution? The page needs an arn.", nil)
		return
	}
	run := 0
	if v := r.URL.Query().Get("run"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(w, r, http.StatusBadRequest, "A run is a number from 1.", nil)
			return
		}
		run = n
	}
	out, err := c.cfg.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	var missing *sfntypes.ExecutionDoesNotExist
	var invalid *sfntypes.InvalidArn
	switch {
	case errors.As(err, &missing):
		c.fail(w, r, http.StatusNotFound, "The server has no such execution (it may have been forgotten: faresaga local keeps --max-finished).", nil)
		return
	case errors.As(err, &invalid):
		c.fail(w, r, http.StatusBadRequest, "That is not an execution ARN.", nil)
		return
	case err != nil:
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not describe the execution.", err)
		return
	}
	page := executionPage{X: c.execView(out), Run: run}
	page.Live = page.X.Status == string(sfntypes.ExecutionStatusRunning) || page.X.Status == string(sfntypes.ExecutionStatusPendingRedrive)
	page.CanStop = page.X.Status == string(sfntypes.ExecutionStatusRunning)

	var (
		wg                   sync.WaitGroup
		graph                *Graph
		graphErr, historyErr error
		events               []Event
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		graph, page.X.MachineName, graphErr = c.machineGraph(ctx, page.X.MachineARN)
	}()
	go func() {
		defer wg.Done()
		events, historyErr = c.history(ctx, arn)
	}()
	if c.isFare(page.X) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			page.Fare = c.fare(ctx, page.X.Name, aws.ToString(out.Input))
		}()
	}
	wg.Wait()
	if f := page.Fare; f != nil && f.Door != nil && f.Door.Status == intake.StatusNeedsAttention && (f.Door.Attention == nil || f.Door.Attention.State == "") {
		// The execution has ended and the door already says NEEDS_ATTENTION, but the
		// watcher's mark (where it stopped, what a resume runs) is still on its way.
		page.Live = true
	}
	if historyErr != nil {
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not give the execution's history.", historyErr)
		return
	}
	if graphErr != nil {
		page.GraphNote = "The state machine's definition could not be read, so there is no graph: " + graphErr.Error()
		graph = emptyGraph()
	}
	trace := TracePath(graph, events, run)
	if len(trace.Runs) > 1 {
		page.Runs = runLinks(arn, trace.Runs, run)
	}
	if graphErr == nil {
		page.Graph, page.States = graphViewOf(graph, trace)
	}
	page.Events = eventViews(events, run, page.X.Start)
	if len(page.Events) > maxShownEvents {
		page.EventsHidden = len(page.Events) - maxShownEvents
		page.Events = page.Events[page.EventsHidden:]
	}
	c.render(w, http.StatusOK, "execution", page)
}

func (c *Console) execView(out *sfn.DescribeExecutionOutput) execView {
	x := execView{
		ARN: aws.ToString(out.ExecutionArn), Name: aws.ToString(out.Name), MachineARN: aws.ToString(out.StateMachineArn),
		Status: string(out.Status), Start: aws.ToTime(out.StartDate), Stop: aws.ToTime(out.StopDate),
		Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause),
		RedriveCount: aws.ToInt32(out.RedriveCount), RedriveStatus: string(out.RedriveStatus),
		RedriveStatusReason: aws.ToString(out.RedriveStatusReason),
	}
	x.MachineName = machineNameOf(x.MachineARN)
	input, output := aws.ToString(out.Input), aws.ToString(out.Output)
	x.Input, x.InputBytes = prettyJSON(input), len(input)
	if out.Output != nil {
		x.Output, x.OutputBytes = prettyJSON(output), len(output)
	}
	end := c.cfg.Now()
	if out.StopDate != nil {
		end = *out.StopDate
	}
	x.Duration = max(end.Sub(x.Start), 0)
	return x
}

// machineNameOf is the name in a state machine ARN, for a machine that is gone.
func machineNameOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 {
		return parts[6]
	}
	return arn
}

// isFare reports whether an execution is a fare's: of the fare machine, named after a
// fareId.
func (c *Console) isFare(x execView) bool {
	return c.cfg.FareStateMachineARN != "" && x.MachineARN == c.cfg.FareStateMachineARN && saga.ValidFareID(x.Name)
}

// graphs holds laid-out graphs by definition: laying out is cheap, but a page that
// updates live asks again every second.
var graphs = struct {
	sync.Mutex
	byDefinition map[string]*Graph
}{byDefinition: map[string]*Graph{}}

const maxCachedGraphs = 64

func (c *Console) machineGraph(ctx context.Context, machineARN string) (*Graph, string, error) {
	out, err := c.cfg.StepFunctions.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machineARN)})
	if err != nil {
		return nil, machineNameOf(machineARN), err
	}
	name, definition := aws.ToString(out.Name), aws.ToString(out.Definition)
	graphs.Lock()
	g, ok := graphs.byDefinition[definition]
	graphs.Unlock()
	if ok {
		return g, name, nil
	}
	g, err = ParseGraph(definition)
	if err != nil {
		return nil, name, err
	}
	g.Layout()
	graphs.Lock()
	defer graphs.Unlock()
	if len(graphs.byDefinition) >= maxCachedGraphs {
		clear(graphs.byDefinition)
	}
	graphs.byDefinition[definition] = g
	return g, name, nil
}

// emptyGraph stands in for a machine whose definition is gone: the trace still finds
// the runs.
func emptyGraph() *Graph {
	return &Graph{Nodes: []Node{{Name: "Start", Type: kindStart}, {Name: "End", Type: kindEnd}}, StartAt: -1, byName: map[string]int{}}
}

func (c *Console) history(ctx context.Context, arn string) ([]Event, error) {
	var events []Event
	pages := sfn.NewGetExecutionHistoryPaginator(c.cfg.StepFunctions, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(true), MaxResults: 1000})
	for pages.HasMorePages() && len(events) < maxEvents {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Events {
			events = append(events, eventFrom(e))
		}
	}
	return events, nil
}

func runLinks(arn string, runs []Run, selected int) []runLink {
	links := []runLink{{URL: executionURL(arn), Label: "All runs", Selected: selected == 0}}
	for _, run := range runs {
		label := fmt.Sprintf("Run %d: %s", run.Number, run.Status)
		if run.Number > 1 {
			label = fmt.Sprintf("Run %d (redrive %d): %s", run.Number, run.Number-1, run.Status)
		}
		if run.StoppedIn != "" && run.Status != "SUCCEEDED" {
			label += " in " + run.StoppedIn
		}
		links = append(links, runLink{URL: executionURL(arn) + "&run=" + strconv.Itoa(run.Number), Label: label, Selected: selected == run.Number})
	}
	return links
}

// The lengths the drawing's text is clipped to; the full text is in each node's title.
const (
	nodeNameRunes   = 27
	nodeLabelRunes  = 31
	nodeDetailRunes = 36
)

func graphViewOf(g *Graph, t Trace) (*graphView, []stateRow) {
	width, height := 0.0, 0.0
	for _, n := range g.Nodes {
		width, height = max(width, n.X+n.W+margin+loopReach), max(height, n.Y+n.H+margin)
	}
	view := &graphView{Width: width, Height: height}
	var rows []stateRow
	counts := map[StateStatus]int{}
	for i, n := range g.Nodes {
		st := t.States[i]
		nv := nodeView{Index: i, Name: n.Name, Short: clip(n.Name, nodeNameRunes), Type: n.Type, X: n.X, Y: n.Y, W: n.W, H: n.H,
			CX: n.X + n.W/2, Pseudo: n.pseudo(), Class: nodeClass(n, st)}
		if nv.Pseudo {
			nv.NameY = n.Y + n.H/2 + 4
			nv.Title = n.Name
			view.Nodes = append(view.Nodes, nv)
			continue
		}
		counts[st.Status]++
		nv.Label, nv.Detail = clip(st.Label(), nodeLabelRunes), clip(st.Detail(), nodeDetailRunes)
		nv.NameY, nv.LabelY, nv.DetailY = n.Y+19, n.Y+35, n.Y+49
		nv.Title = strings.TrimSuffix(n.Name+" ("+n.Type+"): "+st.Label()+" · "+st.Detail(), " · ")
		view.Nodes = append(view.Nodes, nv)
		rows = append(rows, stateRow{Index: i, Name: n.Name, Type: n.Type, Class: nv.Class, Label: st.Label(), Detail: st.Detail(),
			Does: n.Detail, Retry: n.Retries})
	}
	for i, e := range g.Edges {
		ev := edgeView{Path: e.Path(), Class: "edge edge-" + string(e.Kind), Marker: "arrow"}
		title := g.Nodes[e.From].Name + " → " + g.Nodes[e.To].Name + ": " + edgeWords[e.Kind]
		if e.Label != "" {
			title += " (" + e.Label + ")"
		}
		if t.Taken[i] {
			ev.Class += " taken"
			ev.Marker = "arrow-taken"
			title += ", taken"
		}
		ev.Title = title
		view.Edges = append(view.Edges, ev)
	}
	view.Summary = fmt.Sprintf("%d states: %d succeeded, %d caught, %d failed, %d running, %d not run", len(rows),
		counts[Succeeded], counts[Caught], counts[Failed]+counts[TimedOut]+counts[Stopped], counts[Running], counts[NotRun])
	return view, rows
}

var edgeWords = map[EdgeKind]string{
	EdgeNext: "next", EdgeChoice: "choice", EdgeDefault: "choice default", EdgeCatch: "catch", EdgeEnd: "end",
}

func nodeClass(n Node, st StateTrace) string {
	class := "node node-" + strings.ToLower(n.Type)
	status := string(st.Status)
	if st.Status == NotRun {
		status = "not-run"
	}
	class += " st-" + status
	if st.Compensating {
		class += " compensating"
	}
	if st.Retries > 0 {
		class += " retried"
	}
	return class
}

func eventViews(events []Event, run int, start time.Time) []eventView {
	var out []eventView
	lastRun := 0
	for _, e := range events {
		if run != 0 && e.Run != run {
			continue
		}
		v := eventView{Event: e, Offset: formatOffset(e.Time.Sub(start)), Fields: e.sortedFields(), Class: eventClass(e.Type)}
		v.RunStart = e.Run != lastRun && e.Run > 1
		lastRun = e.Run
		for _, p := range e.Payloads {
			v.Payloads = append(v.Payloads, payloadView{Payload: p, ID: fmt.Sprintf("ev-%d-%s", e.ID, p.Name)})
		}
		out = append(out, v)
	}
	return out
}

func eventClass(t string) string {
	switch {
	case strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut") || strings.HasSuffix(t, "Aborted"):
		return "ev-failed"
	case strings.HasSuffix(t, "Succeeded"):
		return "ev-succeeded"
	case strings.HasSuffix(t, "Redriven"):
		return "ev-redriven"
	}
	return ""
}
