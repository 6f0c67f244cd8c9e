import { generatePassword } from '#core/cache/password';
import type { CacheUserState, UserDirectories } from '#core/cache/ports';
import type { Deadline } from '#core/runtime/deadline';
import type { DecisionLog } from '#core/runtime/decision-log';
import {
  CredentialRejectedError,
  EndpointUnreachableError,
  RotationStateError,
  UnsupportedAuthenticationError,
  UserBusyError,
  UserMismatchError,
  UserNotFoundError,
} from '#core/runtime/errors';
import { type Backoff, jitteredUpward, type RetryOptions, retryUntil } from '#core/runtime/retry';
import { AWSCURRENT, AWSPENDING, type CredentialCheck, type SecretStore, type SecretVersions } from './ports';
import { type CacheUserSecret, parseSecret } from './secret';
import type { RotationStep } from './steps';
import type { ResolvedTarget } from './targets';

export interface RotatorDeps {
  readonly secrets: SecretStore;
  readonly users: UserDirectories;
  readonly credentials: CredentialCheck;
  readonly passwordLength: number;
  /** Receives what each step decided, for logs. Never given a password. */
  readonly logDecision?: DecisionLog;
}

export interface StepRequest {
  readonly step: RotationStep;
  readonly target: ResolvedTarget;
  readonly token: string;
  readonly deadline: Deadline;
}

/** What a step did, for the log and the step-outcome metric. */
export type StepOutcome = 'done' | 'already-done';

const isUserBusy = (error: unknown) => error instanceof UserBusyError;
const isTransientAuthFailure = (error: unknown) =>
  error instanceof CredentialRejectedError || error instanceof EndpointUnreachableError;

/**
 * A refused AUTH costs no control-plane call, so the live check can afford to look often: the step
 * ends within about one pause (at most 0.3 s) plus one attempt of the moment the new password
 * works, however long propagation takes. Equal jitter keeps rotations of users of the same cache
 * from connecting in step.
 */
const AUTH_RETRY: Backoff = { initialMs: 100, maxMs: 300, factor: 1.5 };
/** Reports put propagation at up to a few minutes; a status look once a minute of refusals is cheap. */
const STATUS_LOOK_WHILE_REFUSED_MS = 60_000;

/**
 * Without an endpoint the user's status is the only signal and every look is a DescribeUsers call.
 * The yardstick is AWS's template (check, then sleep 10 s): with its status reads before and after
 * ModifyUser and in testSecret it makes 15 + ceil(P / 10 s) calls at propagation P. Outside this
 * poll we make 14 (the pending reads that keep createSecret idempotent and finishSecret from
 * promoting an empty version, less the read we skip before ModifyUser), so we may poll at most
 * 1 + ceil(P / 10 s) times: one look straight away (all P = 0 needs), a second no sooner than 10 s
 * later, a third no sooner than 20 s... Polls at 0, 10, 20 s are therefore the fastest schedule that
 * stays at or under the template for every P; a growing backoff (say 0, 3, 10.5, 20.5 s) already
 * costs a fourth call at 20 s. Jitter only upward: a pause under 10 s could cost that extra call.
 */
const SPARSE_STATUS_POLL: RetryOptions = {
  backoff: { initialMs: 10_000, maxMs: 10_000, factor: 1 },
  jitter: jitteredUpward,
};

/**
 * The four-step Secrets Manager rotation protocol for one cache user, written so that every step
 * can run any number of times for the same token and end in the same state.
 */
export class Rotator {
  constructor(private readonly deps: RotatorDeps) {}

