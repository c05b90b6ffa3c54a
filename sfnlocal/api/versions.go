package api

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Versions and aliases, as AWS has them: a version is an immutable snapshot of a
// machine's definition and role (ARN <machine ARN>:<n>, n counting from 1 per
// machine); an alias (ARN <machine ARN>:<alias>) routes executions to one version, or
// splits them between two by weight. StartExecution accepts either ARN.

// machineVersion is a published version.
type machineVersion struct {
	*stateMachine // the definition, role and configuration it froze
	number        int
	versionARN    string
	description   string
	published     time.Time
}

// alias routes to versions.
type alias struct {
	arn, name, description, machineARN string
	routing                            []routingItem
	created, updated                   time.Time
}

type routingItem struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	Weight                 int    `json:"weight"`
}

// versions holds every machine's versions and aliases; guarded by the store's mutex.
type versions struct {
	byMachine map[string][]*machineVersion // oldest first
	byARN     map[string]*machineVersion
	counter   map[string]int // the last number given, per machine: numbers are not reused
	aliases   map[string]*alias
}

func (v *versions) init() {
	if v.byMachine == nil {
		v.byMachine, v.byARN, v.counter, v.aliases = map[string][]*machineVersion{}, map[string]*machineVersion{}, map[string]int{}, map[string]*alias{}
	}
}

// publish makes a version of m unless its latest version already has m's revision,
// which it returns instead, as AWS does.
func (st *store) publish(m *stateMachine, description string, at time.Time) *machineVersion {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.versions.init()
	list := st.versions.byMachine[m.arn]
	if n := len(list); n > 0 && list[n-1].revisionID == m.revisionID && list[n-1].definition == m.definition && list[n-1].roleARN == m.roleARN {
		return list[n-1]
	}
	st.versions.counter[m.arn]++
	n := st.versions.counter[m.arn]
	version := &machineVersion{stateMachine: m, number: n, versionARN: m.arn + ":" + strconv.Itoa(n), description: description, published: at}
	st.versions.byMachine[m.arn] = append(list, version)
	st.versions.byARN[version.versionARN] = version
	return version
}

func (st *store) version(arn string) (*machineVersion, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	v, ok := st.versions.byARN[arn]
	return v, ok
}

func (st *store) alias(arn string) (*alias, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	a, ok := st.versions.aliases[arn]
	return a, ok
}

// forgetVersions drops a deleted machine's versions and aliases.
func (st *store) forgetVersions(machineARN string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.versions.init()
	for _, v := range st.versions.byMachine[machineARN] {
		delete(st.versions.byARN, v.versionARN)
	}
	delete(st.versions.byMachine, machineARN)
	for arn, a := range st.versions.aliases {
		if a.machineARN == machineARN {
			delete(st.versions.aliases, arn)
		}
	}
}

// qualifiedARN splits a machine ARN with a version or alias qualifier:
// "arn:...:stateMachine:m:3" is version 3, "arn:...:stateMachine:m:prod" alias prod.
func qualifiedARN(arn string) (machineARN, qualifier string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 || parts[5] != resourceStateMachine || parts[7] == "" {
		return arn, "", false
	}
	return strings.Join(parts[:7], ":"), parts[7], true
}

func isVersionNumber(q string) bool {
	n, err := strconv.Atoi(q)
	return err == nil && n > 0 && strconv.Itoa(n) == q
}

// startTarget is what a StartExecution ARN names: a machine, a version of it, or an
// alias routing to versions; target is the machine as it runs.
type startTarget struct {
	target                 *stateMachine
	versionARN, aliasARN   string
	machineARN, qualifiers string
}

