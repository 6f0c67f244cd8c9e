import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { failedRead, type Row } from './rows';

const CHECK = 'secret rotation';
/**
 * How long past its NextRotationDate a secret may go unrotated: Secrets Manager starts a rotation
 * somewhere in its window (up to a day) and a failed one is retried for a while.
 */
export const OVERDUE_AFTER_MS = 24 * 3_600_000;

/**
 * One row per rotated secret: rotation on, rotated at least once and not overdue, and no pending
 * version left behind by a rotation that did not finish (its step failed; the function's log says which).
 */
export async function rotationRows(
  client: SecretsManagerClient,
  secretArns: readonly string[],
  now: Date,
): Promise<Row[]> {
  if (secretArns.length === 0) {
    return [{ check: CHECK, subject: '-', status: 'skip', detail: 'the stack rotates no secret' }];
  }
  return Promise.all(secretArns.map((arn) => rotationRow(client, arn, now)));
}

async function rotationRow(client: SecretsManagerClient, arn: string, now: Date): Promise<Row> {
  let secret: Awaited<ReturnType<typeof describe>>;
  try {
    secret = await describe(client, arn);
  } catch (error) {
    return failedRead(CHECK, arn, error);
  }
  const { Name, RotationEnabled, LastRotatedDate, NextRotationDate, DeletedDate } = secret;
  const problems: string[] = [];
  // Its value can no longer be read: every client of the secret fails once the window ends.
  if (DeletedDate) problems.push(`it is scheduled for deletion since ${DeletedDate.toISOString()}`);
  if (RotationEnabled !== true) problems.push('rotation is disabled');
  const stuck = Object.entries(secret.VersionIdsToStages ?? {}).find(
    ([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'),
  );
  if (stuck) {
    problems.push(`the last rotation did not finish: version ${stuck[0]} is still AWSPENDING`);
  }
  if (LastRotatedDate === undefined) problems.push('it has never rotated');
  if (NextRotationDate && NextRotationDate.getTime() + OVERDUE_AFTER_MS < now.getTime()) {
    problems.push(`rotation is overdue: the next one was due ${NextRotationDate.toISOString()}`);
  }
  const dates = `last rotated ${LastRotatedDate?.toISOString() ?? 'never'}, next ${NextRotationDate?.toISOString() ?? 'not scheduled'}`;
  return {
    check: CHECK,
    subject: Name ?? arn,
    status: problems.length > 0 ? 'fail' : 'ok',
    detail: problems.length > 0 ? `${problems.join('; ')} (${dates})` : dates,
  };
}

const describe = (client: SecretsManagerClient, arn: string) =>
  client.send(new DescribeSecretCommand({ SecretId: arn }));
