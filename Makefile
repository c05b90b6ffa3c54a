# faresaga: every target installs what it needs (Go modules through the module proxy,
# Node and the CDK CLI through npm) and needs no AWS account unless it talks to AWS.
SHELL := /bin/bash
# The saga's eight functions (statemachine.Functions) and the front door (intake).
FUNCTIONS := registerfare preauthorizepayment chargefare creditcustomeraccount \
             reversecustomercredit refundfare voidpreauthorization cancelfare intake attention
STAGE ?= dev
STACK := FareCollection-$(STAGE)

# The payment functions' gateway: simulated, or stripe (its API key in Secrets Manager:
# the secret STRIPE_SECRET_NAME names, or one the stack creates empty).
GATEWAY ?= simulated
STRIPE_SECRET_NAME ?=
CDK_CONTEXT := --context stage=$(STAGE) --context gateway=$(GATEWAY) $(if $(STRIPE_SECRET_NAME),--context stripeSecretName=$(STRIPE_SECRET_NAME))

# The functions' architecture. AWS runs arm64 (Graviton); LocalStack runs each function
# in a container of the function's architecture, so its target deploys the host's
# (make test-localstack sets LAMBDA_ARCH, and the app gets the same value as the
# lambdaArchitecture context). arm64 bootstraps live in build/, others in build/<arch>/.
LAMBDA_ARCH ?= arm64
ifeq ($(LAMBDA_ARCH),arm64)
ASSET_ROOT := build
LAMBDA_GOARCH := arm64
else ifeq ($(LAMBDA_ARCH),x86_64)
ASSET_ROOT := build/x86_64
LAMBDA_GOARCH := amd64
else
$(error LAMBDA_ARCH=$(LAMBDA_ARCH): want arm64 or x86_64)
endif
BOOTSTRAPS := $(FUNCTIONS:%=$(ASSET_ROOT)/%/bootstrap)
HOST_LAMBDA_ARCH := $(if $(filter arm64 aarch64,$(shell uname -m)),arm64,x86_64)

# Reproducible Lambda binaries: same source, same bytes, same asset hash. A bootstrap is
# rebuilt when a Go source changes, so the CDK app's prerequisites cost nothing when
# nothing changed.
GO_SOURCES := go.mod go.sum $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './.git/*')
LAMBDA_BUILD := GOOS=linux GOARCH=$(LAMBDA_GOARCH) CGO_ENABLED=0 go build -trimpath -buildvcs=false \
                -tags lambda.norpc -ldflags='-s -w'

# Node for the CDK toolchain (jsii and the CLI): the system's Node 20 is past its end of
# life and jsii says so. A supported Node comes from npm (the node-<os>-<cpu> packages
# hold the official binaries), once, into the cache; where npm has no such package for
# this machine, the Node on PATH is used, and jsii's warning shows when it is too old.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/faresaga
NODE_VERSION := 24.21.0
NODE_PACKAGE := node-$(shell uname -s | tr A-Z a-z)-$(shell uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')
NODE_HOME := $(CACHE_DIR)/node/$(NODE_PACKAGE)-$(NODE_VERSION)
export PATH := $(NODE_HOME)/node_modules/$(NODE_PACKAGE)/bin:$(PATH)

# Quiet, offline CDK: no telemetry, no version check.
export CDK_DISABLE_CLI_TELEMETRY := 1
export CDK_DISABLE_VERSION_CHECK := 1
CDK := ./node_modules/.bin/cdk

# LocalStack: the last community image (no account needed), or a current one with
# LOCALSTACK_AUTH_TOKEN (make localstack LOCALSTACK_IMAGE=localstack/localstack:<tag>).
LOCALSTACK_IMAGE ?= localstack/localstack:4.14.0
LOCALSTACK_PORT ?= 4566

.PHONY: all run local chaos build synth cdk-app test vet bench test-integration test-rie test-localstack \
        test-aws bootstrap deploy diff destroy localstack localstack-stop node clean bootstrap-sizes
all: test

run: ## the saga on the embedded runtime: the happy path, every failure switch, the tables
	go run ./cmd/faresaga run

local: ## the Step Functions API and the web console (:8083), the tables' DynamoDB API (:8084) and the front door (:8085) on loopback
	go run ./cmd/faresaga local --listen 127.0.0.1:8083 --dynamodb-listen 127.0.0.1:8084 --api-listen 127.0.0.1:8085

chaos: ## 100,000 sagas with faults at every layer, then the consistency checks
	go run ./cmd/faresaga chaos --sagas 100000 --seed 1

test-integration: ## the integration scenarios on the embedded runtime (also run by make test)
	go test -count=1 -v ./test/integration/

test-rie: ## each Lambda's bootstrap, built as deployed but for this host, booted under AWS's Runtime Interface Emulator (also run by make test)
	FARESAGA_RIE_REQUIRED=1 go test -count=1 -v ./test/rie/

localstack: ## start LocalStack on 127.0.0.1:4566 with the settings test-localstack needs (Docker)
	@command -v docker >/dev/null || { echo "make localstack needs Docker (docker run)"; exit 1; }
	@case "$(LOCALSTACK_IMAGE)" in *:4.14.0) ;; *) [ -n "$$LOCALSTACK_AUTH_TOKEN" ] || \
	  { echo "$(LOCALSTACK_IMAGE) needs LOCALSTACK_AUTH_TOKEN (a free LocalStack account has one); 4.14.0 is the last image without"; exit 1; };; esac
	@# The Docker socket: LocalStack runs each function in a container of its own. A
	@# container start under the suite's load can take longer than the default 20 s, and
	@# warm containers must outlive the compensation scenarios (minutes of retries).
	docker run --rm -d --name faresaga-localstack -p 127.0.0.1:$(LOCALSTACK_PORT):4566 \
	  -v /var/run/docker.sock:/var/run/docker.sock \
	  -e LOCALSTACK_AUTH_TOKEN -e LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT=60 -e LAMBDA_KEEPALIVE_MS=1800000 \
	  $(LOCALSTACK_IMAGE)
	@for i in $$(seq 120); do \
	  curl -sf http://127.0.0.1:$(LOCALSTACK_PORT)/_localstack/health >/dev/null && { echo "LocalStack is up at http://127.0.0.1:$(LOCALSTACK_PORT)"; exit 0; }; \
	  sleep 1; done; echo "LocalStack did not answer within 2 minutes: docker logs faresaga-localstack"; exit 1

