package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// A DISTRIBUTED Map runs as a map run (AWS runs its iterations as child executions):
// DescribeMapRun, ListMapRuns and UpdateMapRun see it through MapRun.

// MapRun is one run of a DISTRIBUTED Map state. Its methods are safe for concurrent use.
type MapRun struct {
	ARN          string
	ExecutionARN string
	StartDate    time.Time

	mu         sync.Mutex
	status     string // RUNNING, SUCCEEDED, FAILED, ABORTED
	stopDate   time.Time
	settings   MapRunSettings
	total      int64
	running    atomic.Int64
	succeeded  atomic.Int64
	failed     atomic.Int64
	aborted    atomic.Int64
	redrives   int
	redriveAt  time.Time
	lastUpdate time.Time
}

// MapRunSettings are what UpdateMapRun changes.
type MapRunSettings struct {
	MaxConcurrency             int64
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
}

// MapRunState is a map run as DescribeMapRun reports it.
type MapRunState struct {
	Status                                     string
	StopDate                                   time.Time
	Settings                                   MapRunSettings
	Total, Pending, Running, Succeeded, Failed int64
	Aborted                                    int64
	RedriveCount                               int
	RedriveDate                                time.Time
}

// State reports the map run now.
func (m *MapRun) State() MapRunState {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := MapRunState{Status: m.status, StopDate: m.stopDate, Settings: m.settings, Total: m.total,
		Running: m.running.Load(), Succeeded: m.succeeded.Load(), Failed: m.failed.Load(), Aborted: m.aborted.Load(),
		RedriveCount: m.redrives, RedriveDate: m.redriveAt}
	s.Pending = max(s.Total-s.Running-s.Succeeded-s.Failed-s.Aborted, 0)
	return s
}

// Update changes the run's settings, as UpdateMapRun does; a nil field stays.
func (m *MapRun) Update(maxConcurrency, toleratedCount *int64, toleratedPercent *float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if maxConcurrency != nil {
		m.settings.MaxConcurrency = *maxConcurrency
	}
	if toleratedCount != nil {
		m.settings.ToleratedFailureCount = *toleratedCount
	}
	if toleratedPercent != nil {
		m.settings.ToleratedFailurePercentage = *toleratedPercent
	}
}

func (m *MapRun) end(status string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status, m.stopDate = status, at
}

// MapRuns lists the execution's map runs, in start order.
func (x *Execution) MapRuns() []*MapRun {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]*MapRun(nil), x.mapRuns...)
}

// startMapRun records a map run of the state.
func (t *thread) startMapRun(r *stateRun, items int, settings MapRunSettings) *MapRun {
	x := t.x.Execution
	label := r.st.Label
	if label == "" {
		label = r.st.Name
	}
	arn := "arn:aws:states:" + t.x.engine.region + ":" + t.x.engine.account + ":mapRun:" + x.StateMachineName + "/" + label + ":" + t.x.engine.ids.UUID()
	run := &MapRun{ARN: arn, ExecutionARN: x.ARN, StartDate: t.x.engine.clock.Now(), status: "RUNNING", settings: settings, total: int64(items)}
	x.mu.Lock()
	x.mapRuns = append(x.mapRuns, run)
	x.mu.Unlock()
	return run
}
