import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PASSWORD_LENGTH } from '#core/cache/password';
import { resourceKey } from '#core/cache/refs';
import type { CacheAccessFunction } from './cache-access-function';
import { type CredentialRotationProps, validateRotationProps } from './rotation/props';
import { type RotatedSecret, type RotationSettings, rotationUnit } from './rotation/rotation-unit';
import { byShard, shardStack } from './shards';

export type { RotatedSecret } from './rotation/rotation-unit';

/** One rotation function and the users it rotates: the construct's only one, or one shard's. */
export interface RotationShard {
  /** The shard's hex digit, or '' when the construct keeps everything in its own stack. */
  readonly shard: string;
  readonly handler: CacheAccessFunction;
  readonly secrets: readonly RotatedSecret[];
}

const DEFAULT_SCHEDULE = events.Schedule.rate(Duration.days(30));

/**
 * Rotation functions for the users' passwords: the secrets each may rotate, IAM on exactly those
 * secrets and users, and a Secrets Manager rotation schedule per secret. One function for every user,
 * or with `nestedStacks` one per shard, each in a nested stack with its shard's secrets and schedules.
 */
export class CredentialRotation extends Construct {
  /** Every rotation function with what it rotates, in shard order. */
  readonly shards: readonly RotationShard[];
  /** Every secret, from every shard. */
  readonly secrets: readonly RotatedSecret[];

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const schedule = (props.schedule ?? DEFAULT_SCHEDULE).expressionString;
    const passwordLength = props.passwordLength ?? PASSWORD_LENGTH.default;
    validateRotationProps(props, schedule, passwordLength);
    const settings: RotationSettings = {
      schedule,
      window: props.window && `${props.window.toHours()}h`,
      passwordLength,
      placement: props.vpc && {
        vpc: props.vpc,
        subnets: props.vpcSubnets ?? { subnets: props.vpc.privateSubnets },
        securityGroups: props.securityGroups,
      },
    };
    const indexOf = (user: (typeof props.users)[number]) => props.users.indexOf(user);
    const groups = props.nestedStacks
      ? byShard(props.users, ({ user }) => resourceKey(user))
      : new Map([['', props.users]]);
    this.shards = [...groups].map(([shard, users]) => ({
      shard,
      ...rotationUnit(shard === '' ? this : shardStack(this, shard), users, settings, indexOf),
    }));
    this.secrets = this.shards.flatMap(({ secrets }) => secrets);
  }

  /**
   * Every rotation function by a stable name for construct ids (`FailureAlerts` functions): `Rotation`
   * for the only one, `Rotation<shard>` for each shard's.
   */
  get functions(): Readonly<Record<string, lambda.IFunction>> {
    return Object.fromEntries(
      this.shards.map(({ shard, handler }) => [`Rotation${shard.toUpperCase()}`, handler.function]),
    );
  }
}
