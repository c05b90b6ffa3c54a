package api

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Paging follows AWS: maxResults 0 means the default page, at most 1000; nextToken is
// opaque to the client. Ours encode where the next page starts, in terms that stay true
// while the list changes (a name, a start sequence, an event id), never an offset.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
	maxTokenLength  = 3096
)

func pageSize(maxResults int) (int, *apiError) {
	switch {
	case maxResults < 0:
		return 0, validationError("maxResults", maxResults, "Member must have value greater than or equal to 0")
	case maxResults > maxPageSize:
		return 0, validationError("maxResults", maxResults, fmt.Sprintf("Member must have value less than or equal to %d", maxPageSize))
	case maxResults == 0:
		return defaultPageSize, nil
	}
	return maxResults, nil
}

// encodeToken makes a nextToken for one kind of list, so that a token of one list is
// refused by another.
func encodeToken(kind, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + position))
}

// decodeToken reads a nextToken of kind; "" is the first page.
func decodeToken(kind, token string) (position string, first bool, err *apiError) {
	if token == "" {
		return "", true, nil
	}
	if len(token) > maxTokenLength {
		return "", false, validationError("nextToken", token, fmt.Sprintf("Member must have length less than or equal to %d", maxTokenLength))
	}
	raw, decodeErr := base64.RawURLEncoding.DecodeString(token)
	position, ok := strings.CutPrefix(string(raw), kind+":")
	if decodeErr != nil || !ok {
		return "", false, invalidNextToken()
	}
	return position, false, nil
}

// decodeNumberToken reads a nextToken whose position is a positive number.
func decodeNumberToken(kind, token string) (uint64, *apiError) {
	position, first, err := decodeToken(kind, token)
	if err != nil || first {
		return 0, err
	}
	n, parseErr := strconv.ParseUint(position, 10, 64)
	if parseErr != nil || n == 0 {
		return 0, invalidNextToken()
	}
	return n, nil
}

func encodeNumberToken(kind string, n uint64) string {
	return encodeToken(kind, strconv.FormatUint(n, 10))
}