// resolveStart finds what a StartExecution ARN names; an alias picks one of its
// versions by weight.
func (s *Server) resolveStart(arn string) (startTarget, *apiError) {
	machineARN, qualifier, qualified := qualifiedARN(arn)
	if !qualified {
		m, err := s.lookupMachine(arn)
		if err != nil {
			return startTarget{}, err
		}
		return startTarget{target: m}, nil
	}
	if _, err := s.lookupMachine(machineARN); err != nil {
		return startTarget{}, err
	}
	if isVersionNumber(qualifier) {
		v, ok := s.store.version(arn)
		if !ok {
			return startTarget{}, clientError(codeResourceNotFound, "Resource not found: '%s'", arn)
		}
		return startTarget{target: v.stateMachine, versionARN: v.versionARN}, nil
	}
	a, ok := s.store.alias(arn)
	if !ok {
		return startTarget{}, clientError(codeResourceNotFound, "Resource not found: '%s'", arn)
	}
	versionARN := a.route()
	v, ok := s.store.version(versionARN)
	if !ok {
		return startTarget{}, clientError(codeResourceNotFound, "Resource not found: '%s'", versionARN)
	}
	return startTarget{target: v.stateMachine, versionARN: v.versionARN, aliasARN: a.arn}, nil
}

// route picks a version: by weight between two, as AWS splits an alias's traffic.
func (a *alias) route() string {
	if len(a.routing) == 1 {
		return a.routing[0].StateMachineVersionArn
	}
	if rand.IntN(100) < a.routing[0].Weight {
		return a.routing[0].StateMachineVersionArn
	}
	return a.routing[1].StateMachineVersionArn
}

type publishRequest struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Description     *string `json:"description"`
	RevisionID      *string `json:"revisionId"`
}

type publishResponse struct {
	StateMachineVersionArn string    `json:"stateMachineVersionArn"`
	CreationDate           timestamp `json:"creationDate"`
}

const maxVersionDescription = 256

func checkDescription(member string, description *string) *apiError {
	if description != nil && len(*description) > maxVersionDescription {
		return validationError(member, *description, fmt.Sprintf("Member must have length less than or equal to %d", maxVersionDescription))
	}
	return nil
}

func (s *Server) publishStateMachineVersion(_ context.Context, in *publishRequest) (any, *apiError) {
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	if in.RevisionID != nil && *in.RevisionID != m.currentRevision() {
		return nil, clientError(codeConflict, "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.",
			*in.RevisionID, m.currentRevision())
	}
	v := s.store.publish(m, deref(in.Description), s.clock.Now())
	return publishResponse{StateMachineVersionArn: v.versionARN, CreationDate: stamp(v.published)}, nil
}

// currentRevision is the revision id DescribeStateMachine reports; a machine never
// updated has the creation's.
func (m *stateMachine) currentRevision() string { return m.revisionID }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type listVersionsRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type versionListItem struct {
	StateMachineVersionArn string    `json:"stateMachineVersionArn"`
	CreationDate           timestamp `json:"creationDate"`
}

const versionPageToken = "versions"

// listStateMachineVersions lists a machine's versions, newest first.
func (s *Server) listStateMachineVersions(_ context.Context, in *listVersionsRequest) (any, *apiError) {
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	before, err := decodeNumberToken(versionPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	s.store.mu.RLock()
	list := slices.Clone(s.store.versions.byMachine[m.arn])
	s.store.mu.RUnlock()
	items := []versionListItem{}
	var next string
	last := 0 // the number of the last version listed
	for i := len(list) - 1; i >= 0; i-- {
		v := list[i]
		if before != 0 && uint64(v.number) >= before {
			continue
		}
		if len(items) == limit {
			next = encodeNumberToken(versionPageToken, uint64(last))
			break
		}
		items = append(items, versionListItem{StateMachineVersionArn: v.versionARN, CreationDate: stamp(v.published)})
		last = v.number
	}
	return struct {
		StateMachineVersions []versionListItem `json:"stateMachineVersions"`
		NextToken            string            `json:"nextToken,omitempty"`
	}{items, next}, nil
}

type versionRequest struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
}

