import { describe, expect, inject, it } from 'vitest';
import type { GrantSpec } from '../../lambdas/shared/membership/grant';
import type { Engine, LambdaHost } from '../../local';
import {
  closedWindow,
  GROUP_BUSY,
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
    expect(result.result).toMatchObject({ added: [alice?.name], removed: [] });
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

    expect(result.result).toMatchObject({ added: [], removed: [alice?.name] });
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

    expect(result.result).toMatchObject({ added: [], removed: [] });
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

    expect(result.result).toMatchObject({ added: [bob?.name], removed: [alice?.name] });
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

  it('leaves the group unchanged and names the unknown user', async () => {
    const [alice] = await users('alice');
    const target = await group([alice?.name ?? '']);
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

  it('refuses a group that is not in its grants', async () => {
    const target = await group([]);
    cloud.fn = await startMembershipFunction(bundle, cloud.aws, [
      grant('oncall', target.arn, ['alice'], [openWindow()]),
    ]);

    const result = await invoke(groupArnOf(engine, 'someone-elses'));

    expect(result.error?.message).toMatch(
      /someone-elses is not in this function's grants; configured groups: .*grp-/,
    );
  });
});
