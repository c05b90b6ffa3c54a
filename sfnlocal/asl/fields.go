package asl

import "slices"

// fieldsByType lists every field a state of each type may have, in either query language;
// languageOnly then narrows it down for the state's language.
var fieldsByType = map[StateType][]string{
	TypeTask: {"Next", "End", "InputPath", "OutputPath", "Parameters", "Arguments", "ResultPath",
		"ResultSelector", "Output", "Assign", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
		"HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials"},
	TypePass:    {"Next", "End", "InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Output", "Assign"},
	TypeChoice:  {"InputPath", "OutputPath", "Output", "Assign", "Choices", "Default"},
	TypeWait:    {"Next", "End", "InputPath", "OutputPath", "Output", "Assign", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
	TypeSucceed: {"InputPath", "OutputPath", "Output"},
	TypeFail:    {"Error", "ErrorPath", "Cause", "CausePath"},
	TypeParallel: {"Next", "End", "InputPath", "OutputPath", "Parameters", "Arguments", "ResultPath",
		"ResultSelector", "Output", "Assign", "Branches", "Retry", "Catch"},
	TypeMap: {"Next", "End", "InputPath", "OutputPath", "Parameters", "ItemSelector", "ItemsPath", "Items",
		"ResultPath", "ResultSelector", "Output", "Assign", "ItemProcessor", "Iterator", "ItemReader",
		"ResultWriter", "ItemBatcher", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
		"ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label",
		"Retry", "Catch"},
}

// fieldsOnlyIn lists the fields that exist in one query language only: JSONata replaces the
// five JSONPath I/O fields with Arguments and Output, and "…Path" twins with expressions.
var fieldsOnlyIn = map[QueryLanguage][]string{
	JSONPath: {"InputPath", "OutputPath", "Parameters", "ResultPath", "ResultSelector", "Result", "ItemsPath",
		"TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath",
		"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"},
	JSONata: {"Arguments", "Output", "Items"},
}

// stateCommonFields are allowed on every state.
var stateCommonFields = []string{"Type", "Comment", "QueryLanguage"}

// checkStateFields reports fields the state's type or language does not allow.
func (p *parser) checkStateFields(o *object, stateType StateType, language QueryLanguage) {
	allowed := fieldsByType[stateType]
	for _, key := range o.keys {
		switch {
		case slices.Contains(stateCommonFields, key):
		case !slices.Contains(allowed, key):
			p.schemaError(o.at(key), "the field %q is not supported by Step Functions in a %s state", key, stateType)
		case slices.Contains(fieldsOnlyIn[otherLanguage(language)], key):
			p.schemaError(o.at(key), "the field %q is not supported in %s states", key, language)
		}
	}
}

func otherLanguage(language QueryLanguage) QueryLanguage {
	if language == JSONata {
		return JSONPath
	}
	return JSONata
}