// deleteStateMachineVersion forgets a version, unless an alias routes to it. Deleting
// a version that does not exist succeeds, as on AWS.
func (s *Server) deleteStateMachineVersion(_ context.Context, in *versionRequest) (any, *apiError) {
	if err := checkARN("stateMachineVersionArn", in.StateMachineVersionArn, resourceStateMachine); err != nil {
		return nil, err
	}
	if _, q, ok := qualifiedARN(in.StateMachineVersionArn); !ok || !isVersionNumber(q) {
		return nil, invalidArn("Invalid ARN prefix: " + in.StateMachineVersionArn)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.versions.init()
	v, ok := s.store.versions.byARN[in.StateMachineVersionArn]
	if !ok {
		return struct{}{}, nil
	}
	var referencing []string
	for _, a := range s.store.versions.aliases {
		for _, r := range a.routing {
			if r.StateMachineVersionArn == v.versionARN {
				referencing = append(referencing, a.name)
			}
		}
	}
	if len(referencing) > 0 {
		slices.Sort(referencing)
		return nil, clientError(codeConflict, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]",
			strings.Join(referencing, ", "))
	}
	delete(s.store.versions.byARN, v.versionARN)
	s.store.versions.byMachine[v.arn] = slices.DeleteFunc(s.store.versions.byMachine[v.arn], func(x *machineVersion) bool { return x == v })
	return struct{}{}, nil
}

type aliasRequest struct {
	StateMachineAliasArn string        `json:"stateMachineAliasArn"`
	Name                 string        `json:"name"`
	Description          *string       `json:"description"`
	RoutingConfiguration []routingItem `json:"routingConfiguration"`
}

var aliasName = regexp.MustCompile(`^[a-zA-Z0-9_.-]*[a-zA-Z_.-][a-zA-Z0-9_.-]*$`)

// checkRouting applies AWS's rules to a routing configuration: one or two distinct
// versions of one machine, weights 0-100 that add up to 100.
func (s *Server) checkRouting(routing []routingItem) (machineARN string, err *apiError) {
	if len(routing) < 1 || len(routing) > 2 {
		return "", validationError("routingConfiguration", "...", "Member must have length less than or equal to 2")
	}
	total := 0
	for _, r := range routing {
		if r.Weight < 0 || r.Weight > 100 {
			return "", validationError("routingConfiguration.member.weight", r.Weight, "Member must have value between 0 and 100")
		}
		total += r.Weight
		base, q, ok := qualifiedARN(r.StateMachineVersionArn)
		if !ok || !isVersionNumber(q) {
			return "", invalidArn("Invalid ARN prefix: " + r.StateMachineVersionArn)
		}
		if machineARN != "" && base != machineARN {
			return "", clientError(codeValidation, "Routing configuration must contain state machine version ARNs of the same state machine")
		}
		machineARN = base
		if _, ok := s.store.version(r.StateMachineVersionArn); !ok {
			return "", clientError(codeResourceNotFound, "Resource not found: '%s'", r.StateMachineVersionArn)
		}
	}
	if len(routing) == 2 && routing[0].StateMachineVersionArn == routing[1].StateMachineVersionArn {
		return "", clientError(codeValidation, "Routing configuration must contain distinct state machine version ARNs")
	}
	if total != 100 {
		return "", clientError(codeValidation, "Sum of routing configuration weights must equal 100")
	}
	return machineARN, nil
}

