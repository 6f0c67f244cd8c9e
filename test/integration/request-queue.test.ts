import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Engine } from '../../local';
import {
  busEvent,
  GROUP_MODIFY,
  groupArnOf,
  samplePassword,
  startMembershipFunction,
  uniqueName,
} from '../../local';
import { useLocalCloud } from '../support/local-cloud';
import { pointSdkAt } from '../support/sdk-env';

const bundle = inject('bundles').membership ?? '';
const BUS = 'cache-access';
const GROUPS = 3;
const USERS_PER_GROUP = 4;

describe.each<Engine>(['elasticache', 'memorydb'])(
  'bursts of access events through the request queue on %s',
  (engine) => {
    const cloud = useLocalCloud();
    let restoreEnv: () => void;
    let sqs: SQSClient;
    beforeAll(() => {
      restoreEnv = pointSdkAt(cloud.aws.env());
      sqs = new SQSClient({ region: 'eu-west-1', endpoint: cloud.aws.env().AWS_ENDPOINT_URL_SQS });
    });
    afterAll(() => {
      sqs?.destroy();
      restoreEnv?.();
    });

    /** Groups, each with users who may ask for it and log in only while members. */
    async function arrange(groupCount = GROUPS) {
      const teams = await Promise.all(
        Array.from({ length: groupCount }, async () => {
          const id = uniqueName('grp');
          await cloud.aws.groups.create({ engine, id, members: [] });
          const users = await Promise.all(
            Array.from({ length: USERS_PER_GROUP }, async () => {
              const name = uniqueName('usr');
              const password = samplePassword();
              await cloud.aws.users.create({
                engine,
                id: name,
                passwords: [password],
                governedByGroups: true,
              });
              return { name, password };
            }),
          );
          return { id, arn: groupArnOf(engine, id), users };
        }),
      );
      const rules = teams.map((team, n) => ({
        name: `team-${n}`,
        groupArn: team.arn,
        users: team.users.map((user) => user.name),
      }));
      return { teams, rules };
    }

    const request = (groupArn: string, user: string) => ({
      requestId: uniqueName('REQ'),
      groupArn,
      user,
      duration: 'PT1H',
      requestedBy: 'lead@example.com',
      reason: 'INC-77: all hands',
    });
    const announced = (detailType: string, requestId: string) =>
      cloud.aws.events.entries.filter(
        (event) =>
          event.detailType === detailType && (event.detail as { requestId?: string }).requestId === requestId,
      );
    const modifiesOf = (arn: string) =>
      cloud.aws
        .callsOf(GROUP_MODIFY[engine])
        .filter((call) => JSON.stringify(call.params).includes(arn.split(/[:/]/).at(-1) ?? arn));
    const canLogIn = (user: { name: string; password: string }) =>
      cloud.redis.authenticates(user.name, user.password);

    async function start(rules: unknown[], options: Parameters<typeof startMembershipFunction>[3] = {}) {
      const fn = await startMembershipFunction(bundle, cloud.aws, [], {
        requests: { eventBusName: BUS, rules: rules as never },
        ...options,
      });
      cloud.fn = fn;
      return fn;
    }

    it('handles a lone request at once, without the queue', async () => {
      // Arrange
      const { teams, rules } = await arrange(1);
      const [team] = teams;
      const [user] = team?.users ?? [];
      const fn = await start(rules);
      const asked = request(team?.arn ?? '', user?.name ?? '');

      // Act
      const deferred = cloud.aws.callsOf('SendMessage', 'sqs').length;
      const answer = await fn.invoke(busEvent('Cache Access Requested', asked));

      // Assert
      expect(answer).toMatchObject({ ok: true, result: { access: 'granted' } });
      expect(await canLogIn(user ?? { name: '', password: '' })).toBe(true);
      expect(cloud.aws.callsOf('SendMessage', 'sqs')).toHaveLength(deferred);
    });

    it('lets a revocation through at once while another event holds the lane: taking access away never waits in the queue', async () => {
      // Arrange: one user granted, then a slow request holding the lane
      const { teams, rules } = await arrange(2);
      const [first, second] = teams;
      const fn = await start(rules);
      const granted = request(first?.arn ?? '', first?.users[0]?.name ?? '');
      await fn.invoke(busEvent('Cache Access Requested', granted));
      cloud.aws.setDelays({ groupDelayMs: 3_000 });
      const slow = fn.invoke(
        busEvent('Cache Access Requested', request(second?.arn ?? '', second?.users[0]?.name ?? '')),
      );
      while (cloud.aws.callsOf(GROUP_MODIFY[engine]).length < 2) await new Promise((r) => setTimeout(r, 20));

      const deferred = cloud.aws.callsOf('SendMessage', 'sqs').length;

      // Act
      const revoked = await fn.invoke(
        busEvent('Cache Access Revoked', {
          requestId: granted.requestId,
          revokedBy: 'soc@example.com',
          reason: 'INC-9',
        }),
      );

      // Assert
      expect(revoked).toMatchObject({ ok: true, result: { access: 'revoked' } });
      expect(await canLogIn(first?.users[0] ?? { name: '', password: '' })).toBe(false);
      expect(cloud.aws.callsOf('SendMessage', 'sqs')).toHaveLength(deferred);
      await slow;
    }, 60_000);

    it('coalesces a burst: every request granted and announced once, each group changed at most twice, every user in', async () => {
      // Arrange
      const { teams, rules } = await arrange();
      const fn = await start(rules);
      const asks = teams.flatMap((team) => team.users.map((user) => request(team.arn, user.name)));

      // Act: all at once, as EventBridge invokes the function for each
      const answers = await Promise.all(
        asks.map((asked) => fn.invoke(busEvent('Cache Access Requested', asked))),
      );
      await fn.batches?.settled({ timeoutMs: 30_000 });

      // Assert
      expect(answers.every((answer) => answer.ok)).toBe(true);
      const queued = answers.filter((answer) => (answer.result as { access?: string }).access === 'queued');
      expect(queued.length).toBeGreaterThan(0);
      for (const asked of asks) expect(announced('Cache Access Granted', asked.requestId)).toHaveLength(1);
      for (const team of teams) {
        // One change straight away for the event that found the lane free, one per batch for the rest.
        expect(modifiesOf(team.arn).length).toBeLessThanOrEqual(2);
        for (const user of team.users) expect(await canLogIn(user)).toBe(true);
      }
      expect(fn.batches?.invocations.length).toBeLessThanOrEqual(2);
    });

    it('sets a poison event aside in the failure queue after its retries, without holding up the others in its batch', async () => {
      // Arrange: a rule for a group the cache does not have, so settling it fails every time
      const { teams, rules } = await arrange(1);
      const missing = groupArnOf(engine, uniqueName('gone'));
      const ghost = uniqueName('ghost');
      await cloud.aws.users.create({
        engine,
        id: ghost,
        passwords: [samplePassword()],
        governedByGroups: true,
      });
      const fn = await start([...rules, { name: 'gone', groupArn: missing, users: [ghost] }], {
        batching: { maxReceiveCount: 2, windowMs: 300 },
      });
      const [team] = teams;
      const good = request(team?.arn ?? '', team?.users[0]?.name ?? '');
      const poison = request(missing, ghost);
      const queueUrl = fn.requestQueue?.url ?? '';

      // Act
      for (const body of [
        busEvent('Cache Access Requested', poison),
        busEvent('Cache Access Requested', good),
        'not json',
      ]) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
          }),
        );
      }
      await fn.batches?.settled({ timeoutMs: 60_000 });

      // Assert
      expect(announced('Cache Access Granted', good.requestId)).toHaveLength(1);
      expect(await canLogIn(team?.users[0] ?? { name: '', password: '' })).toBe(true);
      const failed = cloud.aws.sqs
        .contents(fn.requestFailures?.arn ?? '')
        .visible.map((message) => message.body);
      expect(failed).toHaveLength(2);
      expect(failed.some((body) => body.includes(poison.requestId))).toBe(true);
      expect(failed).toContain('not json');
      expect(announced('Cache Access Granted', poison.requestId)).toHaveLength(0);
      expect(fn.logs.join('\n')).toContain('is not an access event from the bus');
    }, 90_000);

    it('loses nothing when the invocation dies midway through a batch: the redelivered events converge', async () => {
      // Arrange: group changes slow enough to stop the function in the middle of one
      const { teams, rules } = await arrange(2);
      // The shortest the event source allows: a message hides for as long as the function may run.
      const batching = { functionTimeoutMs: 12_000, visibilityTimeoutSeconds: 12, windowMs: 200 };
      const first = await start(rules, { batching });
      const asks = teams.flatMap((team) => team.users.map((user) => request(team.arn, user.name)));
      cloud.aws.setDelays({ groupDelayMs: 3_000 });
      for (const asked of asks) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: first.requestQueue?.url ?? '',
            MessageBody: JSON.stringify(busEvent('Cache Access Requested', asked)),
          }),
        );
      }
      const changed = async () => {
        while (teams.every((team) => modifiesOf(team.arn).length === 0))
          await new Promise((r) => setTimeout(r, 50));
      };
      await changed();

      // Act: the environment dies; a new one starts on the same table and queues
      await first.stop();
      cloud.aws.setDelays({ groupDelayMs: 0 });
      const second = await start(rules, {
        batching,
        tableName: first.tableName,
        ...(first.requestQueue &&
          first.requestFailures && {
            queues: { requestQueue: first.requestQueue, requestFailures: first.requestFailures },
          }),
      });
      await second.batches?.settled({ timeoutMs: 60_000 });

      // Assert
      for (const asked of asks) expect(announced('Cache Access Granted', asked.requestId)).toHaveLength(1);
      for (const team of teams) for (const user of team.users) expect(await canLogIn(user)).toBe(true);
      expect(cloud.aws.sqs.contents(first.requestFailures?.arn ?? '').visible).toHaveLength(0);
    }, 90_000);
  },
);
