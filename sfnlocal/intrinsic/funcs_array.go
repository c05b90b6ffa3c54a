package intrinsic

import "github.com/faresaga/faresaga/sfnlocal/jsonvalue"

// maxRangeItems is AWS's limit on the size of the array States.ArrayRange builds.
const maxRangeItems = 1000

func array(_ *Call, args []any, _ *Env) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func arrayPartition(call *Call, args []any, _ *Env) (any, error) {
	items, err := arrayArg(call, args, 0, "first argument")
	if err != nil {
		return nil, err
	}
	size, err := integerArg(call, args, 1, "chunk size")
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, invalidArgument(call, "the chunk size must be greater than 0, got %d", size)
	}
	chunks := make([]any, 0, (int64(len(items))+size-1)/size)
	for start := 0; start < len(items); start += int(size) {
		end := min(start+int(size), len(items))
		chunks = append(chunks, append([]any(nil), items[start:end]...))
	}
	return chunks, nil
}

func arrayContains(call *Call, args []any, _ *Env) (any, error) {
	items, err := arrayArg(call, args, 0, "first argument")
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		if jsonvalue.Equal(item, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func arrayRange(call *Call, args []any, _ *Env) (any, error) {
	var bounds [3]int64
	for i, role := range []string{"start", "end", "step"} {
		n, err := integerArg(call, args, i, role)
		if err != nil {
			return nil, err
		}
		bounds[i] = n
	}
	start, end, step := bounds[0], bounds[1], bounds[2]
	if step == 0 {
		return nil, invalidArgument(call, "the step must not be 0")
	}
	count := int64(0)
	if step > 0 && end >= start || step < 0 && end <= start {
		count = (end-start)/step + 1
	}
	if count > maxRangeItems {
		return nil, invalidArgument(call, "the range would have %d items, more than the %d allowed", count, maxRangeItems)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = float64(start + int64(i)*step)
	}
	return out, nil
}

func arrayGetItem(call *Call, args []any, _ *Env) (any, error) {
	items, err := arrayArg(call, args, 0, "first argument")
	if err != nil {
		return nil, err
	}
	index, err := integerArg(call, args, 1, "index")
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= int64(len(items)) {
		return nil, invalidArgument(call, "the index %d is out of bounds for an array of %d items", index, len(items))
	}
	return items[index], nil
}

func arrayLength(call *Call, args []any, _ *Env) (any, error) {
	items, err := arrayArg(call, args, 0, "argument")
	if err != nil {
		return nil, err
	}
	return float64(len(items)), nil
}

// arrayUnique keeps the first occurrence of each value; values are compared by their
// canonical JSON text, in which objects' keys are sorted.
func arrayUnique(call *Call, args []any, _ *Env) (any, error) {
	items, err := arrayArg(call, args, 0, "argument")
	if err != nil {
		return nil, err
	}
	seen := make(map[string]struct{}, len(items))
	out := make([]any, 0, len(items))
	for _, item := range items {
		key := string(jsonvalue.AppendCanonical(nil, item))
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		out = append(out, item)
	}
	return out, nil
}
