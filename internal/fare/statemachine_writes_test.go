package fare

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The state machine writes two statuses itself, through direct DynamoDB integrations;
// these requests stand in for them so the fare service's reaction can be tested here.
// The end-to-end tests of the local runtime run the definition's own requests.

func completeFare(fareID string) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName:                 aws.String("Fares"),
		Key:                       fareKey(fareID),
		UpdateExpression:          aws.String("SET #status = :s"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: string(Completed)}},
	}
}

func markNeedsAttention(fareID string) *dynamodb.UpdateItemInput {
	in := completeFare(fareID)
	in.ExpressionAttributeValues[":s"] = &types.AttributeValueMemberS{Value: string(NeedsAttention)}
	return in
}
