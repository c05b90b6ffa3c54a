package api

import (
	"context"
	"reflect"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// State machine types. Both run the same way here; the type decides the execution ARN
// shape, whether execution names are idempotent, and which Start operation applies.
const (
	typeStandard = "STANDARD"
	typeExpress  = "EXPRESS"
)

// stateMachine is a created state machine. It is immutable: an update stores a copy,
// so an execution keeps the compiled machine it started with, as on AWS.
type stateMachine struct {
	arn, name, machineType, roleARN, definition string
	compiled                                    *engine.Machine
	logging                                     loggingConfiguration
	tracing                                     tracingConfiguration
	created                                     time.Time
	revisionID                                  string
	// lastUpdate is when the update that made this value happened (zero: never updated).
	lastUpdate time.Time
}

// updated is when the machine last changed: its creation, or its latest update.
func (m *stateMachine) updated() time.Time {
	if m.lastUpdate.IsZero() {
		return m.created
	}
	return m.lastUpdate
}

func (m *stateMachine) isExpress() bool { return m.machineType == typeExpress }

type loggingConfiguration struct {
	Level                string           `json:"level,omitempty"`
	IncludeExecutionData bool             `json:"includeExecutionData"`
	Destinations         []logDestination `json:"destinations,omitempty"`
}

type logDestination struct {
	CloudWatchLogsLogGroup *struct {
		LogGroupArn string `json:"logGroupArn,omitempty"`
	} `json:"cloudWatchLogsLogGroup,omitempty"`
}

type tracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

// defaultLogging is what AWS describes for a machine created without logging.
func loggingOrDefault(c *loggingConfiguration) loggingConfiguration {
	if c == nil {
		return loggingConfiguration{Level: "OFF"}
	}
	if c.Level == "" {
		c.Level = "OFF"
	}
	return *c
}

func tracingOrDefault(c *tracingConfiguration) tracingConfiguration {
	if c == nil {
		return tracingConfiguration{}
	}
	return *c
}

func checkRoleARN(roleARN string) *apiError {
	if len(roleARN) > 256 {
		return validationError("roleArn", roleARN, "Member must have length less than or equal to 256")
	}
	if len(roleARN) < 4 || roleARN[:4] != "arn:" {
		return invalidArn("Invalid ARN prefix: " + roleARN)
	}
	return nil
}

func checkLoggingLevel(c *loggingConfiguration) *apiError {
	if c == nil {
		return nil
	}
	switch c.Level {
	case "", "ALL", "ERROR", "FATAL", "OFF":
		return nil
	}
	return validationError("loggingConfiguration.level", c.Level, "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")
}

type createStateMachineRequest struct {
	Tags                 []tag                 `json:"tags"`
	Publish              bool                  `json:"publish"`
	VersionDescription   *string               `json:"versionDescription"`
	Name                 string                `json:"name"`
	Definition           string                `json:"definition"`
	RoleArn              string                `json:"roleArn"`
	Type                 string                `json:"type"`
	LoggingConfiguration *loggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration *tracingConfiguration `json:"tracingConfiguration"`
}

type createStateMachineResponse struct {
	StateMachineArn        string    `json:"stateMachineArn"`
	CreationDate           timestamp `json:"creationDate"`
	StateMachineVersionArn string    `json:"stateMachineVersionArn,omitempty"`
}

func (s *Server) createStateMachine(_ context.Context, in *createStateMachineRequest) (any, *apiError) {
	if in.Name == "" {
		return nil, missingMember("name")
	}
	if err := checkName("name", in.Name); err != nil {
		return nil, err
	}
	if in.RoleArn == "" {
		return nil, missingMember("roleArn")
	}
	if err := checkRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	machineType, err := checkMachineType(in.Type)
	if err != nil {
		return nil, err
	}
	if err := checkLoggingLevel(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	if in.VersionDescription != nil && !in.Publish {
		return nil, clientError(codeValidation, "Version description can only be set when publish is true")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, clientError(codeTooManyTags, "Too many tags: the resource can have at most %d tags", maxTags)
	}
	compiled, err := compileDefinition(in.Definition)
	if err != nil {
		return nil, err
	}
	m := &stateMachine{
		arn: s.stateMachineARN(in.Name), name: in.Name, machineType: machineType, roleARN: in.RoleArn,
		definition: in.Definition, compiled: compiled, created: s.clock.Now(),
		logging: loggingOrDefault(in.LoggingConfiguration), tracing: tracingOrDefault(in.TracingConfiguration),
	}
	m.revisionID = newUUID()
	if existing := s.store.createMachine(m); existing != nil {
		// AWS's idempotency: the same definition, type and configurations give back the
		// existing machine (a different role or tags are ignored); anything else is a
		// different machine with a taken name.
		if !sameMachine(existing, m) {
			return nil, clientError(codeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", m.arn)
		}
		m = existing
	}
	if len(in.Tags) > 0 {
		if err := s.store.setTags(m.arn, in.Tags); err != nil {
			return nil, err
		}
	}
	out := createStateMachineResponse{StateMachineArn: m.arn, CreationDate: stamp(m.created)}
	if in.Publish {
		out.StateMachineVersionArn = s.store.publish(m, deref(in.VersionDescription), m.created).versionARN
	}
	return out, nil
}

func sameMachine(a, b *stateMachine) bool {
	return a.definition == b.definition && a.machineType == b.machineType &&
		reflect.DeepEqual(a.logging, b.logging) && a.tracing == b.tracing
}

func checkMachineType(machineType string) (string, *apiError) {
	switch machineType {
	case "":
		return typeStandard, nil
	case typeStandard, typeExpress:
		return machineType, nil
	}
	return "", validationError("type", machineType, "Member must satisfy enum value set: [STANDARD, EXPRESS]")
}

type stateMachineRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
}

// lookupMachine finds the machine an operation names, with AWS's errors for an ARN that
// is malformed or names nothing.
func (s *Server) lookupMachine(arn string) (*stateMachine, *apiError) {
	if err := checkARN("stateMachineArn", arn, resourceStateMachine); err != nil {
		return nil, err
	}
	m, ok := s.store.machine(arn)
	if !ok {
		return nil, stateMachineDoesNotExist(arn)
	}
	return m, nil
}

type describeStateMachineResponse struct {
	StateMachineArn      string               `json:"stateMachineArn"`
	Name                 string               `json:"name"`
	Status               string               `json:"status"`
	Definition           string               `json:"definition"`
	RoleArn              string               `json:"roleArn"`
	Type                 string               `json:"type"`
	CreationDate         timestamp            `json:"creationDate"`
	LoggingConfiguration loggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration tracingConfiguration `json:"tracingConfiguration"`
	RevisionID           string               `json:"revisionId,omitempty"`
	Description          string               `json:"description,omitempty"`
}

// describeStateMachine describes a machine, or one of its versions given the version's
// ARN (what the version froze, with its description).
func (s *Server) describeStateMachine(_ context.Context, in *stateMachineRequest) (any, *apiError) {
	if base, q, ok := qualifiedARN(in.StateMachineArn); ok && isVersionNumber(q) {
		if _, err := s.lookupMachine(base); err != nil {
			return nil, err
		}
		v, found := s.store.version(in.StateMachineArn)
		if !found {
			return nil, stateMachineDoesNotExist(in.StateMachineArn)
		}
		out := describeMachine(v.stateMachine)
		out.StateMachineArn, out.Description, out.CreationDate = v.versionARN, v.description, stamp(v.published)
		return out, nil
	}
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return describeMachine(m), nil
}

func describeMachine(m *stateMachine) describeStateMachineResponse {
	return describeStateMachineResponse{
		StateMachineArn: m.arn, Name: m.name, Status: "ACTIVE", Definition: m.definition, RoleArn: m.roleARN,
		Type: m.machineType, CreationDate: stamp(m.created), LoggingConfiguration: m.logging,
		TracingConfiguration: m.tracing, RevisionID: m.revisionID,
	}
}

// describeStateMachineForExecution describes the machine (or version) as the execution
// runs it: an update since does not show.
func (s *Server) describeStateMachineForExecution(_ context.Context, in *executionRequest) (any, *apiError) {
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	m := x.machine
	out := struct {
		StateMachineArn      string               `json:"stateMachineArn"`
		Name                 string               `json:"name"`
		Definition           string               `json:"definition"`
		RoleArn              string               `json:"roleArn"`
		UpdateDate           timestamp            `json:"updateDate"`
		LoggingConfiguration loggingConfiguration `json:"loggingConfiguration"`
		TracingConfiguration tracingConfiguration `json:"tracingConfiguration"`
		RevisionID           string               `json:"revisionId,omitempty"`
		Label                string               `json:"label,omitempty"`
	}{m.arn, m.name, m.definition, m.roleARN, stamp(m.updated()), m.logging, m.tracing, m.revisionID, ""}
	return out, nil
}

type updateStateMachineRequest struct {
	Publish              bool                  `json:"publish"`
	VersionDescription   *string               `json:"versionDescription"`
	StateMachineArn      string                `json:"stateMachineArn"`
	Definition           *string               `json:"definition"`
	RoleArn              *string               `json:"roleArn"`
	LoggingConfiguration *loggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration *tracingConfiguration `json:"tracingConfiguration"`
}

type updateStateMachineResponse struct {
	UpdateDate             timestamp `json:"updateDate"`
	RevisionID             string    `json:"revisionId"`
	StateMachineVersionArn string    `json:"stateMachineVersionArn,omitempty"`
}

// updateStateMachine changes what new executions run; running ones finish with the
// definition they started with.
func (s *Server) updateStateMachine(_ context.Context, in *updateStateMachineRequest) (any, *apiError) {
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if in.Definition == nil && in.RoleArn == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, clientError(codeMissingRequiredParameter,
			"Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	updated := *m
	if in.Definition != nil {
		if updated.compiled, err = compileDefinition(*in.Definition); err != nil {
			return nil, err
		}
		updated.definition = *in.Definition
	}
	if in.RoleArn != nil {
		if err := checkRoleARN(*in.RoleArn); err != nil {
			return nil, err
		}
		updated.roleARN = *in.RoleArn
	}
	if in.LoggingConfiguration != nil {
		if err := checkLoggingLevel(in.LoggingConfiguration); err != nil {
			return nil, err
		}
		updated.logging = loggingOrDefault(in.LoggingConfiguration)
	}
	if in.TracingConfiguration != nil {
		updated.tracing = *in.TracingConfiguration
	}
	updated.revisionID = newUUID()
	updated.lastUpdate = s.clock.Now()
	if !s.store.replaceMachine(&updated) {
		return nil, stateMachineDoesNotExist(updated.arn)
	}
	out := updateStateMachineResponse{UpdateDate: stamp(s.clock.Now()), RevisionID: updated.revisionID}
	if in.Publish {
		out.StateMachineVersionArn = s.store.publish(&updated, deref(in.VersionDescription), s.clock.Now()).versionARN
	}
	return out, nil
}

type listStateMachinesRequest struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineArn string    `json:"stateMachineArn"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	CreationDate    timestamp `json:"creationDate"`
}

type listStateMachinesResponse struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

const machinePageToken = "machines"

func (s *Server) listStateMachines(_ context.Context, in *listStateMachinesRequest) (any, *apiError) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, _, err := decodeToken(machinePageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	page, more := s.store.machinesAfter(after, limit)
	out := listStateMachinesResponse{StateMachines: make([]stateMachineListItem, len(page))}
	for i, m := range page {
		out.StateMachines[i] = stateMachineListItem{StateMachineArn: m.arn, Name: m.name, Type: m.machineType, CreationDate: stamp(m.created)}
	}
	if more {
		out.NextToken = encodeToken(machinePageToken, page[len(page)-1].name)
	}
	return out, nil
}

// deleteStateMachine forgets the machine and, as AWS does, ends its running executions
// (they are aborted). Deleting a machine that does not exist succeeds, as on AWS.
func (s *Server) deleteStateMachine(_ context.Context, in *stateMachineRequest) (any, *apiError) {
	if err := checkARN("stateMachineArn", in.StateMachineArn, resourceStateMachine); err != nil {
		return nil, err
	}
	for _, x := range s.store.deleteMachine(in.StateMachineArn) {
		x.Stop("States.Aborted", "The state machine was deleted")
	}
	s.store.forgetVersions(in.StateMachineArn)
	s.store.forgetTags(in.StateMachineArn)
	return struct{}{}, nil
}
