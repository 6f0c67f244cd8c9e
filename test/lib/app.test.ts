import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'app-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lib/app.ts', () => {
  it('stops a synth with a bad config with the list of problems and no stack trace', {
    timeout: 30_000,
  }, async () => {
    // Arrange
    const config = join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({ rotation: { passwordLength: 200, targets: [{ userArn: 'app-reader' }] } }),
    );

    // Act: the way `cdk synth -c config=...` runs the app
    const failure = await run(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'lib/app.ts')],
      {
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config }), CDK_OUTDIR: join(dir, 'out') },
      },
    ).catch((error: { code: number; stderr: string }) => error);

    // Assert
    expect(failure).toMatchObject({ code: 1 });
    const { stderr } = failure as { stderr: string };
    expect(stderr).toContain(`invalid configuration in ${config}:`);
    expect(stderr).toContain('$.rotation.passwordLength: Too big: expected number to be <=128 (got 200)');
    expect(stderr).toContain('$.rotation.targets[0].userArn: expected arn:aws:elasticache:');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('prints a limit the CDK checks at synth as the problem, without a stack trace', {
    timeout: 30_000,
  }, async () => {
    // Arrange: forty targets with endpoints, far over Lambda's 4 KB environment
    const config = join(dir, 'many.json');
    const targets = Array.from({ length: 40 }, (_, i) => ({
      userArn: `arn:aws:elasticache:eu-west-1:123456789012:user:app-user-${i}`,
      endpoint: { host: `master.prod-cluster-${i}.abcdef.euw1.cache.amazonaws.com` },
    }));
    writeFileSync(config, JSON.stringify({ rotation: { targets } }));

    // Act
    const failure = await run(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'lib/app.ts')],
      {
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ config, 'aws:cdk:bundling-stacks': [] }),
          CDK_OUTDIR: join(dir, 'out-many'),
        },
      },
    ).catch((error: { code: number; stderr: string }) => error);

    // Assert
    expect(failure).toMatchObject({ code: 1 });
    const { stderr } = failure as { stderr: string };
    expect(stderr).toContain("over Lambda's limit of 4096");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('aws-cdk-lib');
  });
});
