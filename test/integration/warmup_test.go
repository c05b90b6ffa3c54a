package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/faresaga/faresaga/statemachine"
)

// warmUp invokes every function of stack (the door's and the saga's) containers times
// at once, so that each has
// that many started containers before the scenarios run: on LocalStack the first
// invocation of a function also pulls its runtime image, which can take longer than a
// Task's timeout. The payload is an empty object: the saga's functions refuse it (or,
// for a compensation, find nothing to undo) before they touch a table, and the door
// answers it as an event that is not an HTTP request.
func warmUp(ctx context.Context, cfg aws.Config, stack string, containers int) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	client := lambda.NewFromConfig(cfg)
	functions := []string{doorFunction}
	for _, fn := range statemachine.Functions {
		functions = append(functions, fn.Name)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(functions)*containers)
	for i, function := range functions {
		for j := range containers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := stack + "-" + function
				if _, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)}); err != nil {
					errs[i*containers+j] = fmt.Errorf("warm up %s: %w", name, err)
				}
			}()
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}
