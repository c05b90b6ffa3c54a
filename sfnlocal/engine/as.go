package engine

import "errors"

// as is errors.As for an error type T, without the allocation of errors.As's target
// when err is a T itself or wraps nothing (the usual cases on a saga's failure path).
func as[T error](err error) (T, bool) {
	if t, ok := err.(T); ok {
		return t, true
	}
	var zero T
	switch err.(type) {
	case nil:
		return zero, false
	case interface{ Unwrap() error }, interface{ Unwrap() []error }, interface{ As(any) bool }:
		return asWrapped[T](err)
	}
	return zero, false
}

func asWrapped[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
