#!/bin/bash
# Every `aws stepfunctions` command against a running `faresaga local` (SFN_ENDPOINT,
# default http://127.0.0.1:8083). Needs an AWS CLI whose botocore honours
# AWS_DISABLE_HOST_PREFIX_INJECTION (for start-sync-execution and test-state).
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_DISABLE_HOST_PREFIX_INJECTION=true
E="--endpoint-url ${SFN_ENDPOINT:-http://127.0.0.1:8083} --output json"
ROLE=arn:aws:iam::000000000000:role/r
ok=0; bad=0
run() { out=$(aws stepfunctions "$@" $E 2>&1); rc=$?; if [ $rc -eq 0 ]; then ok=$((ok+1)); echo "ok   $1"; else bad=$((bad+1)); echo "FAIL $1: $out" | head -3; fi; }
DEF='{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"zeta":1,"alpha":{"y":1,"b":2},"mid":3},"End":true}}}'
FAILDEF='{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"c"}}}'
run validate-state-machine-definition --definition "$DEF"
M=$(aws stepfunctions create-state-machine --name cli$$-m --definition "$DEF" --role-arn $ROLE --publish $E --query stateMachineArn --output text 2>&1); echo "machine $M"
run describe-state-machine --state-machine-arn $M
run update-state-machine --state-machine-arn $M --definition "$DEF" --publish
run list-state-machines --max-results 2
run publish-state-machine-version --state-machine-arn $M
run list-state-machine-versions --state-machine-arn $M
run create-state-machine-alias --name prod --routing-configuration "stateMachineVersionArn=$M:1,weight=100"
run describe-state-machine-alias --state-machine-alias-arn $M:prod
run update-state-machine-alias --state-machine-alias-arn $M:prod --description d
run list-state-machine-aliases --state-machine-arn $M
X=$(aws stepfunctions start-execution --state-machine-arn $M:prod --name cli$$-x $E --query executionArn --output text); echo "exec $X"
sleep 0.3
run describe-execution --execution-arn $X
aws stepfunctions describe-execution --execution-arn $X $E --query output --output text
run list-executions --state-machine-arn $M
run get-execution-history --execution-arn $X --reverse-order
run describe-state-machine-for-execution --execution-arn $X
run tag-resource --resource-arn $M --tags key=a,value=b
run list-tags-for-resource --resource-arn $M
run untag-resource --resource-arn $M --tag-keys a
F=$(aws stepfunctions create-state-machine --name cli$$-f --definition "$FAILDEF" --role-arn $ROLE $E --query stateMachineArn --output text)
FX=$(aws stepfunctions start-execution --state-machine-arn $F $E --query executionArn --output text); sleep 0.3
run redrive-execution --execution-arn $FX
G=$(aws stepfunctions create-state-machine --name cli$$-g --definition '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}' --role-arn $ROLE $E --query stateMachineArn --output text)
GX=$(aws stepfunctions start-execution --state-machine-arn $G $E --query executionArn --output text)
run stop-execution --execution-arn $GX --error E --cause c
S=$(aws stepfunctions create-state-machine --name cli$$-s --type EXPRESS --definition "$DEF" --role-arn $ROLE $E --query stateMachineArn --output text)
run start-sync-execution --state-machine-arn $S
run test-state --definition '{"Type":"Pass","Result":{"a":1},"End":true}' --inspection-level DEBUG
A=$(aws stepfunctions create-activity --name cli$$-act $E --query activityArn --output text)
run describe-activity --activity-arn $A
run list-activities
AM=$(aws stepfunctions create-state-machine --name cli$$-a --definition "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":\"$A\",\"End\":true}}}" --role-arn $ROLE $E --query stateMachineArn --output text)
AX=$(aws stepfunctions start-execution --state-machine-arn $AM $E --query executionArn --output text)
TOKEN=$(aws stepfunctions get-activity-task --activity-arn $A --worker-name w $E --query taskToken --output text)
run send-task-heartbeat --task-token "$TOKEN"
run send-task-success --task-token "$TOKEN" --task-output '{"done":true}'
AX2=$(aws stepfunctions start-execution --state-machine-arn $AM $E --query executionArn --output text)
TOKEN2=$(aws stepfunctions get-activity-task --activity-arn $A $E --query taskToken --output text)
run send-task-failure --task-token "$TOKEN2" --error E --cause c
DM=$(aws stepfunctions create-state-machine --name cli$$-d --definition '{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"E","States":{"E":{"Type":"Pass","End":true}}},"End":true}}}' --role-arn $ROLE $E --query stateMachineArn --output text)
DX=$(aws stepfunctions start-execution --state-machine-arn $DM --input '[1,2]' $E --query executionArn --output text); sleep 0.3
MR=$(aws stepfunctions list-map-runs --execution-arn $DX $E --query 'mapRuns[0].mapRunArn' --output text)
run list-map-runs --execution-arn $DX
run describe-map-run --map-run-arn $MR
run update-map-run --map-run-arn $MR --max-concurrency 3
run delete-activity --activity-arn $A
run delete-state-machine-alias --state-machine-alias-arn $M:prod
run delete-state-machine-version --state-machine-version-arn $M:1
run delete-state-machine --state-machine-arn $M
echo "ok=$ok bad=$bad"
[ "$bad" -eq 0 ]
