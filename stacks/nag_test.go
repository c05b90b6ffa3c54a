package stacks

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addNagPacks applies cdk-nag's AwsSolutions and Serverless packs to every stack of
// app. LogIgnores reports each suppressed finding, so a suppression that no longer
// matches anything shows.
func addNagPacks(app awscdk.App) {
	props := &cdknag.NagPackProps{Reports: jsii.Bool(false), LogIgnores: jsii.Bool(true)}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(props), nil)
}

// nagResults are what the packs reported on one stack.
type nagResults struct {
	findings   []string            // "<construct path>: <rule>: <message>", not suppressed
	suppressed map[string][]string // construct path -> "CdkNagSuppression...: <rule> was triggered but suppressed."
	paths      map[string]string   // logical id -> construct path
}

// readNag collects the packs' annotations (errors and warnings are findings) and the
// construct path of every resource, to read the template's suppressions against.
func readNag(stack *FareCollectionStack) nagResults {
	r := nagResults{suppressed: map[string][]string{}, paths: map[string]string{}}
	annotations := assertions.Annotations_FromStack(stack.Stack)
	anything := assertions.Match_AnyValue()
	for _, found := range [][]*cxapi.SynthesisMessage{
		*annotations.FindError(jsii.String("*"), anything),
		*annotations.FindWarning(jsii.String("*"), anything),
	} {
		for _, m := range found {
			r.findings = append(r.findings, *m.Id+": "+fmt.Sprint(m.Entry.Data))
		}
	}
	for _, m := range *annotations.FindInfo(jsii.String("*"), anything) {
		if data := fmt.Sprint(m.Entry.Data); strings.HasPrefix(data, "CdkNagSuppression") {
			r.suppressed[*m.Id] = append(r.suppressed[*m.Id], data)
		}
	}
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *awscdk.CfnResource_IsCfnResource(c) {
			id := fmt.Sprint(stack.Resolve(stack.GetLogicalId(c.(awscdk.CfnElement))))
			r.paths[id] = "/" + *c.Node().Path() // as annotations name it
		}
	}
	sort.Strings(r.findings)
	return r
}

// templateSuppression is one entry of a resource's (or the stack's) cdk_nag metadata.
type templateSuppression struct {
	rule, reason string
	appliesTo    []string
}

func suppressionsIn(metadata any) []templateSuppression {
	nag, _ := metadata.(map[string]any)["cdk_nag"].(map[string]any)
	var out []templateSuppression
	for _, entry := range list(nag["rules_to_suppress"]) {
		e := entry.(map[string]any)
		s := templateSuppression{rule: e["id"].(string), reason: e["reason"].(string)}
		for _, a := range list(e["applies_to"]) {
			s.appliesTo = append(s.appliesTo, a.(string))
		}
		out = append(out, s)
	}
	return out
}

// Both stages pass both packs: every finding is fixed, or suppressed in nag.go with a
// reason.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		assert.Empty(t, s.nag.findings, "%s: cdk-nag findings (fix them, or suppress in nag.go with a reason that says why):\n%s",
			s.stack.Stage, strings.Join(s.nag.findings, "\n"))
	}
}

// A suppression that no longer matches a finding would hide the next one: each must be
// in use, on the resource it is attached to, for the wildcard it names.
func TestEveryNagSuppressionIsInUse(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		var used int
		for id, r := range s.resources {
			metadata, ok := r["Metadata"]
			if !ok {
				continue
			}
			path := s.nag.paths[id]
			for _, sup := range suppressionsIn(metadata) {
				used++
				assert.True(t, reported(s.nag.suppressed[path], sup), "%s %s: the suppression of %s %v matches no finding: remove it from nag.go",
					s.stack.Stage, path, sup.rule, sup.appliesTo)
			}
		}
		var all []string
		for _, messages := range s.nag.suppressed {
			all = append(all, messages...)
		}
		for _, sup := range suppressionsIn(s.template["Metadata"]) {
			used++
			assert.True(t, reported(all, sup), "%s: the stack-wide suppression of %s %v matches no finding", s.stack.Stage, sup.rule, sup.appliesTo)
		}
		assert.Positive(t, used, "the suppressions reach the template")
	}
}

// reported says whether one of messages is cdk-nag reporting sup as triggered and
// suppressed (for each wildcard it names, when it names some).
func reported(messages []string, sup templateSuppression) bool {
	wanted := []string{"CdkNagSuppression: " + sup.rule + " was triggered"}
	if len(sup.appliesTo) > 0 {
		wanted = nil
		for _, a := range sup.appliesTo {
			wanted = append(wanted, "CdkNagSuppression["+a+"]: "+sup.rule+" was triggered")
		}
	}
	for _, w := range wanted {
		found := false
		for _, m := range messages {
			found = found || strings.HasPrefix(m, w)
		}
		if !found {
			return false
		}
	}
	return true
}

// Every suppression says why, and a wildcard suppression names the wildcard: a blanket
// AwsSolutions-IAM5 would hide any new "*" in the same policy.
func TestNagSuppressionsSayWhyAndAreNarrow(t *testing.T) {
	var all []templateSuppression
	for _, r := range dev.resources {
		if metadata, ok := r["Metadata"]; ok {
			all = append(all, suppressionsIn(metadata)...)
		}
	}
	all = append(all, suppressionsIn(dev.template["Metadata"])...)
	require.NotEmpty(t, all)
	for _, sup := range all {
		assert.GreaterOrEqual(t, len(sup.reason), 60, "%s: a reason that says why: %q", sup.rule, sup.reason)
		if sup.rule == "AwsSolutions-IAM5" {
			assert.NotEmpty(t, sup.appliesTo, "IAM5 is suppressed for named wildcards only")
		}
	}
}
