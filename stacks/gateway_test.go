package stacks

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/statemachine"
)

// The Stripe stacks are built on first use, not in TestMain: only these tests pay.
var (
	stripeOnce            sync.Once
	devStripe, prodStripe *synthesized
	stripeErr             error
)

const (
	prodStripeSecretName  = "faresaga/prod/stripe-api-key"
	secretsManagerActions = "secretsmanager:"
)

// stripeKeyPattern matches a Stripe secret or restricted key.
var stripeKeyPattern = regexp.MustCompile(`[sr]k_(live|test)_[0-9A-Za-z]{8,}`)

var paymentFunctionNames = []string{"preauthorizepayment", "chargefare", "refundfare", "voidpreauthorization"}

func stripeStacks(t *testing.T) (*synthesized, *synthesized) {
	t.Helper()
	stripeOnce.Do(func() {
		if devStripe, stripeErr = synthesizeProps(&FareCollectionStackProps{Stage: Dev, AssetRoot: testAssets, Gateway: StripeGateway}); stripeErr != nil {
			return
		}
		prodStripe, stripeErr = synthesizeProps(&FareCollectionStackProps{Stage: Prod, AssetRoot: testAssets, Gateway: StripeGateway,
			StripeSecretName: prodStripeSecretName})
	})
	require.NoError(t, stripeErr)
	return devStripe, prodStripe
}

func TestStripePaymentFunctionsArePaymentFunctions(t *testing.T) {
	var names []string
	for _, fn := range paymentFunctions() {
		names = append(names, fn.Name)
	}
	assert.Equal(t, paymentFunctionNames, names)
}

// gateway=stripe changes the four payment functions (their variables and what they may
// read) and adds the secret, and nothing else: the template minus those differences is
// the simulated one.
func TestStripeGatewayChangesOnlyThePaymentFunctions(t *testing.T) {
	stripeDev, _ := stripeStacks(t)
	simulated := template(t, dev)
	stripe := template(t, stripeDev)

	resources := stripe["Resources"].(map[string]any)
	secrets := stripeDev.ofType("AWS::SecretsManager::Secret")
	require.Len(t, secrets, 1)
	for id := range secrets {
		delete(resources, id)
	}
	delete(stripe["Outputs"].(map[string]any), "StripeApiKeySecretArn")
	for _, name := range paymentFunctionNames {
		vars := resources[stripeDev.functions[name]].(map[string]any)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
		assert.Equal(t, "stripe", vars[lambdaenv.PaymentGatewayVar], name)
		vars[lambdaenv.PaymentGatewayVar] = "simulated"
		delete(vars, lambdaenv.StripeKeySecretVar)
	}
	for id := range stripeDev.ofType("AWS::IAM::Policy") {
		doc := resources[id].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		doc["Statement"] = slices.DeleteFunc(list(doc["Statement"]), func(st any) bool {
			return strings.HasPrefix(list(st.(map[string]any)["Action"])[0].(string), secretsManagerActions)
		})
	}
	assert.Equal(t, simulated, stripe)
}

