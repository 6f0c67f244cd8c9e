import type { RedisServer } from '../../redis/server';
import type { Timers } from '../timers';
import { aclRules, type Credentials } from './rules';

export type AclDirectory = Pick<
  RedisServer,
  'createUser' | 'setPasswords' | 'setEnabled' | 'disconnect' | 'deleteUser'
>;

/** What redis has to follow: the password set, and whether the user may log in. */
type Lane = 'passwords' | 'login';

/** What the mirror keeps on each user to order its changes. */
export interface MirrorState {
  /** Set once the user is deleted: nothing may reach redis for it any more. */
  gone: boolean;
  /** Per lane, accepted changes so far and the latest one redis has seen: delays may reorder them. */
  readonly lanes: Record<Lane, { changes: number; propagated: number }>;
}

/** A modelled user as its ACL user in redis follows it. */
export interface MirroredUser extends Credentials, MirrorState {
  readonly userName: string;
  /** False for model-only users (the `default` users), which redis never sees. */
  readonly inRedis: boolean;
  readonly loginAllowed: boolean;
}

export function newMirrorState(): MirrorState {
  return {
    gone: false,
    lanes: { passwords: { changes: 0, propagated: 0 }, login: { changes: 0, propagated: 0 } },
  };
}

/**
 * Keeps the ACL users of one redis-server in step with the modelled users. Scheduled changes report failures
 * at `settle()`; an immediate one (test set-up) fails its caller.
 */
export class AclMirror {
  private readonly propagations = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];

  constructor(
    private readonly redis: AclDirectory,
    private readonly timers: Timers,
  ) {}

  async create(user: MirroredUser): Promise<void> {
    if (user.inRedis) {
      await this.redis.createUser(user.userName, aclPasswords(user), {
        enabled: user.loginAllowed && accessOn(user.accessString),
        rules: aclRules(user.accessString),
      });
    }
  }

  /** Redis takes the user's current passwords after `delayMs`. */
  passwordsChanged(user: MirroredUser, delayMs: number): void {
    const passwords = aclPasswords(user);
    this.schedule(user, 'passwords', delayMs, () => this.redis.setPasswords(user.userName, passwords));
  }

  /** Redis follows whether the user may log in after `delayMs`, or with `now` before this resolves. */
  async loginChanged(user: MirroredUser, delayMs: number, now: boolean): Promise<void> {
    const { loginAllowed } = user;
    // An access string without `on` keeps the user off, as it does in redis.
    const enabled = loginAllowed && accessOn(user.accessString);
    const apply = async () => {
      await this.redis.setEnabled(user.userName, enabled);
      // Removing a user from a group closes its open connections, as on AWS.
      if (!loginAllowed) {
        await this.redis.disconnect(user.userName);
      }
    };
    if (!now) {
      this.schedule(user, 'login', delayMs, apply);
    } else if (this.claim(user, 'login', ++user.lanes.login.changes)) {
      await apply();
    }
  }

  // Deleting the ACL user also closes its connections in redis.
  delete(user: MirroredUser): void {
    user.gone = true;
    if (user.inRedis) {
      this.track(this.redis.deleteUser(user.userName));
    }
  }

  /** Waits for the changes already sent to redis and reports any that failed. */
  async settle(): Promise<void> {
    await Promise.all(this.propagations);
    if (this.failures.length > 0) {
      throw new AggregateError(this.failures, 'Propagating changes to redis failed');
    }
  }

  private schedule(user: MirroredUser, lane: Lane, delayMs: number, apply: () => Promise<void>): void {
    const sequence = ++user.lanes[lane].changes;
    this.timers.after(delayMs, () => {
      if (this.claim(user, lane, sequence)) {
        this.track(apply());
      }
    });
  }

  // A change overtaken by a later one that already reached redis is dropped.
  private claim(user: MirroredUser, lane: Lane, sequence: number): boolean {
    const state = user.lanes[lane];
    if (sequence <= state.propagated || !user.inRedis || user.gone) {
      return false;
    }
    state.propagated = sequence;
    return true;
  }

  private track(change: Promise<void>): void {
    const task: Promise<void> = change
      .catch((error: unknown) => {
        this.failures.push(error);
      })
      .finally(() => this.propagations.delete(task));
    this.propagations.add(task);
  }
}

/** Whether the access string turns the user on: the last of `on`/`off` wins; neither leaves it off. */
function accessOn(accessString: string): boolean {
  const states = accessString.split(/\s+/).filter((rule) => rule === 'on' || rule === 'off');
  return states.at(-1) === 'on';
}

// IAM tokens and password-less logins are outside what the harness emulates: such users exist in redis
// but cannot AUTH there.
function aclPasswords({ authType, passwords }: Credentials): readonly string[] {
  return authType === 'password' ? passwords : [];
}
