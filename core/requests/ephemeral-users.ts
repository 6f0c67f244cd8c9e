import { createHash } from 'node:crypto';
import type { Engine } from '#core/cache/engine';
import { ENGINES } from '#core/cache/engines';
import { generatePassword } from '#core/cache/password';
import type { GroupDirectories, Tags, UserDirectories } from '#core/cache/ports';
import { type CacheGroupRef, type CacheUserRef, memberOf } from '#core/cache/refs';
import { parseSecret } from '#core/rotation/secret';
import type { Deadline } from '#core/runtime/deadline';
import type { DecisionLog } from '#core/runtime/decision-log';
import { GroupNotFoundError, UserBusyError } from '#core/runtime/errors';
import { quoted } from '#core/runtime/quoted';
import { retryUntil } from '#core/runtime/retry';
import type { CredentialVault } from './credential-vault';
import { EPHEMERAL_TAGS, type EphemeralNames } from './ephemeral-names';
import type { EphemeralRule } from './ephemeral-rule';
import type { RequestedGrant } from './records';

const PASSWORD_LENGTH = 64;

/** Short enough for both services' 40-character ids, long enough that two requests never share one. */
const digestOf = (requestId: string) => createHash('sha256').update(requestId).digest('hex').slice(0, 16);

/** The user a request makes: the same for every delivery of the request, so a redelivery finds it. */
export function ephemeralUserId(prefix: string, requestId: string): string {
  return `${prefix}${digestOf(requestId)}`;
}

function ephemeralSecretName(prefix: string, requestId: string): string {
  return `${prefix}${digestOf(requestId)}`;
}

/**
 * The ClientRequestToken of the secret's one value, UUID-shaped as Secrets Manager asks: the same for every
 * attempt, so two attempts that both found the secret empty cannot leave two passwords.
 */
function versionTokenOf(requestId: string): string {
  const hex = createHash('sha256').update(`value of ${requestId}`).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join(
    '-',
  );
}

/**
 * Only the reader may read the credentials: an Allow for that one principal, and a Deny for any other
 * principal of any account, identity policies that allow every secret included. The function keeps
 * what it needs to repair a half-made user.
 */
export function readerOnlyPolicy(secretArn: string, reader: string, functionRoleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReaderReads',
        Effect: 'Allow',
        Principal: { AWS: reader },
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: secretArn,
      },
      {
        Sid: 'NobodyElseReads',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: secretArn,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [reader, functionRoleArn] } },
      },
    ],
  });
}

export interface EphemeralUsersDeps {
  readonly users: UserDirectories;
  readonly groups: GroupDirectories;
  readonly vault: CredentialVault;
  readonly names: EphemeralNames;
  readonly logDecision?: DecisionLog;
}

/** Polls a fresh user often: it is usable within seconds, and the request waits on it. */
const STATUS_POLL = { initialMs: 200, maxMs: 2_000, factor: 2 };

/**
 * The life of a user made for one request: its secret first, empty, then the reader-only policy, then
 * the value (the secret holds the one copy of the password, so a retry after a crash uses the same one),
 * then the user; at the end the user, then the secret. Each step finds what an earlier attempt did and
 * goes on from there.
 */
export class EphemeralUsers {
  constructor(private readonly deps: EphemeralUsersDeps) {}

  /** The user id and secret name a request's user gets. */
  namesFor(requestId: string): { readonly user: string; readonly secretName: string } {
    return {
      user: ephemeralUserId(this.deps.names.userPrefix, requestId),
      secretName: ephemeralSecretName(this.deps.names.secretPrefix, requestId),
    };
  }

  /**
   * Makes the grant's secret and user and waits until the user is active: the secret's ARN, or why the
   * reader cannot have it (then nothing of the grant is left: no secret, no user).
   */
  async provision(
    grant: RequestedGrant,
    rule: EphemeralRule,
    group: CacheGroupRef,
    deadline: Deadline,
  ): Promise<{ readonly secretArn: string } | { readonly refusal: string }> {
    const user = memberOf(group, grant.user);
    const facts = ephemeralOf(grant);
    const tags: Tags = {
      [EPHEMERAL_TAGS.request]: grant.requestId,
      [EPHEMERAL_TAGS.expiresAt]: grant.expiresAt,
    };
    const { vault } = this.deps;
    const secretArn = await vault.ensure(
      facts.secretName,
      tags,
      `Credentials of ephemeral ${ENGINES[group.engine].label} user ${grant.user} for request ${grant.requestId}, until ${grant.expiresAt}`.slice(
        0,
        2048,
      ),
    );
    const policy = readerOnlyPolicy(secretArn, facts.reader, this.deps.names.functionRoleArn);
    if ((await vault.restrict(secretArn, policy)) === 'unknown-principal') {
      // A user an earlier attempt made, while the reader still existed, goes with the secret.
      await this.remove(user, facts.secretName, deadline);
      this.deps.logDecision?.('ephemeral reader refused', {
        requestId: grant.requestId,
        reader: facts.reader,
      });
      return {
        refusal: `reader ${quoted(facts.reader)} is not an existing IAM role or user: Secrets Manager refused it as the principal of the secret's policy; nothing was made, ask again naming a reader that exists`,
      };
    }
    // The value goes in only behind the policy; an earlier attempt's value is the one the user may have.
    const found = await vault.read(secretArn);
    const value =
      found ??
      (await vault.store(
        secretArn,
        versionTokenOf(grant.requestId),
        JSON.stringify({
          username: grant.user,
          password: generatePassword(PASSWORD_LENGTH),
          user_arn: user.arn,
          expires_at: grant.expiresAt,
        }),
      ));
    // A value found from an earlier attempt is checked without ever reaching an error.
    const { password } = parseSecret(value, `secret ${secretArn}`, user.arn);
    const made = await this.deps.users[group.engine].createUser(user, {
      userName: grant.user,
      accessString: rule.accessString,
      password,
      ...(group.engine === 'elasticache' && { serverEngine: await this.serverEngineOf(group) }),
      tags,
    });
    await this.waitActive(user, deadline);
    // A user left by an attempt whose secret was lost since must take the password the secret now holds.
    if (made === 'exists' && found === undefined) {
      await this.deps.users[group.engine].setPasswords(user, [password]);
      await this.waitActive(user, deadline);
    }
    this.deps.logDecision?.('ephemeral user ready', {
      requestId: grant.requestId,
      user: user.arn,
      secretArn,
    });
    return { secretArn };
  }

