import { describe, expect, inject, it } from 'vitest';
import type { GrantSpec } from '#core/membership/grant';
import type { Engine, LambdaHost } from '../../local';
import {
  closedWindow,
  GROUP_BUSY,
  GROUP_DESCRIBE,
  GROUP_MODIFY,
  groupArnOf,
  openWindow,
  samplePassword,
  startMembershipFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';

const bundle = inject('bundles').membership ?? '';

describe.each<Engine>(['elasticache', 'memorydb'])('bundled membership function on %s', (engine) => {
  const cloud = useLocalCloud();

  /** Users whose logins follow membership, each with a known password. */
  async function users(...prefixes: string[]) {
    return Promise.all(
      prefixes.map(async (prefix) => {
        const name = uniqueName(prefix);
        const password = samplePassword();
        await cloud.aws.users.create({ engine, id: name, passwords: [password], governedByGroups: true });
        return { name, password };
      }),
    );
  }

  async function group(members: readonly string[]) {
    const id = uniqueName('grp');
    await cloud.aws.groups.create({ engine, id, members });
    return { id, arn: groupArnOf(engine, id) };
  }

  const grant = (
    name: string,
    groupArn: string,
    userNames: string[],
    windows: GrantSpec['windows'],
  ): GrantSpec => ({
    name,
    groupArn,
    users: userNames,
    windows,
  });

  const members = (id: string) => cloud.aws.groups.get(engine, id)?.members ?? [];
  const modifyCalls = () => cloud.aws.callsOf(GROUP_MODIFY[engine]).length;
  const invoke = (groupArn: string) =>
    (cloud.fn as LambdaHost).invoke({
      groupArn,
      trigger: 'window-boundary',
      scheduledTime: new Date().toISOString(),
    });

  it('adds a user inside its window, who can then log in', async () => {
    const [alice] = await users('alice');
    const target = await group([]);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [openWindow()]),
    ]);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(false);

    const result = await invoke(target.arn);

    expect(result.ok).toBe(true);
    expect(result.result).toMatchObject({ groups: [{ added: [alice?.name], removed: [] }] });
    expect(members(target.id)).toContain(alice?.name);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(true);
  });

  it('removes a user outside its window, who then cannot log in', async () => {
    const [alice] = await users('alice');
    const target = await group([alice?.name ?? '']);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [closedWindow()]),
    ]);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(true);

    const result = await invoke(target.arn);

    expect(result.result).toMatchObject({ groups: [{ added: [], removed: [alice?.name] }] });
    expect(members(target.id)).not.toContain(alice?.name);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(false);
  });

  it('never touches the default user or users the plan does not name', async () => {
    const [alice, carol] = await users('alice', 'carol');
    const target = await group([alice?.name ?? '', carol?.name ?? '']);
    const before = members(target.id);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [closedWindow()]),
    ]);

    await invoke(target.arn);

    expect(members(target.id)).toEqual(before.filter((m) => m !== alice?.name));
    expect(members(target.id)).toContain(carol?.name);
    if (engine === 'elasticache') expect(members(target.id)).toContain('default');
    await expect(cloud.redis.authenticates(carol?.name ?? '', carol?.password ?? '')).resolves.toBe(true);
  });

  it('keeps a user while any of its overlapping grants has an open window', async () => {
    const [alice] = await users('alice');
    const target = await group([alice?.name ?? '']);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('expired-contract', target.arn, [alice?.name ?? ''], [closedWindow()]),
      grant('oncall', target.arn, [alice?.name ?? ''], [openWindow()]),
    ]);
    const calls = modifyCalls();

    const result = await invoke(target.arn);

    expect(result.result).toMatchObject({ groups: [{ added: [], removed: [] }] });
    expect(members(target.id)).toContain(alice?.name);
    expect(modifyCalls()).toBe(calls);
  });

  it('converges when the group is modifying and the first calls hit a state fault', async () => {
    const [alice] = await users('alice');
    const target = await group([]);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [openWindow()]),
    ]);
    cloud.aws.setDelays({ groupDelayMs: 200 });
    cloud.aws.groups.holdModifying(engine, target.id, 1_000);
    cloud.aws.failNext(GROUP_MODIFY[engine], GROUP_BUSY[engine], 2, engine);
    const calls = modifyCalls();

    const result = await invoke(target.arn);

    expect(result.ok).toBe(true);
    expect(modifyCalls() - calls).toBe(3);
    expect(members(target.id)).toContain(alice?.name);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(true);
  });

  it('adds one user and removes another with exactly one modify call and one event', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const target = await group([alice?.name ?? '']);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('day-shift', target.arn, [alice?.name ?? ''], [closedWindow()]),
      grant('night-shift', target.arn, [bob?.name ?? ''], [openWindow()]),
    ]);
    const [calls, events] = [modifyCalls(), cloud.aws.events.entries.length];

    const result = await invoke(target.arn);

    expect(result.result).toMatchObject({ groups: [{ added: [bob?.name], removed: [alice?.name] }] });
    expect(modifyCalls() - calls).toBe(1);
    const published = cloud.aws.events.entries.slice(events);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      source: 'cache-access-automation',
      detailType: 'Cache Membership Changed',
      eventBusName: 'default',
      detail: {
        groupArn: target.arn,
        added: [bob?.name],
        removed: [alice?.name],
        grants: ['day-shift', 'night-shift'],
        trigger: 'window-boundary',
      },
    });
    expect(cloud.fn?.logs.some((line) => line.includes('"membership changed"'))).toBe(true);
  });

  it('leaves the group unchanged and names the unknown user when nothing is to be removed', async () => {
    const [alice] = await users('alice');
    const target = await group([]);
    const ghost = uniqueName('ghost');
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [closedWindow()]),
      grant('contractor', target.arn, [ghost], [openWindow()]),
    ]);
    const [before, events] = [members(target.id), cloud.aws.events.entries.length];

    const result = await invoke(target.arn);

    expect(result.ok).toBe(false);
    expect(result.error?.name).toBe('MembershipRunError');
    expect(result.error?.message).toContain(`reconcile of group ${target.arn} failed: user '${ghost}'`);
    expect(result.error?.message).toContain(`'${ghost}' (grant contractor) does not exist`);
    expect(cloud.fn?.logs.some((line) => line.includes('"reason":"UserNotFoundError"'))).toBe(true);
    expect(result.error?.message).toContain('was left unchanged');
    expect(members(target.id)).toEqual(before);
    expect(cloud.aws.events.entries.length).toBe(events);
  });

  it('removes a user whose access ended even when a grant names an unknown user, then fails naming it', async () => {
    // Arrange
    const [alice] = await users('alice');
    const target = await group([alice?.name ?? '']);
    const ghost = uniqueName('ghost');
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, [alice?.name ?? ''], [closedWindow()]),
      grant('contractor', target.arn, [ghost], [openWindow()]),
    ]);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(true);

    // Act
    const result = await invoke(target.arn);

    // Assert: alice is out and cannot log in; the run still fails, naming the unknown user
    expect(members(target.id)).not.toContain(alice?.name);
    await expect(cloud.redis.authenticates(alice?.name ?? '', alice?.password ?? '')).resolves.toBe(false);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toContain(`'${ghost}' (grant contractor) does not exist`);
    expect(result.error?.message).toContain(`(${alice?.name}) were applied on their own`);
    expect(cloud.aws.events.entries.at(-1)?.detail).toMatchObject({ added: [], removed: [alice?.name] });
  });

  it('refuses a scheduled time 31 days ahead and changes nothing', async () => {
    // Arrange: bob's contract starts in 30 days
    const [bob] = await users('bob');
    const target = await group([]);
    const start = Date.now() + 30 * 86_400_000;
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant(
        'contractor',
        target.arn,
        [bob?.name ?? ''],
        [{ start: new Date(start).toISOString(), end: new Date(start + 86_400_000).toISOString() }],
      ),
    ]);
    const [before, calls, events] = [members(target.id), modifyCalls(), cloud.aws.events.entries.length];

    // Act
    const result = await (cloud.fn as LambdaHost).invoke({
      groupArn: target.arn,
      trigger: 'window-boundary',
      scheduledTime: new Date(Date.now() + 31 * 86_400_000).toISOString(),
    });

    // Assert
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/scheduledTime '.*' is \d+ s ahead of this function's clock/);
    expect(members(target.id)).toEqual(before);
    expect(modifyCalls()).toBe(calls);
    expect(cloud.aws.events.entries.length).toBe(events);
  });

  it('answers a 5 MB group ARN with a short error and short logs', async () => {
    // Arrange
    const target = await group([]);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, ['alice'], [openWindow()]),
    ]);
    const logsBefore = cloud.fn.logs.length;

    // Act
    const result = await invoke(`${target.arn}${'x'.repeat(5_000_000)}`);

    // Assert
    expect(result.ok).toBe(false);
    expect(result.error?.message.length).toBeLessThan(1_000);
    expect(cloud.fn.logs.slice(logsBefore).join('\n').length).toBeLessThan(10_000);
  });

  it('reconciles every group of its grants in one invocation, reading them with list calls', async () => {
    // Arrange
    const [alice, bob] = await users('alice', 'bob');
    const first = await group([]);
    const second = await group([bob?.name ?? '']);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('first', first.arn, [alice?.name ?? ''], [openWindow()]),
      grant('second', second.arn, [bob?.name ?? ''], [closedWindow()]),
    ]);
    const { operation, idParam } = GROUP_DESCRIBE[engine];
    const [describesBefore, modifiesBefore] = [cloud.aws.callsOf(operation).length, modifyCalls()];

    // Act
    const result = await (cloud.fn as LambdaHost).invoke({ trigger: 'reconcile' });

    // Assert
    expect(result.ok).toBe(true);
    expect(members(first.id)).toContain(alice?.name);
    expect(members(second.id)).not.toContain(bob?.name);
    expect(modifyCalls() - modifiesBefore).toBe(2);
    const describes = cloud.aws.callsOf(operation).slice(describesBefore);
    expect(describes.length).toBeGreaterThan(0);
    expect(describes.every((call) => call.params[idParam] === undefined)).toBe(true);
  });

  it('refuses a group that is not in its grants', async () => {
    const target = await group([]);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, ['alice'], [openWindow()]),
    ]);

    const result = await invoke(groupArnOf(engine, 'someone-elses'));

    expect(result.error?.message).toMatch(
      /someone-elses' is not in this function's grants; configured groups: .*grp-/,
    );
  });
});

