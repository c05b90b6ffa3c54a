package api

import (
	"context"
	"sort"
	"time"
)

// Activities: named work queues that Task states schedule into and workers poll with
// GetActivityTask (see engine.GetActivityTask).

const resourceActivity = "activity"

type activity struct {
	arn, name string
	created   time.Time
}

func (s *Server) activityARN(name string) string {
	return s.arnPrefix() + resourceActivity + ":" + name
}

func (st *store) activity(arn string) (*activity, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	a, ok := st.activities[arn]
	return a, ok
}

type activityRequest struct {
	Name        string `json:"name"`
	ActivityArn string `json:"activityArn"`
	Tags        []tag  `json:"tags"`
	WorkerName  string `json:"workerName"`
	MaxResults  int    `json:"maxResults"`
	NextToken   string `json:"nextToken"`
}

type activityResponse struct {
	ActivityArn  string    `json:"activityArn"`
	Name         string    `json:"name,omitempty"`
	CreationDate timestamp `json:"creationDate"`
}

// createActivity is idempotent by name, as on AWS: the same name gives the same ARN.
func (s *Server) createActivity(_ context.Context, in *activityRequest) (any, *apiError) {
	if in.Name == "" {
		return nil, missingMember("name")
	}
	if err := checkName("name", in.Name); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	a := &activity{arn: s.activityARN(in.Name), name: in.Name, created: s.clock.Now()}
	s.store.mu.Lock()
	if s.store.activities == nil {
		s.store.activities = map[string]*activity{}
	}
	if existing, ok := s.store.activities[a.arn]; ok {
		a = existing
	} else {
		s.store.activities[a.arn] = a
	}
	s.store.mu.Unlock()
	if len(in.Tags) > 0 {
		if err := s.store.setTags(a.arn, in.Tags); err != nil {
			return nil, err
		}
	}
	return activityResponse{ActivityArn: a.arn, CreationDate: stamp(a.created)}, nil
}

func (s *Server) lookupActivity(arn string) (*activity, *apiError) {
	if err := checkARN("activityArn", arn, resourceActivity); err != nil {
		return nil, err
	}
	a, ok := s.store.activity(arn)
	if !ok {
		return nil, clientError(codeActivityDoesNotExist, "Activity Does Not Exist: '%s'", arn)
	}
	return a, nil
}

func (s *Server) describeActivity(_ context.Context, in *activityRequest) (any, *apiError) {
	a, err := s.lookupActivity(in.ActivityArn)
	if err != nil {
		return nil, err
	}
	return activityResponse{ActivityArn: a.arn, Name: a.name, CreationDate: stamp(a.created)}, nil
}

// deleteActivity forgets an activity; deleting one that does not exist succeeds.
func (s *Server) deleteActivity(_ context.Context, in *activityRequest) (any, *apiError) {
	if err := checkARN("activityArn", in.ActivityArn, resourceActivity); err != nil {
		return nil, err
	}
	s.store.mu.Lock()
	delete(s.store.activities, in.ActivityArn)
	s.store.mu.Unlock()
	s.store.forgetTags(in.ActivityArn)
	return struct{}{}, nil
}

const activityPageToken = "activities"

func (s *Server) listActivities(_ context.Context, in *activityRequest) (any, *apiError) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, _, err := decodeToken(activityPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	s.store.mu.RLock()
	var all []*activity
	for _, a := range s.store.activities {
		if a.name > after {
			all = append(all, a)
		}
	}
	s.store.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	items := []activityResponse{}
	var next string
	for i, a := range all {
		if i == limit {
			next = encodeToken(activityPageToken, all[i-1].name)
			break
		}
		items = append(items, activityResponse{ActivityArn: a.arn, Name: a.name, CreationDate: stamp(a.created)})
	}
	return struct {
		Activities []activityResponse `json:"activities"`
		NextToken  string             `json:"nextToken,omitempty"`
	}{items, next}, nil
}

// activityPoll is GetActivityTask's long poll: AWS answers with no task after 60 s.
const activityPoll = 60 * time.Second

func (s *Server) getActivityTask(ctx context.Context, in *activityRequest) (any, *apiError) {
	if _, err := s.lookupActivity(in.ActivityArn); err != nil {
		return nil, err
	}
	if len(in.WorkerName) > maxNameLength {
		return nil, validationError("workerName", in.WorkerName, "Member must have length less than or equal to 80")
	}
	poll, cancel := context.WithTimeout(ctx, s.activityPoll)
	defer cancel()
	type response struct {
		TaskToken *string `json:"taskToken"`
		Input     *string `json:"input"`
	}
	stop := context.AfterFunc(s.ctx, cancel) // the server closing ends the poll too
	defer stop()
	task, ok := s.engine.GetActivityTask(poll, in.ActivityArn, in.WorkerName)
	if !ok {
		return response{}, nil
	}
	return response{TaskToken: &task.Token, Input: &task.Input}, nil
}
