package asl

import (
	"time"
)

var waitDurationFields = []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}

func (p *parser) parseWait(o *object, s *State) {
	present := 0
	for _, key := range waitDurationFields {
		if o.has(key) {
			present++
		}
	}
	if present != 1 {
		p.schemaError(o.loc, "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, found %d", present)
		if present == 0 {
			return
		}
	}
	s.Seconds = dynamicValue(p, o, s.QueryLanguage, "Seconds", "SecondsPath", anyPath, p.integerField)
	if s.Seconds.Kind == ValueLiteral {
		p.checkRange(o.at("Seconds"), "Seconds", float64(s.Seconds.Literal), 0, maxTimeoutSeconds)
	}
	s.Timestamp = dynamicValue(p, o, s.QueryLanguage, "Timestamp", "TimestampPath", anyPath, p.stringField)
	if s.Timestamp.Kind == ValueLiteral {
		if _, err := time.Parse(time.RFC3339, s.Timestamp.Literal); err != nil {
			p.schemaError(o.at("Timestamp"), "Timestamp %q is not an RFC 3339 timestamp", s.Timestamp.Literal)
		}
	}
}