  /** Deletes the grant's user (which leaves every group with it), waits until it is gone, then its secret. */
  async retire(grant: RequestedGrant, group: CacheGroupRef, deadline: Deadline): Promise<void> {
    await this.remove(memberOf(group, grant.user), ephemeralOf(grant).secretName, deadline);
    this.deps.logDecision?.('ephemeral user deleted', { requestId: grant.requestId, user: grant.user });
  }

  /**
   * Users and secrets with this stack's prefixes whose request is not open (ended, or never recorded):
   * what a crash between two steps can leave. Only what carries this stack's request tag is touched.
   * Returns what was removed and how many of this stack's users were left because their request is open.
   */
  async sweep(
    regions: readonly { readonly engine: Engine; readonly group: CacheGroupRef }[],
    isOpen: (requestId: string) => Promise<boolean>,
    deadline: Deadline,
  ): Promise<{ readonly removed: string[]; readonly alive: number }> {
    const removed: string[] = [];
    let alive = 0;
    for (const { engine, group } of regions) {
      for (const listed of await this.deps.users[engine].listUsers(
        group.region,
        this.deps.names.userPrefix,
      )) {
        const user = memberOf(group, listed.id);
        const requestId = (await this.deps.users[engine].tagsOf(user))?.[EPHEMERAL_TAGS.request];
        if (requestId === undefined) continue;
        if (await isOpen(requestId)) {
          alive += 1;
          continue;
        }
        await this.remove(user, ephemeralSecretName(this.deps.names.secretPrefix, requestId), deadline);
        removed.push(user.arn);
      }
    }
    for (const secret of await this.deps.vault.list(this.deps.names.secretPrefix)) {
      const requestId = secret.tags[EPHEMERAL_TAGS.request];
      if (requestId === undefined || (await isOpen(requestId))) continue;
      await this.deps.vault.remove(secret.arn);
      removed.push(secret.arn);
    }
    if (removed.length > 0)
      this.deps.logDecision?.('orphaned ephemeral users and secrets deleted', { removed });
    return { removed, alive };
  }

  private async remove(user: CacheUserRef, secretName: string, deadline: Deadline): Promise<void> {
    const users = this.deps.users[user.engine];
    // A user still being created or modified refuses deletion for a moment.
    await retryUntil(`${user.arn} to accept deletion`, deadline, () => users.deleteUser(user), {
      isRetryable: (error) => error instanceof UserBusyError,
      backoff: STATUS_POLL,
    });
    await retryUntil(
      `${user.arn} to be deleted`,
      deadline,
      async () => ((await users.describeUser(user)) === undefined ? true : undefined),
      { backoff: STATUS_POLL },
    );
    await this.deps.vault.remove(secretName);
  }

  private async waitActive(user: CacheUserRef, deadline: Deadline): Promise<void> {
    await retryUntil(
      `${user.arn} to be active`,
      deadline,
      async () =>
        (await this.deps.users[user.engine].describeUser(user))?.status === 'active' ? true : undefined,
      { backoff: STATUS_POLL },
    );
  }

  /** ElastiCache makes a user for one engine; a valkey group takes valkey users, a redis group redis ones. */
  private async serverEngineOf(group: CacheGroupRef) {
    const state = (await this.deps.groups[group.engine].describeGroups([group])).get(group.arn);
    if (!state) throw new GroupNotFoundError(`group ${group.arn} does not exist`);
    return state.serverEngine ?? 'redis';
  }
}

function ephemeralOf(grant: RequestedGrant) {
  if (!grant.ephemeral) throw new TypeError(`grant ${grant.requestId} has no ephemeral user`);
  return grant.ephemeral;
}