func template(t *testing.T, s *synthesized) map[string]any {
	t.Helper()
	raw, err := json.Marshal(s.assert.ToJSON())
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// The secret is read by the four payment functions and by nothing else; the key itself
// is nowhere in the template.
func TestStripeKeySecretIsReadableByThePaymentFunctionsOnly(t *testing.T) {
	stripeDev, stripeProd := stripeStacks(t)
	tests := []struct {
		name       string
		s          *synthesized
		wantSecret any // the variable's value: the created secret's ARN, or the name given
		resource   func(t *testing.T, resources any)
	}{
		{"dev, a secret the stack creates", stripeDev, nil, func(t *testing.T, resources any) {
			secrets := stripeDev.ofType("AWS::SecretsManager::Secret")
			require.Len(t, secrets, 1)
			for id, secret := range secrets {
				assert.Equal(t, ref(id), resources)
				p := props(secret)
				assert.NotContains(t, p, "SecretString", "created empty")
				assert.NotContains(t, p, "GenerateSecretString", "created empty")
				assert.Equal(t, "Delete", secret["DeletionPolicy"], "a dev stack takes its secret with it")
			}
			assert.Empty(t, stripeDev.ofType("AWS::SecretsManager::ResourcePolicy"))
		}},
		{"prod, a secret referenced by name", stripeProd, prodStripeSecretName, func(t *testing.T, resources any) {
			assert.Empty(t, stripeProd.ofType("AWS::SecretsManager::Secret"), "nothing created")
			raw, err := json.Marshal(resources)
			require.NoError(t, err)
			assert.Contains(t, string(raw), ":secret:"+prodStripeSecretName+"-??????", "the name's versions, not every secret")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readers := map[string]bool{}
			for _, fn := range statemachine.Functions {
				p := tt.s.props(tt.s.functions[fn.Name])
				vars := p["Environment"].(map[string]any)["Variables"].(map[string]any)
				reads := false
				for _, st := range tt.s.roleStatements(t, p["Role"]) {
					if strings.HasPrefix(st.actions[0], secretsManagerActions) {
						reads = true
						assert.ElementsMatch(t, []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, st.actions)
						tt.resource(t, st.resources)
					}
				}
				readers[fn.Name] = reads
				if !slices.Contains(paymentFunctionNames, fn.Name) {
					assert.NotContains(t, vars, lambdaenv.StripeKeySecretVar, fn.Name)
					continue
				}
				assert.Equal(t, "stripe", vars[lambdaenv.PaymentGatewayVar], fn.Name)
				want := tt.wantSecret
				if want == nil {
					for id := range tt.s.ofType("AWS::SecretsManager::Secret") {
						want = ref(id)
					}
				}
				assert.Equal(t, want, vars[lambdaenv.StripeKeySecretVar], fn.Name)
				assert.Equal(t, map[Stage]string{Dev: "enabled", Prod: "disabled"}[tt.s.stack.Stage], vars[lambdaenv.FaultInjectionVar],
					"fault switches stay off in prod")
			}
			for _, fn := range statemachine.Functions {
				assert.Equal(t, slices.Contains(paymentFunctionNames, fn.Name), readers[fn.Name], "%s reads the secret", fn.Name)
			}
			raw, err := json.Marshal(template(t, tt.s))
			require.NoError(t, err)
			assert.Empty(t, stripeKeyPattern.FindString(string(raw)), "no Stripe key in the template")
		})
	}
}

func TestGatewayFromContext(t *testing.T) {
	tests := []struct {
		context    map[string]any
		wantGW     Gateway
		wantSecret string
		wantErr    string
	}{
		{nil, SimulatedGateway, "", ""},
		{map[string]any{"gateway": "simulated"}, SimulatedGateway, "", ""},
		{map[string]any{"gateway": "stripe"}, StripeGateway, "", ""},
		{map[string]any{"gateway": "stripe", "stripeSecretName": "prod/stripe"}, StripeGateway, "prod/stripe", ""},
		{map[string]any{"gateway": "stripe", "stripeSecretName": ""}, StripeGateway, "", ""}, // as make passes it
		{map[string]any{"gateway": "simulated", "stripeSecretName": ""}, SimulatedGateway, "", ""},
		{map[string]any{"gateway": "paypal"}, "", "", `unknown gateway "paypal"`},
		{map[string]any{"gateway": 1}, "", "", `"gateway" must be a string`},
		{map[string]any{"stripeSecretName": "prod/stripe"}, "", "", "applies to gateway=stripe only"},
	}
	for _, tt := range tests {
		ctx := map[string]any{}
		for k, v := range tt.context {
			ctx[k] = v
		}
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
		gw, secret, err := GatewayFromContext(app)
		if tt.wantErr != "" {
			require.Error(t, err, "%v", tt.context)
			assert.Contains(t, err.Error(), tt.wantErr)
			continue
		}
		require.NoError(t, err, "%v", tt.context)
		assert.Equal(t, tt.wantGW, gw, "%v", tt.context)
		assert.Equal(t, tt.wantSecret, secret)
	}
}