describe('bundled membership function on elasticache, with a UserName clash', () => {
  const cloud = useLocalCloud();

  it('removes a user whose access ended even when an addition clashes with the default user', async () => {
    // Arrange: an impostor whose UserName is `default`, which the group already holds
    const carol = uniqueName('carol');
    const impostor = uniqueName('impostor');
    await cloud.aws.users.create({
      engine: 'elasticache',
      id: carol,
      passwords: [samplePassword()],
      governedByGroups: true,
    });
    await cloud.aws.users.create({
      engine: 'elasticache',
      id: impostor,
      userName: 'default',
      passwords: [],
      authType: 'no-password',
    });
    const id = uniqueName('grp');
    await cloud.aws.groups.create({ engine: 'elasticache', id, members: [carol] });
    const groupArn = groupArnOf('elasticache', id);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      { name: 'night', groupArn, users: [carol], windows: [closedWindow()] },
      { name: 'mistake', groupArn, users: [impostor], windows: [openWindow()] },
    ]);

    // Act
    const result = await cloud.fn.invoke({ groupArn, trigger: 'reconcile' });

    // Assert
    expect(cloud.aws.groups.get('elasticache', id)?.members).toEqual(['default']);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toContain(`users to add: '${impostor}' (grant mistake)`);
    expect(result.error?.message).toContain(`(${carol}) were applied on their own`);
  });
});
