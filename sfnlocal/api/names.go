package api

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLength is AWS's limit on state machine and execution names.
const maxNameLength = 80

// forbiddenNameRunes are the brackets, wildcards and special characters AWS refuses in
// a name; whitespace and control characters are refused too.
const forbiddenNameRunes = "<>{}[]?*\"#%\\^|~`$&,;:/"

// checkName applies AWS's rules for a state machine or execution name: a length outside
// 1-80 breaks the model (ValidationException), a forbidden character is InvalidName.
func checkName(member, name string) *apiError {
	if !utf8.ValidString(name) {
		return clientError(codeInvalidName, "Invalid Name: '%s'", name)
	}
	switch n := utf8.RuneCountInString(name); {
	case n < 1:
		return validationError(member, name, "Member must have length greater than or equal to 1")
	case n > maxNameLength:
		return validationError(member, name, fmt.Sprintf("Member must have length less than or equal to %d", maxNameLength))
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune(forbiddenNameRunes, r) {
			return clientError(codeInvalidName, "Invalid Name: '%s'", name)
		}
	}
	return nil
}

// newUUID is a random version 4 UUID: the name of an execution started without one.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails: it panics instead of returning an error
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
