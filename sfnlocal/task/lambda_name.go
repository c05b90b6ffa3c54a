package task

import (
	"fmt"
	"strings"
)

// functionName is a Lambda FunctionName in any form Lambda accepts: "name",
// "name:qualifier", "account:function:name[:qualifier]" or the full ARN.
type functionName struct {
	region, account string // empty when the form did not say
	name            string
	qualifier       string // version or alias, "" when unqualified
	isARN           bool   // given as a full arn:aws:lambda ARN
}

// Lambda's patterns, checked by hand: this runs on every invocation, and a regexp
// costs more than the rest of the name handling together.
func validFunctionName(s string) bool { return len(s) <= 64 && isNameWord(s) }
func validQualifier(s string) bool    { return s == "$LATEST" || len(s) <= 128 && isNameWord(s) }

func validAccount(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
}

// isNameWord reports whether s is non-empty and only letters, digits, - and _.
func isNameWord(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

func parseFunctionName(s string) (functionName, error) {
	parts := strings.Split(s, ":")
	var fn functionName
	qualified := false
	switch {
	case len(parts) >= 7 && len(parts) <= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		fn = functionName{region: parts[3], account: parts[4], name: parts[6], isARN: true}
		if qualified = len(parts) == 8; qualified {
			fn.qualifier = parts[7]
		}
		if parts[1] != "aws" || fn.region == "" || !validAccount(fn.account) {
			return functionName{}, fmt.Errorf("invalid Lambda function ARN %q", s)
		}
	case len(parts) >= 3 && len(parts) <= 4 && parts[1] == "function":
		fn = functionName{account: parts[0], name: parts[2]}
		if qualified = len(parts) == 4; qualified {
			fn.qualifier = parts[3]
		}
		if !validAccount(fn.account) {
			return functionName{}, fmt.Errorf("invalid partial Lambda function ARN %q", s)
		}
	case len(parts) <= 2:
		fn = functionName{name: parts[0]}
		if qualified = len(parts) == 2; qualified {
			fn.qualifier = parts[1]
		}
	default:
		return functionName{}, fmt.Errorf("invalid Lambda function name %q", s)
	}
	if !validFunctionName(fn.name) {
		return functionName{}, fmt.Errorf("invalid Lambda function name %q", s)
	}
	if qualified && !validQualifier(fn.qualifier) {
		return functionName{}, fmt.Errorf("invalid Lambda function qualifier in %q", s)
	}
	return fn, nil
}

// in fills the region and account the form left out from env, as Lambda takes them
// from the caller.
func (fn functionName) in(env Env) functionName {
	if fn.region == "" {
		fn.region = env.Region
	}
	if fn.account == "" {
		fn.account = env.AccountID
	}
	return fn
}

// version is what Lambda reports as ExecutedVersion: the version asked for, and
// $LATEST for an unqualified name or an alias (aliases here point at $LATEST).
func (fn functionName) version() string {
	if fn.qualifier != "" && strings.Trim(fn.qualifier, "0123456789") == "" {
		return fn.qualifier
	}
	return "$LATEST"
}

// arn is the function's unqualified ARN.
func (fn functionName) arn() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", fn.region, fn.account, fn.name)
}

// qualifiedARN is the ARN Lambda names in its errors: qualified, $LATEST by default.
func (fn functionName) qualifiedARN() string {
	qualifier := fn.qualifier
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	return fn.arn() + ":" + qualifier
}