func (s *Server) createStateMachineAlias(_ context.Context, in *aliasRequest) (any, *apiError) {
	if in.Name == "" {
		return nil, missingMember("name")
	}
	if len(in.Name) > 80 || !aliasName.MatchString(in.Name) {
		return nil, clientError(codeValidation, "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", in.Name)
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	machineARN, err := s.checkRouting(in.RoutingConfiguration)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &alias{arn: machineARN + ":" + in.Name, name: in.Name, description: deref(in.Description), machineARN: machineARN,
		routing: slices.Clone(in.RoutingConfiguration), created: now, updated: now}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.versions.init()
	if existing, ok := s.store.versions.aliases[a.arn]; ok {
		if existing.description != a.description || !slices.Equal(existing.routing, a.routing) {
			return nil, clientError(codeConflict, "Failed to create alias because an alias with the same name and a different routing configuration already exists.")
		}
		a = existing
	} else {
		s.store.versions.aliases[a.arn] = a
	}
	return struct {
		StateMachineAliasArn string    `json:"stateMachineAliasArn"`
		CreationDate         timestamp `json:"creationDate"`
	}{a.arn, stamp(a.created)}, nil
}

func (s *Server) lookupAlias(arn string) (*alias, *apiError) {
	if err := checkARN("stateMachineAliasArn", arn, resourceStateMachine); err != nil {
		return nil, err
	}
	if _, q, ok := qualifiedARN(arn); !ok || isVersionNumber(q) {
		return nil, invalidArn("Invalid ARN prefix: " + arn)
	}
	a, ok := s.store.alias(arn)
	if !ok {
		return nil, clientError(codeResourceNotFound, "Request references a resource that does not exist.")
	}
	return a, nil
}

func (s *Server) describeStateMachineAlias(_ context.Context, in *aliasRequest) (any, *apiError) {
	a, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return struct {
		StateMachineAliasArn string        `json:"stateMachineAliasArn"`
		Name                 string        `json:"name"`
		Description          string        `json:"description,omitempty"`
		RoutingConfiguration []routingItem `json:"routingConfiguration"`
		CreationDate         timestamp     `json:"creationDate"`
		UpdateDate           timestamp     `json:"updateDate"`
	}{a.arn, a.name, a.description, a.routing, stamp(a.created), stamp(a.updated)}, nil
}

func (s *Server) updateStateMachineAlias(_ context.Context, in *aliasRequest) (any, *apiError) {
	a, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, clientError(codeMissingRequiredParameter, "Either the description or the RoutingConfiguration must be specified")
	}
	if err := checkDescription("description", in.Description); err != nil {
		return nil, err
	}
	if in.RoutingConfiguration != nil {
		machineARN, err := s.checkRouting(in.RoutingConfiguration)
		if err != nil {
			return nil, err
		}
		if machineARN != a.machineARN {
			return nil, clientError(codeValidation, "Routing configuration must contain state machine version ARNs of the same state machine")
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if in.Description != nil {
		a.description = *in.Description
	}
	if in.RoutingConfiguration != nil {
		a.routing = slices.Clone(in.RoutingConfiguration)
	}
	a.updated = s.clock.Now()
	return struct {
		UpdateDate timestamp `json:"updateDate"`
	}{stamp(a.updated)}, nil
}

func (s *Server) deleteStateMachineAlias(_ context.Context, in *aliasRequest) (any, *apiError) {
	a, err := s.lookupAlias(in.StateMachineAliasArn)
	if err != nil {
		if err.Code == codeResourceNotFound {
			return struct{}{}, nil // deleting what does not exist succeeds, as on AWS
		}
		return nil, err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	delete(s.store.versions.aliases, a.arn)
	return struct{}{}, nil
}

type listAliasesRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

const aliasPageToken = "aliases"

// listStateMachineAliases lists a machine's aliases (the machine's ARN, or one of its
// versions', whose aliases route to it) in name order.
func (s *Server) listStateMachineAliases(_ context.Context, in *listAliasesRequest) (any, *apiError) {
	machineARN, qualifier, qualified := qualifiedARN(in.StateMachineArn)
	if _, err := s.lookupMachine(machineARN); err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, _, err := decodeToken(aliasPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	s.store.mu.RLock()
	var list []*alias
	for _, a := range s.store.versions.aliases {
		if a.machineARN != machineARN || a.name <= after {
			continue
		}
		if qualified && !slices.ContainsFunc(a.routing, func(r routingItem) bool { return r.StateMachineVersionArn == machineARN+":"+qualifier }) {
			continue
		}
		list = append(list, a)
	}
	s.store.mu.RUnlock()
	slices.SortFunc(list, func(a, b *alias) int { return strings.Compare(a.name, b.name) })
	type item struct {
		StateMachineAliasArn string    `json:"stateMachineAliasArn"`
		CreationDate         timestamp `json:"creationDate"`
	}
	items := []item{}
	var next string
	for i, a := range list {
		if i == limit {
			next = encodeToken(aliasPageToken, list[i-1].name)
			break
		}
		items = append(items, item{a.arn, stamp(a.created)})
	}
	return struct {
		StateMachineAliases []item `json:"stateMachineAliases"`
		NextToken           string `json:"nextToken,omitempty"`
	}{items, next}, nil
}
