import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(root, 'examples/own-cdk-app.ts');
const outdir = mkdtempSync(join(tmpdir(), 'own-cdk-app-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the documented example of the constructs in your own CDK app', () => {
  it('is the file the tests run, word for word', () => {
    // Arrange
    const page = readFileSync(join(root, 'docs', 'constructs.md'), 'utf8');

    // Act
    const example = readFileSync(EXAMPLE, 'utf8');

    // Assert
    expect(page).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('synthesizes as a user runs it, importing the package by name', { timeout: 60_000 }, async () => {
    // Act: the way `cdk synth` runs an app, without bundling the functions
    await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), EXAMPLE], {
      cwd: root,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }),
      },
    });

    // Assert
    const template = Template.fromJSON(
      JSON.parse(readFileSync(join(outdir, 'Caches.template.json'), 'utf8')),
    );
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [groupId] = Object.keys(template.findResources('Custom::CacheAccessOwnedGroup'));
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      UserGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-writer-AbCdEf',
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    // The ephemeral users' rights reach only the users under the construct's own prefix.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EphemeralElastiCacheUsers',
            Action: Match.arrayWith(['elasticache:CreateUser', 'elasticache:DeleteUser']),
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  Match.stringLikeRegexp('^:elasticache:eu-west-1:123456789012:user:jit-[0-9a-f]{6}-\\*$'),
                ],
              ],
            },
          }),
        ]),
      },
    });
  });
});
