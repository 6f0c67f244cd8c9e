import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { scaleConfig } from '../../bench/scale-config';

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

  it('prints the deploy-time limits a config would exceed as the problems, without a stack trace', {
    timeout: 30_000,
  }, async () => {
    // Arrange: 460 rotation targets, over CloudFormation's 500 resources and IAM's managed policies per role
    const config = join(dir, 'many.json');
    writeFileSync(
      config,
      JSON.stringify(scaleConfig({ targets: 460, createdSecrets: 80, groups: 20, usersPerGroup: 20 })),
    );

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
    // 460 schedules, 80 created secrets, the request queue and the rest; version reporting decides one metadata resource
    expect(stderr).toMatch(
      /would have 60\d resources, over CloudFormation's 500 per stack; split the config across stacks/,
    );
    expect(stderr).toContain("would need 13 managed policies, over IAM's default quota of 10");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('aws-cdk-lib');
  });
});
