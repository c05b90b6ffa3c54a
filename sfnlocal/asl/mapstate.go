package asl

import (
	"slices"
	"unicode/utf8"
)

const maxMapLabelLength = 40

func (p *parser) parseMap(o *object, s *State) {
	p.parseItemProcessor(o, s)
	if s.QueryLanguage == JSONPath {
		s.ItemsPath = "$"
		if path, ok := p.pathField(o, "ItemsPath", anyPath); ok {
			s.ItemsPath = path
		}
	}
	s.Items = p.objectOrExpressionField(o, "Items", "array")
	s.ItemSelector = p.templateField(o, "ItemSelector", s.QueryLanguage)
	if s.Parameters != nil && s.ItemSelector != nil {
		p.schemaError(o.loc, "fields \"Parameters\" and \"ItemSelector\" are mutually exclusive")
	}
	s.MaxConcurrency = p.boundedInteger(o, s, "MaxConcurrency", 0)
	s.ToleratedFailureCount = p.boundedInteger(o, s, "ToleratedFailureCount", 0)
	s.ToleratedFailurePercentage = dynamicValue(p, o, s.QueryLanguage, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", anyPath, p.numberField)
	if v := s.ToleratedFailurePercentage; v.Kind == ValueLiteral {
		p.checkRange(o.at("ToleratedFailurePercentage"), "ToleratedFailurePercentage", v.Literal, 0, 100)
	}
	s.ItemReader = p.rawObjectField(o, "ItemReader")
	s.ResultWriter = p.rawObjectField(o, "ResultWriter")
	s.ItemBatcher = p.rawObjectField(o, "ItemBatcher")
	if label, ok := p.stringField(o, "Label"); ok {
		if utf8.RuneCountInString(label) > maxMapLabelLength {
			p.schemaError(o.at("Label"), "Label must be at most %d characters", maxMapLabelLength)
		}
		s.Label = label
	}
	p.parseErrorHandling(o, s)
}

// parseItemProcessor reads ItemProcessor or, in older definitions, Iterator: the same scope
// under two names.
func (p *parser) parseItemProcessor(o *object, s *State) {
	key := "ItemProcessor"
	switch {
	case o.has("ItemProcessor") && o.has("Iterator"):
		p.schemaError(o.loc, "fields \"ItemProcessor\" and \"Iterator\" are mutually exclusive")
	case o.has("Iterator"):
		key = "Iterator"
	case !o.has("ItemProcessor"):
		p.schemaError(o.loc, "a Map state needs an ItemProcessor")
		return
	}
	processor, ok := p.objectField(o, key)
	if !ok {
		return
	}
	p.rejectUnknown(processor, "Comment", "StartAt", "States", "ProcessorConfig")
	s.ItemProcessor = p.parseScope(processor, p.topLanguage)
	s.ItemProcessor.ProcessorConfig = p.parseProcessorConfig(processor)
}

func (p *parser) parseProcessorConfig(processor *object) *ProcessorConfig {
	o, ok := p.objectField(processor, "ProcessorConfig")
	if !ok {
		return nil
	}
	p.rejectUnknown(o, "Mode", "ExecutionType")
	config := &ProcessorConfig{Mode: "INLINE"}
	if mode, ok := p.enumField(o, "Mode", "INLINE", "DISTRIBUTED"); ok {
		config.Mode = mode
	}
	config.ExecutionType, _ = p.enumField(o, "ExecutionType", "STANDARD", "EXPRESS")
	return config
}

// enumField reads a string field that must be one of values.
func (p *parser) enumField(o *object, key string, values ...string) (string, bool) {
	value, ok := p.stringField(o, key)
	if !ok {
		return "", false
	}
	if !slices.Contains(values, value) {
		p.schemaError(o.at(key), "%s must be one of %q, not %q", key, values, value)
		return "", false
	}
	return value, true
}
