package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// listStatuses are the statuses the list filters by: ListExecutions' statusFilter, but
// PENDING_REDRIVE, which it takes for map runs only.
var listStatuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

type listPage struct {
	Rows        []listRow
	Machines    []option
	Statuses    []option
	Status      string
	Machine     string
	Older       string // the next page's URL, "" on the last
	Newer       string // the previous page's URL, "" on the first
	First       string // the first page's URL, "" when on it
	Total       int    // executions matching the filter
	From, To    int    // the rows shown, 1-based
	Live        bool
	Refused     string // why a filter was refused
	DoorMissing bool
}

type option struct {
	Value, Label string
	Selected     bool
}

type listRow struct {
	ARN, Name, Machine, MachineARN, Status string
	Start                                  time.Time
	Duration                               time.Duration
	Error                                  string
	RedriveCount                           int32
}

// machineSummary is a state machine as the list knows it.
type machineSummary struct{ ARN, Name string }

func (c *Console) list(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := requestContext(r)
	defer cancel()
	q := r.URL.Query()
	page := listPage{Status: q.Get("status"), Machine: q.Get("machine"), DoorMissing: c.cfg.Door == nil}
	if page.Status != "" && !slices.Contains(listStatuses, page.Status) {
		page.Refused, page.Status = "There is no status "+quote(page.Status)+": showing every status.", ""
	}
	machines, err := c.machines(ctx)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not list its state machines.", err)
		return
	}
	for _, s := range listStatuses {
		page.Statuses = append(page.Statuses, option{Value: s, Label: s, Selected: s == page.Status})
	}
	var listed []machineSummary
	for _, m := range machines {
		page.Machines = append(page.Machines, option{Value: m.ARN, Label: m.Name, Selected: m.ARN == page.Machine})
		if page.Machine == "" || m.ARN == page.Machine {
			listed = append(listed, m)
		}
	}
	if page.Machine != "" && len(listed) == 0 {
		page.Refused, page.Machine = "There is no state machine "+quote(page.Machine)+": showing every machine.", ""
		listed = machines
	}
	rows, err := c.executions(ctx, listed, page.Status)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not list the executions.", err)
		return
	}
	page.Total = len(rows)
	from, to := pageBounds(rows, q, c.cfg.PageSize)
	shown := rows[from:to]
	if err := c.describeErrors(ctx, shown); err != nil {
		c.fail(w, r, http.StatusBadGateway, "The Step Functions API did not describe the executions.", err)
		return
	}
	page.Rows, page.From, page.To = shown, from+1, to
	filter := url.Values{}
	if page.Status != "" {
		filter.Set("status", page.Status)
	}
	if page.Machine != "" {
		filter.Set("machine", page.Machine)
	}
	if to < len(rows) {
		page.Older = listURL(filter, "after", rows[to-1])
	}
	if from > 0 {
		page.Newer = listURL(filter, "before", rows[from])
		page.First = listURL(filter, "", listRow{})
	}
	for _, row := range shown {
		page.Live = page.Live || row.Status == string(sfntypes.ExecutionStatusRunning)
	}
	c.render(w, http.StatusOK, "list", page)
}

func quote(s string) string { return "“" + clip(s, 80) + "”" }

// machines lists every state machine on the server.
func (c *Console) machines(ctx context.Context) ([]machineSummary, error) {
	var out []machineSummary
	pages := sfn.NewListStateMachinesPaginator(c.cfg.StepFunctions, &sfn.ListStateMachinesInput{MaxResults: 1000})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.StateMachines {
			out = append(out, machineSummary{ARN: aws.ToString(m.StateMachineArn), Name: aws.ToString(m.Name)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// executions lists the executions of the machines, newest first.
func (c *Console) executions(ctx context.Context, machines []machineSummary, status string) ([]listRow, error) {
	now := c.cfg.Now()
	var rows []listRow
	for _, m := range machines {
		in := &sfn.ListExecutionsInput{StateMachineArn: aws.String(m.ARN), MaxResults: 1000}
		if status != "" {
			in.StatusFilter = sfntypes.ExecutionStatus(status)
		}
		pages := sfn.NewListExecutionsPaginator(c.cfg.StepFunctions, in)
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, x := range page.Executions {
				row := listRow{ARN: aws.ToString(x.ExecutionArn), Name: aws.ToString(x.Name), Machine: m.Name, MachineARN: m.ARN,
					Status: string(x.Status), Start: aws.ToTime(x.StartDate), RedriveCount: aws.ToInt32(x.RedriveCount)}
				end := now
				if x.StopDate != nil {
					end = *x.StopDate
				}
				row.Duration = max(end.Sub(row.Start), 0)
				rows = append(rows, row)
			}
		}
	}
	// Each machine's list is newest first already; a stable sort keeps that order among
	// executions started at the same instant (virtual time starts many at once).
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Start.After(rows[j].Start) })
	return rows, nil
}

// pageBounds finds the rows of the page the query asks for: the PageSize rows after
// the execution named by "after", or before the one named by "before". A cursor names
// an execution, not an offset, so that pages stay put while new executions arrive; an
// execution the server has forgotten since is placed by its start time.
func pageBounds(rows []listRow, q url.Values, size int) (from, to int) {
	locate := func(cursor string) (int, bool) {
		arn, start, ok := parseCursor(cursor)
		if !ok {
			return 0, false
		}
		for i, row := range rows {
			if row.ARN == arn {
				return i, true
			}
		}
		return sort.Search(len(rows), func(i int) bool { return !rows[i].Start.After(start) }), false
	}
	switch {
	case q.Get("after") != "":
		i, found := locate(q.Get("after"))
		if found {
			i++
		}
		return i, min(i+size, len(rows))
	case q.Get("before") != "":
		i, _ := locate(q.Get("before"))
		return max(i-size, 0), i
	}
	return 0, min(size, len(rows))
}

// A cursor is an execution's start time and ARN.
func cursorOf(row listRow) string {
	return row.Start.UTC().Format(time.RFC3339Nano) + " " + row.ARN
}

func parseCursor(cursor string) (string, time.Time, bool) {
	stamp, arn, ok := strings.Cut(cursor, " ")
	if !ok {
		return "", time.Time{}, false
	}
	start, err := time.Parse(time.RFC3339Nano, stamp)
	return arn, start, err == nil
}

func listURL(filter url.Values, direction string, row listRow) string {
	q := url.Values{}
	for k, v := range filter {
		q[k] = v
	}
	if direction != "" {
		q.Set(direction, cursorOf(row))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// describeErrors fills in the error of the rows that ended without succeeding:
// ListExecutions does not carry it. Loopback calls, a few at a time.
func (c *Console) describeErrors(ctx context.Context, rows []listRow) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, 8)
	)
	for i := range rows {
		switch sfntypes.ExecutionStatus(rows[i].Status) {
		case sfntypes.ExecutionStatusFailed, sfntypes.ExecutionStatusTimedOut, sfntypes.ExecutionStatusAborted:
		default:
			continue
		}
		wg.Add(1)
		slots <- struct{}{}
		go func(row *listRow) {
			defer func() { <-slots; wg.Done() }()
			out, err := c.cfg.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(row.ARN)})
			var missing *sfntypes.ExecutionDoesNotExist
			switch {
			case errors.As(err, &missing):
				row.Error = "(forgotten by the server since it was listed)"
			case err != nil:
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			default:
				row.Error = aws.ToString(out.Error)
			}
		}(&rows[i])
	}
	wg.Wait()
	return first
}
