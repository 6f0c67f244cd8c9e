import { describe, expect, it } from 'vitest';
import {
  type RotationTarget,
  readRotationTargetsFile,
  rotationTargetsFileContent,
  type StackSecrets,
  TargetRegistry,
} from '#core/rotation/targets';
import { DeployedConfigError } from '#core/runtime/errors';

const EXISTING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf';
const CREATED = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:RotationSecretB12345-Qwerty-GhIjKl';
const targets: RotationTarget[] = [
  {
    secretArn: EXISTING,
    userArn: 'arn:aws:elasticache:eu-west-1:123456789012:user:a',
    endpoint: { host: 'h', port: 6379, tls: true },
  },
  { secretLogicalId: 'RotationSecretB12345', userArn: 'arn:aws:memorydb:eu-west-1:123456789012:user/b' },
];

/** A stack whose resource list the test controls, counting how often it is read. */
function stack(secrets: Record<string, string>) {
  const reads = { count: 0 };
  const port: StackSecrets = {
    secretArnsByLogicalId: async () => {
      reads.count += 1;
      return new Map(Object.entries(secrets));
    },
  };
  return { port, reads, secrets };
}

const roundTrip = (list: readonly RotationTarget[]) =>
  readRotationTargetsFile(rotationTargetsFileContent(list), 'rotation-targets.json');

describe('TargetRegistry', () => {
  it('finds an existing secret by its ARN without reading the stack', async () => {
    const { port, reads } = stack({ RotationSecretB12345: CREATED });
    const registry = new TargetRegistry(roundTrip(targets), port);

    const found = await registry.find(EXISTING);

    expect(found).toMatchObject({ secretArn: EXISTING, user: { engine: 'elasticache', id: 'a' } });
    expect(found?.endpoint).toEqual({ host: 'h', port: 6379, tls: true });
    expect(reads.count).toBe(0);
  });

  it("finds a created secret by the ARN the stack's resource list gives its logical id, reading the list once", async () => {
    const { port, reads } = stack({ RotationSecretB12345: CREATED, Other: 'arn:other' });
    const registry = new TargetRegistry(roundTrip(targets), port);

    const first = await registry.find(CREATED);
    const again = await registry.find(CREATED);

    expect(first).toMatchObject({ secretArn: CREATED, user: { engine: 'memorydb', id: 'b' } });
    expect(again).toEqual(first);
    expect(reads.count).toBe(1);
    expect(registry.size).toBe(2);
  });

  it('refuses a secret of the stack that no target names, and one outside it, re-reading at most every 30 s', async () => {
    let now = 0;
    const { port, reads } = stack({
      RotationSecretB12345: CREATED,
      Other: 'arn:aws:secretsmanager:x:1:secret:o',
    });
    const registry = new TargetRegistry(roundTrip(targets), port, () => now);

    expect(await registry.find('arn:aws:secretsmanager:x:1:secret:o')).toBeUndefined();
    expect(await registry.find('arn:aws:secretsmanager:x:1:secret:imposter')).toBeUndefined();
    const readsWithin30s = reads.count;
    now = 30_000;
    expect(await registry.find('arn:aws:secretsmanager:x:1:secret:imposter')).toBeUndefined();

    expect(readsWithin30s).toBe(1);
    expect(reads.count).toBe(2);
  });

  it('finds a secret the stack created after the list was first read, once the list is re-read', async () => {
    let now = 0;
    const fixture = stack({});
    const registry = new TargetRegistry(roundTrip(targets), fixture.port, () => now);
    expect(await registry.find(CREATED)).toBeUndefined();

    fixture.secrets.RotationSecretB12345 = CREATED;
    now = 31_000;

    expect(await registry.find(CREATED)).toMatchObject({ secretArn: CREATED });
  });

  it('asks the stack again after a failed read instead of keeping the failure', async () => {
    let fail = true;
    const registry = new TargetRegistry(roundTrip(targets), {
      secretArnsByLogicalId: async () => {
        if (fail) throw new Error('throttled');
        return new Map([['RotationSecretB12345', CREATED]]);
      },
    });

    await expect(registry.find(CREATED)).rejects.toThrow('throttled');
    fail = false;

    expect(await registry.find(CREATED)).toMatchObject({ secretArn: CREATED });
  });

  it('refuses created targets without a stack to read them from', () => {
    expect(() => new TargetRegistry(roundTrip(targets), undefined)).toThrow(DeployedConfigError);
    expect(() => new TargetRegistry(roundTrip(targets), undefined)).toThrow(/no stack to read them from/);
  });
});

describe('the rotation targets file', () => {
  it('refuses content that is not JSON and names the file', () => {
    expect(() => readRotationTargetsFile('[{', 'rotation-targets.json')).toThrow(DeployedConfigError);
    expect(() => readRotationTargetsFile('[{', 'rotation-targets.json')).toThrow(
      'rotation-targets.json is not valid JSON',
    );
  });

  it('refuses targets without a user ARN, with both an ARN and a logical id, or with a logical id no stack could have', () => {
    const bad = (target: unknown) => JSON.stringify({ targets: [target] });
    expect(() => readRotationTargetsFile(bad({ secretArn: 'x' }), 'f')).toThrow(
      /not a list of rotation targets/,
    );
    expect(() =>
      readRotationTargetsFile(bad({ secretArn: 'x', secretLogicalId: 'Y', userArn: 'u' }), 'f'),
    ).toThrow(/not a list of rotation targets/);
    expect(() => readRotationTargetsFile(bad({ secretLogicalId: 'a-b', userArn: 'u' }), 'f')).toThrow(
      /not a list of rotation targets/,
    );
  });
});
