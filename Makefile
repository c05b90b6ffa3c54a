# faresaga: every target installs what it needs (Go modules through the module proxy,
# the CDK CLI through npm) and needs no AWS account unless it talks to AWS.
SHELL := /bin/bash
FUNCTIONS := registerfare preauthorizepayment chargefare creditcustomeraccount \
             reversecustomercredit refundfare voidpreauthorization cancelfare
BOOTSTRAPS := $(FUNCTIONS:%=build/%/bootstrap)
STAGE ?= dev
STACK := FareCollection-$(STAGE)
# The payment functions' gateway: simulated, or stripe (its API key in Secrets Manager:
# the secret STRIPE_SECRET_NAME names, or one the stack creates empty).
GATEWAY ?= simulated
STRIPE_SECRET_NAME ?=
CDK_CONTEXT := --context stage=$(STAGE) --context gateway=$(GATEWAY) $(if $(STRIPE_SECRET_NAME),--context stripeSecretName=$(STRIPE_SECRET_NAME))
# Quiet, offline CDK: no telemetry, no version check, no Node end-of-life banner.
export CDK_DISABLE_CLI_TELEMETRY := 1
export CDK_DISABLE_VERSION_CHECK := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# Reproducible Lambda binaries: same source, same bytes, same asset hash.
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -trimpath -buildvcs=false \
                -tags lambda.norpc -ldflags='-s -w'

.PHONY: all run local chaos build synth test vet bench test-integration test-rie test-localstack test-aws deploy diff destroy clean bootstrap-sizes
all: test

run: ## the saga on the embedded runtime: the happy path, every failure switch, the tables
	go run ./cmd/faresaga run

local: ## the Step Functions API (:8083) and the tables' DynamoDB API (:8084) on loopback
	go run ./cmd/faresaga local --listen 127.0.0.1:8083 --dynamodb-listen 127.0.0.1:8084

chaos: ## 100,000 sagas with faults at every layer, then the consistency checks
	go run ./cmd/faresaga chaos --sagas 100000 --seed 1

test-integration: ## the integration scenarios on the embedded runtime (also run by make test)
	go test -count=1 -v ./test/integration/

test-rie: ## each Lambda's bootstrap, built as deployed but for this host, booted under AWS's Runtime Interface Emulator (also run by make test)
	FARESAGA_RIE_REQUIRED=1 go test -count=1 -v ./test/rie/

# Needs LocalStack running (docker run --rm -p 4566:4566 -v /var/run/docker.sock:/var/run/docker.sock
# localstack/localstack) at AWS_ENDPOINT_URL or http://localhost:4566; the tests deploy
# FareCollection-dev there with the pinned cdklocal, then run every scenario. Skips if unreachable.
test-localstack: build node_modules
	FARESAGA_TARGET=localstack go test ./test/integration/ -count=1 -v -timeout 45m

# Needs `make deploy` (dev stage: the failure switches need FAULT_INJECTION) and credentials
# (AWS_PROFILE, AWS_REGION). Skips without them.
test-aws:
	FARESAGA_TARGET=aws FARESAGA_STACK=$(STACK) go test ./test/integration/ -count=1 -v -timeout 45m

bench: ## the engine's speed: whole sagas and raw state transitions
	go test -run='^$$' -bench=. -benchmem ./internal/embedded/ ./sfnlocal/engine/

build: $(BOOTSTRAPS) ## every Lambda's bootstrap, for provided.al2023 on arm64

build/%/bootstrap: FORCE
	@mkdir -p $(@D)
	$(LAMBDA_BUILD) -o $@ ./lambdas/$*

FORCE:

bootstrap-sizes: build
	@ls -l $(BOOTSTRAPS) | awk '{printf "%-40s %6.1f MB\n", $$9, $$5/1048576}'

bin/cdkapp: FORCE
	@mkdir -p bin
	go build -o $@ .

synth: build bin/cdkapp ## cdk.out/$(STACK).template.json, without the CLI, network or credentials
	CDK_OUTDIR=cdk.out CDK_CONTEXT_JSON='{"stage":"$(STAGE)","gateway":"$(GATEWAY)","stripeSecretName":"$(STRIPE_SECRET_NAME)"}' ./bin/cdkapp
	@echo "wrote cdk.out/$(STACK).template.json"

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

test: vet ## everything CI runs
	go test -count=1 ./...

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

# deploy, diff and destroy talk to AWS: they need credentials for the target account
# and a one-time `npx cdk bootstrap` there (see README).
deploy: build node_modules
	npx cdk deploy $(STACK) $(CDK_CONTEXT)

diff: build node_modules
	npx cdk diff $(STACK) $(CDK_CONTEXT)

destroy: node_modules
	npx cdk destroy $(STACK) $(CDK_CONTEXT)

clean:
	rm -rf build bin cdk.out
