// The context object the Lambda runtime passes a handler, with a clock that counts down from
// `timeoutMs` like the real one: the functions bound every wait by it.
export function lambdaContext(requestId, timeoutMs) {
  const started = Date.now();
  return {
    functionName: 'cache-access-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cache-access-test',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/cache-access-test',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
}