  async run(request: StepRequest): Promise<StepOutcome> {
    const { step, target, token } = request;
    const versions = await this.deps.secrets.describe(target.secretArn);
    if (!versions.rotationEnabled) {
      throw new RotationStateError(`rotation is not enabled on secret ${target.secretArn}`);
    }
    const stages = versions.stagesByVersion.get(token);
    if (!stages) {
      throw new RotationStateError(`token ${token} is not a version of secret ${target.secretArn}`);
    }
    if (stages.includes(AWSCURRENT)) return 'already-done';
    if (!stages.includes(AWSPENDING)) {
      throw new RotationStateError(
        `version ${token} of secret ${target.secretArn} is neither AWSCURRENT nor AWSPENDING (it has: ${stages.join(', ') || 'no labels'})`,
      );
    }
    switch (step) {
      case 'createSecret':
        return this.createSecret(request);
      case 'setSecret':
        return this.setSecret(request);
      case 'testSecret':
        return this.testSecret(request);
      case 'finishSecret':
        return this.finishSecret(request, versions);
    }
  }

  private async createSecret({ target, token }: StepRequest): Promise<StepOutcome> {
    const current = await this.readCurrent(target);
    await this.requirePasswordUser(target, current);
    const existing = await this.deps.secrets.getPending(target.secretArn, token);
    if (existing !== undefined) {
      parseSecret(existing, this.label(target, `pending version ${token}`), target.userArn);
      return 'already-done';
    }
    const next: CacheUserSecret = { ...current, password: generatePassword(this.deps.passwordLength) };
    await this.deps.secrets.putPending(target.secretArn, token, JSON.stringify(next));
    this.deps.logDecision?.('new password stored as AWSPENDING', { versionId: token });
    return 'done';
  }

  private async setSecret({ target, token, deadline }: StepRequest): Promise<StepOutcome> {
    const current = await this.readCurrent(target);
    const pending = await this.readPending(target, token);
    if (pending.username !== current.username) {
      throw new UserMismatchError(
        `pending version ${token} of secret ${target.secretArn} changes username from '${current.username}' to '${pending.username}'; a rotation only changes the password`,
      );
    }
    // The list replaces the user's passwords: keeping the current one live means no client that
    // still holds it is locked out until the next rotation drops it.
    const passwords = [...new Set([pending.password, current.password])];
    const directory = this.deps.users[target.user.engine];
    let tries = 0;
    await retryUntil(
      `user ${target.userArn} to accept the new password`,
      deadline,
      async () => {
        // No status read first: the user is nearly always active, and a refusal (InvalidUserState) is
        // as good a check as a read, without its call on every rotation. A user can turn busy at any
        // moment anyway, so only the retry on that fault makes the step safe. Once refused, wait for
        // `active` (failing at once on `deleting`) instead of sending into a busy user again.
        if (tries++ > 0) await this.waitUntilActive(target, deadline);
        await directory.setPasswords(target.user, passwords);
        return true;
      },
      { isRetryable: isUserBusy },
    );
    this.deps.logDecision?.('user now accepts the pending and the current password', {
      passwordCount: passwords.length,
    });
    return 'done';
  }

  private async testSecret({ target, token, deadline }: StepRequest): Promise<StepOutcome> {
    const pendingRaw = await this.deps.secrets.getPending(target.secretArn, token);
    // Called alone (RotateImmediately=false) the pending version may be empty: test what clients use today.
    const candidate =
      pendingRaw === undefined
        ? await this.readCurrent(target)
        : parseSecret(pendingRaw, this.label(target, `pending version ${token}`), target.userArn);
    const tested = pendingRaw === undefined ? AWSCURRENT : AWSPENDING;
    const endpoint = target.endpoint;
    if (!endpoint) {
      await this.waitUntilActive(target, deadline, SPARSE_STATUS_POLL);
      this.deps.logDecision?.('no endpoint configured; live authentication check skipped', { tested });
      return 'done';
    }
    // No status poll: `active` may come seconds before every node takes the password, and the
    // password working is the very thing the step has to prove.
    let lastLook = deadline.clock.now();
    await retryUntil(
      `${endpoint.host}:${endpoint.port} to accept the ${tested} password of '${candidate.username}'`,
      deadline,
      async () => {
        try {
          await this.deps.credentials.authenticate(
            endpoint,
            candidate.username,
            candidate.password,
            deadline,
          );
          return true;
        } catch (error) {
          // Refusals long past any propagation may mean the user is going away; a rare look says so
          // at once instead of at the deadline, and costs nothing while the password is on its way.
          if (
            isTransientAuthFailure(error) &&
            deadline.clock.now() - lastLook >= STATUS_LOOK_WHILE_REFUSED_MS
          ) {
            lastLook = deadline.clock.now();
            await this.requireRotatable(target);
          }
          throw error;
        }
      },
      { isRetryable: isTransientAuthFailure, backoff: AUTH_RETRY },
    );
    this.deps.logDecision?.('password authenticates against the cache', { tested, host: endpoint.host });
    return 'done';
  }

