import { ACCOUNT } from '../account';
import type { Input } from '../wire/input';
import type { Authorization, RequestScope, ServiceAuthorizations } from './types';

const SCHEDULER = 'scheduler.amazonaws.com';

/**
 * A schedule is authorized on `schedule/<group>/<name>`; creating or updating one also passes its
 * target's role to Scheduler (`iam:PassRole` with `iam:PassedToService`).
 */
export const schedulerAuthorizations: ServiceAuthorizations = {
  CreateSchedule: (input, scope) => withPassRole('CreateSchedule', input, scope),
  UpdateSchedule: (input, scope) => withPassRole('UpdateSchedule', input, scope),
  DeleteSchedule: (input, scope) => [onSchedule('DeleteSchedule', input, scope)],
  GetSchedule: (input, scope) => [onSchedule('GetSchedule', input, scope)],
};

function onSchedule(operation: string, input: Input, { region }: RequestScope): Authorization {
  // The body names the group on create and update, the query string on get and delete.
  const group = input.string('GroupName') ?? input.string('groupName') ?? 'default';
  return {
    action: `scheduler:${operation}`,
    resource: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${group}/${input.string('Name') ?? ''}`,
    context: {},
  };
}

function withPassRole(operation: string, input: Input, scope: RequestScope): Authorization[] {
  const role = input.struct('Target')?.string('RoleArn');
  return [
    onSchedule(operation, input, scope),
    ...(role
      ? [{ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': SCHEDULER } }]
      : []),
  ];
}

/** PutEvents is authorized once per bus its entries name, with their sources and detail-types. */
export const eventBridgeAuthorizations: ServiceAuthorizations = {
  PutEvents: (input, { region }) => {
    const byBus = new Map<string, Input[]>();
    for (const entry of input.structs('Entries') ?? []) {
      const bus = entry.string('EventBusName') ?? 'default';
      byBus.set(bus, [...(byBus.get(bus) ?? []), entry]);
    }
    return [...byBus].map(([bus, entries]) => ({
      action: 'events:PutEvents',
      resource: bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${ACCOUNT}:event-bus/${bus}`,
      context: {
        'events:source': [...new Set(entries.map((entry) => entry.string('Source') ?? ''))],
        'events:detail-type': [...new Set(entries.map((entry) => entry.string('DetailType') ?? ''))],
      },
    }));
  },
};

/** A stack is authorized on `stack/<name>/<id>`: its id, when the caller names the stack by it. */
export const cloudFormationAuthorizations: ServiceAuthorizations = {
  ListStackResources: (input, { region }) => {
    const stack = input.string('StackName') ?? '';
    return [
      {
        action: 'cloudformation:ListStackResources',
        resource: stack.startsWith('arn:')
          ? stack
          : `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stack}/*`,
        context: {},
      },
    ];
  },
};
