import { z } from 'zod';
import { groupArnProblem, parseGroupArn } from '#core/cache/refs';
import { InvalidEventError } from '#core/runtime/errors';
import { clipped } from '#core/runtime/quoted';
import type { OwnedGroupSpec } from './owned-groups';

/** The custom resource type the stack declares for each owned group. */
export const OWNED_GROUP_RESOURCE_TYPE = 'Custom::CacheAccessOwnedGroup';

/** What the template gives each owned group resource, beside the ServiceToken. */
export const ownedGroupPropertiesSchema = z.object({
  GroupArn: z.string().superRefine((arn, ctx) => {
    const problem = groupArnProblem(arn);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  ServerEngine: z.enum(['redis', 'valkey']).optional(),
  RemovalPolicy: z.enum(['retain', 'destroy']),
});
export type OwnedGroupProperties = z.output<typeof ownedGroupPropertiesSchema>;

const common = {
  ResponseURL: z.url({ protocol: /^https?$/ }),
  StackId: z.string().min(1).max(2048),
  RequestId: z.string().min(1).max(2048),
  LogicalResourceId: z.string().min(1).max(255),
  ResourceType: z.string(),
};
const eventSchema = z.discriminatedUnion('RequestType', [
  z.object({ RequestType: z.literal('Create'), ...common, ResourceProperties: z.unknown() }),
  z.object({
    RequestType: z.literal('Update'),
    ...common,
    PhysicalResourceId: z.string(),
    ResourceProperties: z.unknown(),
    OldResourceProperties: z.unknown(),
  }),
  z.object({
    RequestType: z.literal('Delete'),
    ...common,
    PhysicalResourceId: z.string(),
    ResourceProperties: z.unknown(),
  }),
]);
export type CustomResourceEvent = z.output<typeof eventSchema>;

/** The event, if it carries what is needed to answer CloudFormation; otherwise there is nobody to tell. */
export function parseCustomResourceEvent(event: unknown): CustomResourceEvent {
  const result = eventSchema.safeParse(event);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
    );
    throw new InvalidEventError(
      `not a CloudFormation custom resource event: ${clipped(problems.join('; '))}`,
    );
  }
  return result.data;
}

/** The resource's properties as a group spec; a malformed one says which property and why. */
export function ownedGroupSpec(properties: unknown, owner: string): OwnedGroupSpec & OwnedGroupProperties {
  const result = ownedGroupPropertiesSchema.safeParse(properties);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'properties'}: ${issue.message}`,
    );
    throw new InvalidEventError(`invalid owned group properties: ${clipped(problems.join('; '))}`);
  }
  const group = parseGroupArn(result.data.GroupArn);
  if (group.engine === 'memorydb' && result.data.ServerEngine) {
    throw new InvalidEventError(`MemoryDB ACL ${group.arn} takes no ServerEngine`);
  }
  return { ...result.data, group, serverEngine: result.data.ServerEngine, owner };
}

/** CloudFormation's response document is capped at 4 KB; the reason is what gets cut. */
const MAX_REASON = 2_000;

export interface CustomResourceAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * Tells CloudFormation how the request went, by PUT to the presigned URL it sent. Until this lands the
 * stack waits (up to an hour), so every request is answered, failures included.
 */
export async function answer(event: CustomResourceEvent, result: CustomResourceAnswer): Promise<void> {
  const body = JSON.stringify({
    Status: result.status,
    Reason: result.reason && clippedReason(result.reason),
    PhysicalResourceId: result.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: result.data,
  });
  // The presigned URL was signed for an empty content type.
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body,
  });
  if (!response.ok) {
    throw new InvalidEventError(
      `CloudFormation's response URL refused the answer with HTTP ${response.status}; the stack waits until its timeout`,
    );
  }
}

function clippedReason(reason: string): string {
  return reason.length <= MAX_REASON
    ? reason
    : `${reason.slice(0, MAX_REASON)}… (${reason.length} characters)`;
}