localstack-stop:
	docker stop faresaga-localstack

# Deploys FareCollection-dev to the LocalStack at AWS_ENDPOINT_URL (default
# http://127.0.0.1:4566, as make localstack starts it) with the pinned cdklocal, with
# functions for this host's architecture, then runs every scenario. Fails, saying what
# to start, when LocalStack is not there.
test-localstack: node node_modules
	FARESAGA_TARGET=localstack FARESAGA_LOCALSTACK_REQUIRED=1 FARESAGA_LAMBDA_ARCH=$(HOST_LAMBDA_ARCH) \
	  go test ./test/integration/ -count=1 -v -timeout 45m -parallel 4

# Needs `make deploy` (dev stage: the failure switches need FAULT_INJECTION) and credentials
# (AWS_PROFILE, AWS_REGION). Skips without them.
test-aws:
	FARESAGA_TARGET=aws FARESAGA_STACK=$(STACK) go test ./test/integration/ -count=1 -v -timeout 45m

bench: ## the engine's speed (whole sagas, raw state transitions), the front door's POST /fares latency, the console's pages
	go test -run='^$$' -bench=. -benchmem ./internal/embedded/ ./sfnlocal/engine/
	go test -run='^$$' -bench=SubmitFare -benchtime=1000x ./internal/intake/
	go test -run='^$$' -bench=. ./internal/console/

build: $(BOOTSTRAPS) ## every Lambda's bootstrap, for provided.al2023 on $(LAMBDA_ARCH)

$(ASSET_ROOT)/%/bootstrap: $(GO_SOURCES)
	@mkdir -p $(@D)
	$(LAMBDA_BUILD) -o $@ ./lambdas/$*

bootstrap-sizes: build
	@ls -l $(BOOTSTRAPS) | awk '{printf "%-40s %6.1f MB\n", $$9, $$5/1048576}'

bin/cdkapp: $(GO_SOURCES)
	@mkdir -p bin
	go build -o $@ .

# What the CDK app needs before it runs: cdk.json's app runs this, so every CLI command
# (synth, bootstrap, deploy, diff, watch, cdklocal) works from a fresh clone.
cdk-app: $(BOOTSTRAPS) bin/cdkapp

synth: node cdk-app ## cdk.out/$(STACK).template.json, without the CLI, network or credentials
	CDK_OUTDIR=cdk.out CDK_CONTEXT_JSON='{"stage":"$(STAGE)","gateway":"$(GATEWAY)","stripeSecretName":"$(STRIPE_SECRET_NAME)"}' ./bin/cdkapp
	@echo "wrote cdk.out/$(STACK).template.json"

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

# The CDK checks need the pinned CLI (node_modules) and Node; make test installs both, so
# a test that finds them missing fails instead of skipping. Building the CDK app first
# compiles aws-cdk-go once (about a minute and 1 GB on a fresh machine) before the tests
# that build it again in parallel find it in the build cache.
test: vet node node_modules cdk-app ## everything CI runs
	@command -v cfn-lint >/dev/null || echo "note: cfn-lint is not on PATH: the template lint skips (pip install cfn-lint==1.51.0; CI requires it)"
	FARESAGA_CDK_CLI_REQUIRED=1 go test -count=1 ./...

# Node $(NODE_VERSION) from npm into the cache, once. Where npm has no package for this
# machine the Node on PATH is used (see README: Node).
node:
	@if [ ! -x "$(NODE_HOME)/node_modules/$(NODE_PACKAGE)/bin/node" ]; then \
	  npm install --prefix "$(NODE_HOME)" --no-save --no-package-lock --no-audit --no-fund \
	    "$(NODE_PACKAGE)@$(NODE_VERSION)" >/dev/null 2>&1 && echo "installed Node $(NODE_VERSION) into $(NODE_HOME)" || \
	    echo "note: npm has no $(NODE_PACKAGE)@$(NODE_VERSION); using $$(node --version) from PATH (see README: Node)"; \
	fi

node_modules: package.json package-lock.json | node
	npm ci --no-audit --no-fund --no-update-notifier
	@touch node_modules

# bootstrap, deploy, diff and destroy talk to AWS: they need credentials for the target
# account (AWS_PROFILE or aws configure, and a region). The CLI builds what the app
# needs through cdk.json (make cdk-app). Without credentials they stop there.
bootstrap: node node_modules ## once per account and region: the CDK's bootstrap stack
	$(CDK) bootstrap $(CDK_CONTEXT)

deploy: node node_modules
	$(CDK) deploy $(STACK) $(CDK_CONTEXT)

diff: node node_modules
	$(CDK) diff $(STACK) $(CDK_CONTEXT)

destroy: node node_modules
	$(CDK) destroy $(STACK) $(CDK_CONTEXT)

clean:
	rm -rf build bin cdk.out cdk.out.localstack
