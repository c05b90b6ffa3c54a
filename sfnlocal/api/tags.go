package api

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// Tags on state machines and activities, with AWS's limits: 50 per resource, keys of
// 1-128 and values of 0-256 characters, keys not starting with "aws:".

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

const maxTags = 50

func checkTags(tags []tag) *apiError {
	for _, t := range tags {
		switch n := utf8.RuneCountInString(t.Key); {
		case n < 1:
			return validationError("tags.member.key", t.Key, "Member must have length greater than or equal to 1")
		case n > 128:
			return validationError("tags.member.key", t.Key, "Member must have length less than or equal to 128")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return validationError("tags.member.value", t.Value, "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return clientError(codeValidation, "Tag keys must not start with 'aws:'")
		}
	}
	return nil
}

// setTags adds or replaces tags of a resource, keeping the first ones' order.
func (st *store) setTags(arn string, tags []tag) *apiError {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.tags == nil {
		st.tags = map[string][]tag{}
	}
	current := slices.Clone(st.tags[arn])
	for _, t := range tags {
		if i := slices.IndexFunc(current, func(c tag) bool { return c.Key == t.Key }); i >= 0 {
			current[i] = t
		} else {
			current = append(current, t)
		}
	}
	if len(current) > maxTags {
		return clientError(codeTooManyTags, "Too many tags: the resource can have at most %d tags", maxTags)
	}
	st.tags[arn] = current
	return nil
}

func (st *store) tagsOf(arn string) []tag {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return slices.Clone(st.tags[arn])
}

func (st *store) forgetTags(arn string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.tags, arn)
}

type tagRequest struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
}

// taggable checks that arn names a state machine or an activity that exists.
func (s *Server) taggable(arn string) *apiError {
	if err := checkARN("resourceArn", arn, resourceStateMachine, resourceActivity); err != nil {
		return err
	}
	if _, ok := s.store.machine(arn); ok {
		return nil
	}
	if _, ok := s.store.activity(arn); ok {
		return nil
	}
	return clientError(codeResourceNotFound, "Resource not found: '%s'", arn)
}

func (s *Server) tagResource(_ context.Context, in *tagRequest) (any, *apiError) {
	if err := s.taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := s.store.setTags(in.ResourceArn, in.Tags); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) untagResource(_ context.Context, in *tagRequest) (any, *apiError) {
	if err := s.taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.tags[in.ResourceArn] = slices.DeleteFunc(s.store.tags[in.ResourceArn], func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return struct{}{}, nil
}

func (s *Server) listTagsForResource(_ context.Context, in *tagRequest) (any, *apiError) {
	if err := s.taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	tags := s.store.tagsOf(in.ResourceArn)
	if tags == nil {
		tags = []tag{}
	}
	return struct {
		Tags []tag `json:"tags"`
	}{tags}, nil
}
