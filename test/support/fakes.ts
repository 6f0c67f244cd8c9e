import type { CacheUserState, ListedUser, NewCacheUser, Tags, UserDirectory } from '#core/cache/ports';
import type { CacheGroupRef, CacheUserRef } from '#core/cache/refs';
import {
  AWSCURRENT,
  type CredentialCheck,
  type SecretStore,
  type SecretVersions,
} from '#core/rotation/ports';
import type { Endpoint } from '#core/rotation/targets';
import { type Clock, Deadline } from '#core/runtime/deadline';
import { CredentialRejectedError, UserBusyError } from '#core/runtime/errors';

/** Time that only moves when the code under test sleeps. */
export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += ms;
  };
  /** Jumps to an instant, for tests about the wall clock (windows closing while a run waits). */
  setTime(ms: number): void {
    this.time = ms;
  }
  deadline(ms = 600_000): Deadline {
    return Deadline.after(this, ms, 0);
  }
}

interface Version {
  value?: string;
  stages: Set<string>;
}

/** Secrets Manager's version and label rules, in memory. */
export class FakeSecretStore implements SecretStore {
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;
  writes = 0;

  constructor(currentValue: string, currentVersion = 'v0') {
    this.versions.set(currentVersion, { value: currentValue, stages: new Set([AWSCURRENT]) });
  }

  beginRotation(token: string): void {
    this.removeStage('AWSPENDING');
    this.versions.set(token, { stages: new Set(['AWSPENDING']) });
  }

  stagesOf(version: string): string[] {
    return [...(this.versions.get(version)?.stages ?? [])].sort();
  }

  valueOf(version: string): string | undefined {
    return this.versions.get(version)?.value;
  }

  async describe(): Promise<SecretVersions> {
    return {
      rotationEnabled: this.rotationEnabled,
      stagesByVersion: new Map([...this.versions].map(([id, v]) => [id, [...v.stages]])),
    };
  }

  async getCurrent(): Promise<string> {
    const current = [...this.versions.values()].find((v) => v.stages.has(AWSCURRENT));
    return current?.value ?? '';
  }

  async getPending(_secretId: string, token: string): Promise<string | undefined> {
    const version = this.versions.get(token);
    return version?.stages.has('AWSPENDING') ? version.value : undefined;
  }

  async putPending(_secretId: string, token: string, value: string): Promise<void> {
    this.writes++;
    const version = this.versions.get(token);
    if (version?.value !== undefined && version.value !== value) throw new Error('ResourceExistsException');
    this.removeStage('AWSPENDING');
    this.versions.set(token, { value, stages: new Set([...(version?.stages ?? []), 'AWSPENDING']) });
  }

  async moveStage(_secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    this.writes++;
    const holder = [...this.versions].find(([, v]) => v.stages.has(stage))?.[0];
    if (move.from !== undefined && holder !== move.from) throw new Error('InvalidParameterException');
    if (stage === AWSCURRENT && move.to !== undefined && holder !== undefined && holder !== move.to) {
      this.removeStage('AWSPREVIOUS');
      this.versions.get(holder)?.stages.add('AWSPREVIOUS');
    }
    if (holder !== undefined) this.versions.get(holder)?.stages.delete(stage);
    if (move.to !== undefined) this.versions.get(move.to)?.stages.add(stage);
  }

  private removeStage(stage: string): void {
    for (const version of this.versions.values()) version.stages.delete(stage);
  }
}

export interface FakeUser {
  userName: string;
  status: string;
  authenticationType: string;
  passwords: string[];
}

/** A user API whose user can be made busy for a number of calls or polls. */
export class FakeUsers implements UserDirectory {
  readonly users = new Map<string, FakeUser>();
  busyCalls = 0;
  /** Statuses returned by the next polls, before the user's own status. */
  readonly statusQueue: string[] = [];
  setCalls: string[][] = [];
  /** Every user added or made through createUser, for listUsers, and their tags. */
  private readonly refs = new Map<string, CacheUserRef>();
  private readonly tags = new Map<string, Tags>();

  add(ref: CacheUserRef, user: Partial<FakeUser> = {}): FakeUser {
    const full = {
      userName: ref.id,
      status: 'active',
      authenticationType: 'password',
      passwords: [],
      ...user,
    };
    this.users.set(ref.arn, full);
    this.refs.set(ref.arn, ref);
    return full;
  }

  async describeUser(user: CacheUserRef): Promise<CacheUserState | undefined> {
    const found = this.users.get(user.arn);
    if (!found) return undefined;
    return {
      userName: found.userName,
      status: this.statusQueue.shift() ?? found.status,
      authenticationType: found.authenticationType,
    };
  }

  async createUser(user: CacheUserRef, spec: NewCacheUser): Promise<'created' | 'exists'> {
    if (this.users.has(user.arn)) return 'exists';
    this.add(user, { userName: spec.userName, passwords: [spec.password] });
    this.refs.set(user.arn, user);
    this.tags.set(user.arn, { ...spec.tags });
    return 'created';
  }

  async deleteUser(user: CacheUserRef): Promise<'deleting' | 'absent'> {
    this.refs.delete(user.arn);
    return this.users.delete(user.arn) ? 'deleting' : 'absent';
  }

  async listUsers(region: string, prefix: string): Promise<ListedUser[]> {
    return [...this.refs.values()]
      .filter((ref) => ref.region === region && ref.id.startsWith(prefix))
      .map((ref) => ({ id: ref.id, status: this.users.get(ref.arn)?.status ?? 'active' }));
  }

  async tagsOf(ref: CacheUserRef | CacheGroupRef): Promise<Tags | undefined> {
    return this.users.has(ref.arn) ? (this.tags.get(ref.arn) ?? {}) : undefined;
  }

  async setPasswords(user: CacheUserRef, passwords: readonly string[]): Promise<void> {
    this.setCalls.push([...passwords]);
    if (this.busyCalls > 0) {
      this.busyCalls--;
      throw new UserBusyError(`user ${user.arn} is busy`);
    }
    const found = this.users.get(user.arn);
    if (found) found.passwords = [...passwords];
  }
}

/** Accepts a password the fake user holds, after an optional number of rejections (propagation lag). */
export class FakeCredentials implements CredentialCheck {
  rejections = 0;
  readonly attempts: { host: string; username: string }[] = [];

  constructor(private readonly users: FakeUsers) {}

  async authenticate(endpoint: Endpoint, username: string, password: string): Promise<void> {
    this.attempts.push({ host: endpoint.host, username });
    const user = [...this.users.users.values()].find((u) => u.userName === username);
    if (this.rejections > 0 || !user?.passwords.includes(password)) {
      this.rejections = Math.max(0, this.rejections - 1);
      throw new CredentialRejectedError(`WRONGPASS for ${username}`);
    }
  }
}