  private async finishSecret({ target, token }: StepRequest, versions: SecretVersions): Promise<StepOutcome> {
    // Refuse to promote an empty version: clients would read a secret with no password.
    await this.readPending(target, token);
    const currentVersion = versionWith(versions, AWSCURRENT);
    await this.deps.secrets.moveStage(target.secretArn, AWSCURRENT, { to: token, from: currentVersion });
    // AWSPENDING stays on the token's version, now current: a label is on one version at most, so
    // no other version holds it and the next rotation starts clean.
    this.deps.logDecision?.('AWSCURRENT moved to the new version', {
      versionId: token,
      previous: currentVersion,
    });
    return 'done';
  }

  private async readCurrent(target: ResolvedTarget): Promise<CacheUserSecret> {
    const raw = await this.deps.secrets.getCurrent(target.secretArn);
    return parseSecret(raw, this.label(target, 'current version'), target.userArn);
  }

  private async readPending(target: ResolvedTarget, token: string): Promise<CacheUserSecret> {
    const raw = await this.deps.secrets.getPending(target.secretArn, token);
    if (raw === undefined) {
      throw new RotationStateError(
        `pending version ${token} of secret ${target.secretArn} has no value yet; createSecret must run first`,
      );
    }
    return parseSecret(raw, this.label(target, `pending version ${token}`), target.userArn);
  }

  private async requirePasswordUser(
    target: ResolvedTarget,
    secret: CacheUserSecret,
  ): Promise<CacheUserState> {
    const user = await this.describe(target);
    if (user.authenticationType !== 'password') {
      throw new UnsupportedAuthenticationError(
        `user ${target.userArn} authenticates with '${user.authenticationType}', not passwords; only password users can be rotated`,
      );
    }
    if (user.userName !== secret.username) {
      throw new UserMismatchError(
        `secret ${target.secretArn} has username '${secret.username}', but user ${target.userArn} logs in as '${user.userName}'`,
      );
    }
    return user;
  }

  private async describe(target: ResolvedTarget): Promise<CacheUserState> {
    const user = await this.deps.users[target.user.engine].describeUser(target.user);
    if (!user) throw new UserNotFoundError(`user ${target.userArn} does not exist`);
    return user;
  }

  /** Only `modifying` ends in `active`; a user that is `deleting` or gone cannot be rotated. */
  private async requireRotatable(target: ResolvedTarget): Promise<boolean> {
    const user = await this.describe(target);
    if (user.status !== 'active' && user.status !== 'modifying') {
      throw new RotationStateError(`user ${target.userArn} is ${user.status}; it cannot be rotated`);
    }
    return user.status === 'active';
  }

  private async waitUntilActive(
    target: ResolvedTarget,
    deadline: Deadline,
    poll: RetryOptions = {},
  ): Promise<void> {
    await retryUntil(
      `user ${target.userArn} to become active`,
      deadline,
      // Waiting out `deleting` would burn the whole invocation, so that fails at once.
      async () => ((await this.requireRotatable(target)) ? true : undefined),
      poll,
    );
  }

  private label(target: ResolvedTarget, version: string): string {
    return `the ${version} of secret ${target.secretArn}`;
  }
}

function versionWith(versions: SecretVersions, stage: string): string | undefined {
  for (const [version, stages] of versions.stagesByVersion) {
    if (stages.includes(stage)) return version;
  }
  return undefined;
}
