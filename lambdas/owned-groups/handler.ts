import { cacheDirectories } from '#core/cache/adapters/directories';
import type { CacheGroupRef } from '#core/cache/refs';
import {
  answer,
  type CustomResourceEvent,
  ownedGroupSpec,
  parseCustomResourceEvent,
} from '#core/owned-groups/custom-resource';
import { OwnedGroups } from '#core/owned-groups/owned-groups';
import type { Deadline } from '#core/runtime/deadline';
import { OwnedGroupRunError } from '#core/runtime/errors';
import { defineHandler } from '#core/runtime/handler';
import { OWNED_GROUP_METRICS } from '#core/runtime/metric-names';

const fn = defineHandler({
  serviceName: OWNED_GROUP_METRICS.service,
  activity: 'owned group deploy step',
  subject: 'custom resource event',
  succeededMetric: OWNED_GROUP_METRICS.succeeded,
  failedMetric: OWNED_GROUP_METRICS.failed,
  failure: OwnedGroupRunError,
});

const cache = cacheDirectories({ onThrottled: fn.countThrottled });
const owned = new OwnedGroups({ groups: cache, users: cache, logDecision: fn.logDecision });

export interface OwnedGroupResult {
  readonly requestType: string;
  readonly physicalResourceId: string;
  readonly outcome: string;
}

/** CloudFormation waits for an answer to every request: a failure is answered first, then raised. */
export const handler = fn.handler(async (event, { deadline, workingOn }): Promise<OwnedGroupResult> => {
  const request = parseCustomResourceEvent(event);
  workingOn(`${request.RequestType} of ${request.LogicalResourceId}`, {
    requestType: request.RequestType,
    logicalResourceId: request.LogicalResourceId,
  });
  try {
    const { outcome, group } = await apply(request, deadline);
    const physicalResourceId = group?.arn ?? physicalIdOf(request);
    await answer(request, {
      status: 'SUCCESS',
      physicalResourceId,
      ...(group && { data: { GroupArn: group.arn, GroupId: group.id } }),
    });
    return { requestType: request.RequestType, physicalResourceId, outcome };
  } catch (error) {
    await answer(request, {
      status: 'FAILED',
      physicalResourceId: physicalIdOf(request),
      reason: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
});

/**
 * The group's ARN is its physical id: a new ARN is a new group, and CloudFormation then deletes the old
 * one. A create that failed before its properties were read gets an id that names no group.
 */
function physicalIdOf(request: CustomResourceEvent): string {
  if (request.RequestType !== 'Create') return request.PhysicalResourceId;
  const arn = (request.ResourceProperties as { GroupArn?: unknown } | undefined)?.GroupArn;
  return typeof arn === 'string' && arn.length <= 1024 ? arn : `unmade-${request.RequestId}`.slice(0, 1024);
}

async function apply(
  request: CustomResourceEvent,
  deadline: Deadline,
): Promise<{ readonly outcome: string; readonly group?: CacheGroupRef }> {
  if (request.RequestType === 'Delete') {
    // Nothing was ever made from properties that do not parse, and a stack must always be deletable.
    let spec: ReturnType<typeof ownedGroupSpec>;
    try {
      spec = ownedGroupSpec(request.ResourceProperties, request.StackId);
    } catch (error) {
      fn.logDecision('delete of a resource whose properties never made a group', { error: String(error) });
      return { outcome: 'nothing to delete' };
    }
    if (spec.RemovalPolicy !== 'destroy') return { outcome: 'retained' };
    return { outcome: await owned.destroy(spec, deadline) };
  }
  const spec = ownedGroupSpec(request.ResourceProperties, request.StackId);
  if (request.RequestType === 'Create' || request.PhysicalResourceId !== spec.group.arn) {
    await owned.create(spec, deadline);
    return { outcome: 'created', group: spec.group };
  }
  await owned.update(spec, deadline);
  return { outcome: 'updated', group: spec.group };
}
