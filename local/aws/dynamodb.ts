import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceModule } from './dispatch';

/** Headers dynalite reads; the signature it does not check, but it refuses a request without one. */
const FORWARDED_REQUEST = ['content-type', 'x-amz-target', 'x-amz-date', 'authorization'] as const;
/** What the SDK reads besides the body: the checksum it may verify, and the request id. */
const FORWARDED_RESPONSE = ['x-amz-crc32', 'x-amzn-requestid'] as const;

/**
 * DynamoDB, answered by dynalite: every request goes to it unchanged, so tables, conditions and queries
 * behave as dynalite models them, while the endpoint records each call and what IAM authorizes for it.
 * Only the table and index names are kept in the call log, never an item, key or expression value.
 */
export function dynamoDb(dynaliteUrl: string): ServiceModule {
  return {
    service: 'dynamodb',
    faults: [],
    safeParams: ['TableName', 'IndexName'],
    operations: {},
    forward: async (body: string, headers: IncomingHttpHeaders) => {
      const response = await fetch(dynaliteUrl, {
        method: 'POST',
        headers: Object.fromEntries(
          FORWARDED_REQUEST.flatMap((name) => {
            const value = headers[name];
            return typeof value === 'string' ? [[name, value]] : [];
          }),
        ),
        body,
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? 'application/x-amz-json-1.0',
        body: await response.text(),
        headers: Object.fromEntries(
          FORWARDED_RESPONSE.flatMap((name) => {
            const value = response.headers.get(name);
            return value === null ? [] : [[name, value]];
          }),
        ),
      };
    },
  };
}
