package jsonata

import (
	"reflect"
	"regexp"
	"slices"

	lib "github.com/blues/jsonata-go"
)

// The library's built-in functions ($string, $map, $sum...) are values shared by every
// evaluation, and the library writes into them while it calls them: the name it was
// called by, and the context an argument-less call reads ($string() is $string($)).
// Two evaluations at once would race on them, and one could read another's data. So
// each evaluation gets private copies of the built-ins its expressions name, bound as
// variables of the same name, which the library finds before its own.

// builtinNames are the library's built-in functions.
var builtinNames = []string{
	"string", "length", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase", "pad",
	"trim", "contains", "split", "join", "match", "replace", "formatNumber", "formatBase", "decodeUrl",
	"decodeUrlComponent", "encodeUrl", "encodeUrlComponent", "number", "abs", "floor", "ceil", "round",
	"power", "sqrt", "random", "sum", "max", "min", "average", "boolean", "not", "exists", "distinct",
	"count", "reverse", "sort", "shuffle", "zip", "append", "map", "filter", "reduce", "single", "each",
	"sift", "keys", "lookup", "spread", "merge", "fromMillis", "toMillis", "type", "error",
}

// builtins holds the shared originals, read once.
var builtins = func() map[string]reflect.Value {
	out := make(map[string]reflect.Value, len(builtinNames))
	for _, name := range builtinNames {
		fn, err := lib.MustCompile("$" + name).Eval(nil)
		if err != nil || fn == nil {
			continue
		}
		if v := reflect.ValueOf(fn); v.Kind() == reflect.Pointer {
			out[name] = v
		}
	}
	return out
}()

// builtinCopy is a private copy of the built-in called name.
func builtinCopy(name string) any { return copyOf(builtins[name]) }

var variableName = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// builtinsNamed lists the built-ins an expression's source names (a name inside a
// string literal counts too: a spare copy costs nothing but an allocation).
// variablesNamed lists every $name the source mentions (over-approximately: a name in a
// string literal counts too): the only variables and functions an evaluation can reach.
func variablesNamed(src string) []string {
	var names []string
	for _, m := range variableName.FindAllStringSubmatch(src, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func builtinsNamed(src string) []string {
	var names []string
	for _, m := range variableName.FindAllStringSubmatch(src, -1) {
		if _, ok := builtins[m[1]]; ok && !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}
