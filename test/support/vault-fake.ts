import type { CredentialVault, ListedSecret } from '#core/requests/credential-vault';

export type VaultCall = 'ensure' | 'restrict' | 'read' | 'store' | 'remove' | 'list';

interface FakeSecret {
  readonly arn: string;
  readonly tags: Record<string, string>;
  policy?: string;
  /** The one value, and the token it was put under; absent until `store`. */
  value?: string;
  token?: string;
  /** Whether the value went in while the secret had no policy: readable by anyone's identity policy. */
  valueBeforePolicy?: boolean;
}

/**
 * Secrets as Secrets Manager keeps them for the vault: made without a value, a policy that may name only
 * principals that exist, one value per client request token, gone at once when deleted. Any call can be
 * made to fail before it touches anything, as a crash or an outage would.
 */
export class FakeVault implements CredentialVault {
  readonly secrets = new Map<string, FakeSecret>();
  /** Every call, in order. */
  readonly calls: VaultCall[] = [];
  /** The roles and users that exist. */
  readonly principals = new Set<string>();
  private readonly failing = new Map<VaultCall, number>();

  /** The next `times` calls of `call` fail before touching anything. */
  failNext(call: VaultCall, times = 1): void {
    this.failing.set(call, times);
  }

  async ensure(name: string, tags: Record<string, string>): Promise<string> {
    this.call('ensure');
    const existing = this.secrets.get(name);
    if (existing) return existing.arn;
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(name, { arn, tags });
    return arn;
  }

  async restrict(arn: string, policy: string): Promise<'restricted' | 'unknown-principal'> {
    this.call('restrict');
    const named = (JSON.parse(policy) as { Statement: { Principal: unknown }[] }).Statement.flatMap(
      ({ Principal }) =>
        typeof Principal === 'object' && Principal !== null ? [(Principal as { AWS: string }).AWS] : [],
    );
    if (!named.every((principal) => this.principals.has(principal))) return 'unknown-principal';
    this.byArn(arn).policy = policy;
    return 'restricted';
  }

  async read(arn: string): Promise<string | undefined> {
    this.call('read');
    return this.byArn(arn).value;
  }

  async store(arn: string, token: string, value: string): Promise<string> {
    this.call('store');
    const secret = this.byArn(arn);
    if (secret.value !== undefined && secret.token === token) return secret.value;
    secret.value = value;
    secret.token = token;
    secret.valueBeforePolicy = secret.policy === undefined;
    return value;
  }

  async remove(nameOrArn: string): Promise<void> {
    this.call('remove');
    for (const [name, secret] of this.secrets)
      if (name === nameOrArn || secret.arn === nameOrArn) this.secrets.delete(name);
  }

  async list(prefix: string): Promise<ListedSecret[]> {
    this.call('list');
    return [...this.secrets]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, secret]) => ({ name, arn: secret.arn, tags: secret.tags }));
  }

  private call(call: VaultCall): void {
    this.calls.push(call);
    const failures = this.failing.get(call) ?? 0;
    if (failures > 0) {
      this.failing.set(call, failures - 1);
      throw new Error(`${call} failed: ServiceUnavailable`);
    }
  }

  private byArn(arn: string): FakeSecret {
    const secret = [...this.secrets.values()].find((candidate) => candidate.arn === arn);
    if (!secret) throw new Error(`ResourceNotFoundException: no secret ${arn}`);
    return secret;
  }
}
