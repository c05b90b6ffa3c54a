package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/fareclient"
	"github.com/faresaga/faresaga/internal/localapi"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// faresaga start and status against `faresaga local`'s door, started in-process.
func TestStartAndStatusTalkToTheDoor(t *testing.T) {
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0", VirtualTime: true, Seed: 3})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	fare := writeFile(t, "fare.json", `{"fareId":"fare-cli-1","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"tok_visa_4242"}`)
	other := writeFile(t, "other.json", `{"fareId":"fare-cli-1","customerId":"cust-42","amount":990,"currency":"EUR","paymentToken":"tok_visa_4242"}`)
	card := writeFile(t, "card.json", `{"fareId":"fare-cli-2","customerId":"cust-42","amount":1250,"currency":"EUR","cc":"4111 1111 1111 1111","cvv":"987"}`)
	door := srv.DoorURL

	code, out, errOut := runCLI(t, "start", "--endpoint", door, "--input", fare)
	require.Equal(t, 0, code, errOut)
	var started struct{ FareID, ExecutionArn, Status string }
	require.NoError(t, json.Unmarshal([]byte(out), &started), out)
	assert.Equal(t, "fare-cli-1", started.FareID)
	assert.Equal(t, "RUNNING", started.Status)
	assert.True(t, strings.HasSuffix(started.ExecutionArn, ":fare-cli-1"), started.ExecutionArn)

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // in stdout
		stderr   string // in stderr
		notInAny string // in neither
	}{
		{"the same fare again", []string{"start", "--endpoint", door, "--input", fare}, 0, `"fareId":"fare-cli-1"`, "", ""},
		{"another fare under its fareId", []string{"start", "--endpoint", door + "/", "--input", other}, 1, "", "409 Conflict", ""},
		{"card data", []string{"start", "--endpoint", door, "--input", card}, 1, "", `"error":"InvalidFareInput"`, "4111"},
		{"where the fare stands", []string{"status", "--endpoint", door, "fare-cli-1"}, 0, `"amount":1250`, "", ""},
		{"a fare nobody submitted", []string{"status", "--endpoint", door, "fare-nobody"}, 1, "", "404 Not Found", ""},
		{"no input", []string{"start", "--endpoint", door}, 2, "", "--input FILE is required", ""},
		{"an input that is not there", []string{"start", "--endpoint", door, "--input", filepath.Join(t.TempDir(), "none.json")}, 1, "", "no such file", ""},
		{"flags after the fareId", []string{"status", "fare-cli-1", "--endpoint", door}, 0, `"status":`, "", ""},
		{"no fareId", []string{"status", "--endpoint", door}, 2, "", "give one FAREID", ""},
		{"two fareIds", []string{"status", "--endpoint", door, "fare-cli-1", "fare-cli-2"}, 2, "", "give one FAREID", ""},
		{"an endpoint that is no URL", []string{"status", "--endpoint", "127.0.0.1:8085", "fare-cli-1"}, 1, "", "not an http(s) URL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout %s\nstderr %s", out, errOut)
			assert.Contains(t, out, tt.stdout)
			assert.Contains(t, errOut, tt.stderr)
			if tt.notInAny != "" {
				assert.NotContains(t, out+errOut, tt.notInAny)
			}
		})
	}
}

func TestStartWithNoDoorListening(t *testing.T) {
	closed := httptest.NewServer(nil)
	closed.Close()
	code, _, errOut := runCLI(t, "start", "--endpoint", closed.URL, "--input", writeFile(t, "fare.json", `{}`))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "connection refused")

	// The default endpoint gets a hint, when nothing listens there (another program on
	// this machine may serve that port).
	_, _, errOut = runCLI(t, "status", "fare-1")
	if strings.Contains(errOut, "connection refused") {
		assert.Contains(t, errOut, "start the local door with make local")
	} else {
		t.Logf("something answers at %s on this machine: the default endpoint's hint is not checked", fareclient.DefaultEndpoint)
	}
}

// faresaga run refuses card data before anything starts, printing none of it; other
// bad input still runs, so its timeline shows how the saga refuses it.
func TestRunRefusesCardDataBeforeStarting(t *testing.T) {
	for name, input := range map[string]string{
		"card fields":             `{"fareId":"fare-1","customerId":"cust-42","amount":1250,"currency":"EUR","cc":"4111111111111111","cvv":"987"}`,
		"inside an id":            `{"fareId":"fare-1","customerId":"rider.4111111111111111","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`,
		"as a key":                `{"fareId":"fare-1","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"tok_1","4111 1111 1111 1111":1}`,
		"in a duplicate key":      `{"fareId":"fare-1","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"4111-1111-1111-1111","paymentToken":"tok_1"}`,
		"the input a card number": `"4111111111111111"`,
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "run", "--json", "--input", writeFile(t, "card.json", input))
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, "card data is not accepted")
			for _, digits := range []string{"4111111111111111", "4111 1111", "4111-1111", "1111"} {
				assert.NotContains(t, out+errOut, digits)
			}
		})
	}
	t.Run("other bad input still runs", func(t *testing.T) {
		code, out, errOut := runCLI(t, "run", "--json", "--input", writeFile(t, "bad.json", `{"fareId":"fare-1","customerId":"cust-42","amount":"12.50","currency":"EUR","paymentToken":"tok_1"}`))
		require.Equal(t, 0, code, errOut)
		var executions []struct{ Status, Error string }
		require.NoError(t, json.Unmarshal([]byte(out), &executions))
		require.Len(t, executions, 1)
		assert.Equal(t, "FAILED", executions[0].Status)
		assert.Equal(t, "InvalidFareInput", executions[0].Error)
	})
}

func TestLocalDescribesTheDoor(t *testing.T) {
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0", VirtualTime: true})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	var out strings.Builder
	srv.Describe(&out)
	for _, want := range []string{
		"front door          " + srv.DoorURL + " (POST /fares, GET /fares/{fareId})",
		"curl -s -X POST " + srv.DoorURL + "/fares -H 'Content-Type: application/json'",
		"faresaga start --endpoint " + srv.DoorURL + " --input fare.json",
		"faresaga status --endpoint " + srv.DoorURL + " fare-0001",
	} {
		assert.Contains(t, out.String(), want)
	}
}
