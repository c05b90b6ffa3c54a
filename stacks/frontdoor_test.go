package stacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// The fare API: an HTTP API whose every route needs IAM authorisation and reaches the
// door's function; throttled, with an access log that records no body.
func TestFareAPI(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		t.Run(string(s.stack.Stage), func(t *testing.T) {
			assert.Equal(t, "HTTP", s.props(s.fareAPI)["ProtocolType"])
			var routes []string
			for id, r := range s.ofType("AWS::ApiGatewayV2::Route") {
				p := props(r)
				assert.Equal(t, "AWS_IAM", p["AuthorizationType"], id)
				integration := refs(p["Target"])
				require.Len(t, integration, 1, id)
				assert.Contains(t, refs(s.props(integration[0])["IntegrationUri"]), s.frontDoor, id)
				routes = append(routes, p["RouteKey"].(string))
			}
			var want []string
			for _, r := range FrontDoorRoutes {
				want = append(want, r.Method+" "+r.Path)
			}
			assert.ElementsMatch(t, want, routes)

			stages := s.ofType("AWS::ApiGatewayV2::Stage")
			require.Len(t, stages, 1)
			for _, stage := range stages {
				p := props(stage)
				throttle := p["DefaultRouteSettings"].(map[string]any)
				assert.EqualValues(t, FrontDoorRateLimit, throttle["ThrottlingRateLimit"])
				assert.EqualValues(t, FrontDoorBurstLimit, throttle["ThrottlingBurstLimit"])
				logs := p["AccessLogSettings"].(map[string]any)
				assert.NotEmpty(t, refs(logs["DestinationArn"]))
				assert.NotContains(t, logs["Format"], "body", "the access log never records a request body")
			}
		})
	}
}

// The door's role starts executions of this machine, reads its executions and the Fares
// table, and uses the key for this machine only; nothing else.
func TestFrontDoorRole(t *testing.T) {
	p := dev.props(dev.frontDoor)
	assert.Equal(t, "provided.al2023", p["Runtime"])
	assert.Equal(t, []any{"arm64"}, p["Architectures"])
	env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
	assert.Equal(t, ref(dev.stateMachine), env[lambdaenv.StateMachineARNVar])
	assert.Equal(t, ref(dev.tables[tables.Fares.Name]), env[tables.Fares.EnvVar])

	got := map[string][]string{}
	for _, st := range dev.roleStatements(t, p["Role"]) {
		for _, action := range st.actions {
			service, _, _ := strings.Cut(action, ":")
			switch service {
			case "xray", "logs": // TestEveryFunctionWritesOnlyItsOwnLogs
				continue
			case "states":
				assert.NotEqual(t, "*", st.resources, action)
			}
			got[action] = append(got[action], refs(st.resources)...)
		}
	}
	assert.Equal(t, map[string][]string{
		"states:StartExecution":    {dev.stateMachine},
		"states:DescribeExecution": nil, // an ARN pattern of this machine's executions, no reference
		"states:RedriveExecution":  nil, // a resume, on the same pattern
		"kms:GenerateDataKey":      {dev.dataKey},
		"kms:Decrypt":              {dev.dataKey},
		"dynamodb:GetItem":         {dev.tables[tables.Fares.Name]},
		"dynamodb:UpdateItem":      {dev.tables[tables.Fares.Name]},
	}, got)
}

// Only the door's role may start executions: the machine's history keeps every input,
// so every start must go through the door's check for card data.
func TestOnlyTheFrontDoorStartsExecutions(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		doorRole := refs(s.props(s.frontDoor)["Role"])
		var starters []string
		for id, r := range s.resources {
			if r["Type"] != "AWS::IAM::Policy" && r["Type"] != "AWS::IAM::ManagedPolicy" {
				continue
			}
			for _, st := range list(props(r)["PolicyDocument"].(map[string]any)["Statement"]) {
				for _, a := range list(st.(map[string]any)["Action"]) {
					action := a.(string)
					if action == "states:StartExecution" || action == "states:*" || action == "*" ||
						action == "states:StartSyncExecution" || action == "states:RedriveExecution" {
						starters = append(starters, refs(props(r)["Roles"])...)
						assert.Equal(t, "AWS::IAM::Policy", r["Type"], "%s: %s", id, action)
					}
				}
			}
		}
		assert.Equal(t, doorRole, slices.Compact(sorted(starters)), s.stack.Stage)
	}
}

// The door is not one of the saga's functions: the state machine may not invoke it.
func TestTheMachineCannotInvokeTheDoor(t *testing.T) {
	invoked := 0
	for _, st := range dev.roleStatements(t, dev.props(dev.stateMachine)["RoleArn"]) {
		if slices.Contains(st.actions, "lambda:InvokeFunction") {
			invoked += len(refs(st.resources))
			assert.NotContains(t, refs(st.resources), dev.frontDoor)
		}
	}
	assert.Equal(t, len(statemachine.Functions), invoked)
}
