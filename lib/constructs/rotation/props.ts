import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PASSWORD_LENGTH } from '#core/cache/password';
import type { CacheUser } from '#core/cache/refs';
import { windowOverrun } from '../../config/rotation';
import { isRotationSchedule } from '../../config/schedule-expressions';
import { propsError } from '../props-error';

/** Where the rotation function logs in to prove a new password works. */
export interface CacheEndpoint {
  /** The cache's primary or configuration endpoint host name. */
  readonly host: string;
  /**
   * The TLS port. (ElastiCache RBAC and MemoryDB password users require TLS; the check always uses it.)
   * @default 6379
   */
  readonly port?: number;
}

/** One cache user whose password the construct rotates. */
export interface RotatedUserProps {
  /** The ElastiCache or MemoryDB user. */
  readonly user: CacheUser;
  /**
   * The secret that holds the user's password, in AWS's format `{"username","password","user_arn"}`.
   * Other keys in it are kept on every rotation. A secret encrypted with a customer managed key must
   * carry that key (`Secret.fromSecretAttributes` with `encryptionKey`): the function may then use it
   * through Secrets Manager only (`kms:ViaService`).
   * @default - a new secret with a generated password, rotated at once: the user's current passwords stop working on deploy
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * The name the user logs in with, for a secret the construct creates (ElastiCache lets it differ from the user id).
   * @default - the user's id
   */
  readonly username?: string;
  /**
   * Where testSecret logs in with the new password, retrying while it propagates, before it becomes current.
   * @default - no live check: the function only waits for the user to be active again
   */
  readonly endpoint?: CacheEndpoint;
}

/** Which cache users' passwords rotate, how often, and where the function runs. */
export interface CredentialRotationProps {
  /** The users to rotate; each user at most once. */
  readonly users: readonly RotatedUserProps[];
  /**
   * How often each secret rotates: rate(N hours) with N >= 4, rate(N days) with N 1-1000, or a cron
   * at minute 0 at most every 4 hours (UTC).
   * @default events.Schedule.rate(Duration.days(30))
   */
  readonly schedule?: events.Schedule;
  /**
   * How long after the scheduled time a rotation may start: whole hours from 1 to 24, not reaching
   * into the next rotation or the next UTC day.
   * @default - 1 hour for rate(N hours), else the rest of the UTC day
   */
  readonly window?: Duration;
  /**
   * Length of generated passwords.
   * @default 64
   */
  readonly passwordLength?: number;
  /**
   * The VPC to run the function in, when the caches are only reachable from inside one.
   * @default - the function runs outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for the function's network interfaces.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups the caches and the VPC endpoints accept traffic from.
   * @default - a new security group with all outbound traffic allowed
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /**
   * Spread the users over up to 16 nested stacks by a hash of each user's key (engine and user id):
   * each shard gets its own rotation function, with IAM on its shard's secrets and users only, and its
   * created secrets and rotation schedules, so one stack holds up to about 1,000 users. Choose it once,
   * before the first deploy: turning it on or off later moves every secret and schedule into another
   * stack, which replaces them (a replaced secret is a new password nobody has).
   * @default - everything in the construct's own stack
   */
  readonly nestedStacks?: boolean;
}

/** The props Secrets Manager or the function would refuse, refused here with the prop and the value. */
export function validateRotationProps(
  props: CredentialRotationProps,
  schedule: string,
  passwordLength: number,
): void {
  const problems: string[] = [];
  if (props.users.length === 0) problems.push('users: expected at least one user');
  if (!isRotationSchedule(schedule)) {
    problems.push(
      `schedule: '${schedule}' is not a rotation schedule Secrets Manager accepts; expected rate(N hours) with N >= 4, rate(N days) with N 1-1000, or cron(0 H D M W Y) at most every 4 hours`,
    );
  }
  if (props.window) {
    const minutes = props.window.toMinutes();
    const hours = minutes / 60;
    if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
      problems.push(`window: ${minutes} minutes is not allowed; expected whole hours from 1 to 24`);
    } else {
      const overrun = windowOverrun(schedule, `${hours}h`);
      if (overrun) problems.push(`window: ${hours}h with schedule ${schedule}: ${overrun}`);
    }
  }
  if (
    !Number.isInteger(passwordLength) ||
    passwordLength < PASSWORD_LENGTH.min ||
    passwordLength > PASSWORD_LENGTH.max
  ) {
    problems.push(
      `passwordLength: ${passwordLength} is not allowed; expected an integer from ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max}`,
    );
  }
  const firstIndex = new Map<string, number>();
  props.users.forEach(({ user, secret, username, endpoint }, index) => {
    const first = firstIndex.get(user.arn);
    if (first !== undefined) {
      problems.push(
        `users[${index}].user: ${user.arn} is already users[${first}]; each user may appear once`,
      );
    } else firstIndex.set(user.arn, index);
    if (secret && username !== undefined) {
      problems.push(
        `users[${index}].username: '${username}' only applies to secrets the construct creates; an existing secret keeps its own username`,
      );
    }
    const port = endpoint?.port;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      problems.push(`users[${index}].endpoint.port: ${port} is not a TCP port; expected 1-65535`);
    }
  });
  if (problems.length > 0) throw propsError('CredentialRotation', problems);
}
