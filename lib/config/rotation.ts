import { isIP } from 'node:net';
import { z } from 'zod';
import { PASSWORD_LENGTH } from '#core/cache/password';
import { type CacheUserRef, parseUserArn, userArnProblem } from '#core/cache/refs';
import type { Endpoint } from '#core/rotation/targets';
import {
  type ArnLocation,
  KMS_KEY_ARN_FORM,
  locationOf,
  parseKmsKeyArn,
  parseSecretArn,
  SECRET_ARN_FORM,
  sameLocation,
} from '#core/runtime/arn';
import { checkedString, refuseRepeats } from '#core/runtime/checks';
import { isRotationSchedule } from './schedule-expressions';

const DEFAULT_SCHEDULE = 'rate(30 days)';

/** The parsed value, or undefined when the input is malformed (the field's own check reports that). */
export function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

const isSecretArn = (arn: string) => tryParse(() => parseSecretArn(arn)) !== undefined;
const isKmsKeyArn = (arn: string) => tryParse(() => parseKmsKeyArn(arn)) !== undefined;

/**
 * Secrets Manager refuses a window that reaches into the next rotation window or the next UTC day.
 * Returns why the window is too long, or undefined when it fits.
 */
export function windowOverrun(schedule: string, window: string | undefined): string | undefined {
  const hours = window === undefined ? undefined : Number.parseInt(window, 10);
  if (hours === undefined || Number.isNaN(hours)) return undefined;
  const everyHours = /^rate\((\d+) hours?\)$/.exec(schedule)?.[1];
  if (everyHours !== undefined && hours > Number(everyHours)) {
    return `expected at most ${everyHours}h: a window may not reach into the next rotation of ${schedule}`;
  }
  const cronHour = /^cron\(\S+ (\d+) /.exec(schedule)?.[1];
  if (cronHour !== undefined && Number(cronHour) + hours > 24) {
    return `expected at most ${24 - Number(cronHour)}h: a window starting at ${cronHour}:00 UTC may not reach into the next UTC day`;
  }
  return undefined;
}

/** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 253 characters at most. */
const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

const endpointSchema = z.strictObject({
  host: z
    .string()
    .refine(
      (host) => HOST_NAME.test(host) || isIP(host) !== 0,
      'expected the cache host name or IP address, such as master.prod.abc123.euw1.cache.amazonaws.com',
    ),
  port: z.number().int().min(1).max(65535).default(6379),
  tls: z
    .boolean()
    .default(true)
    .refine(
      (tls) => tls,
      'expected true: ElastiCache RBAC and MemoryDB password users require TLS, and the live check sends the new password',
    ),
});

const targetSchema = z
  .strictObject({
    userArn: checkedString(userArnProblem),
    secretArn: z.string().refine(isSecretArn, `expected ${SECRET_ARN_FORM}`).optional(),
    username: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, 'expected 1-128 printable characters without spaces')
      .optional(),
    endpoint: endpointSchema.optional(),
    kmsKeyArn: z.string().refine(isKmsKeyArn, `expected ${KMS_KEY_ARN_FORM}`).optional(),
  })
  .refine((t) => !(t.secretArn && t.username), {
    path: ['username'],
    message: 'username only applies to secrets the stack creates; an existing secret keeps its own username',
  })
  .refine((t) => !(t.kmsKeyArn && !t.secretArn), {
    path: ['kmsKeyArn'],
    message:
      'kmsKeyArn only applies to an existing secret (secretArn); the secrets the stack creates use the AWS managed key',
  });

const networkSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id such as vpc-0123456789abcdef0'),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected a zone name such as eu-west-1a'))
    .min(1),
  subnetIds: z
    .array(
      z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id such as subnet-0123456789abcdef0'),
    )
    .min(1),
  securityGroupIds: z
    .array(
      z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id such as sg-0123456789abcdef0'),
    )
    .min(1),
});

/** The `rotation` section as written; `resolveRotation` turns a valid one into `RotationConfig`. */
export const rotationSchema = z
  .strictObject({
    schedule: z
      .string()
      .default(DEFAULT_SCHEDULE)
      .refine(
        isRotationSchedule,
        'expected rate(N hours) with N >= 4, rate(N days) with N 1-1000, or cron(0 H D M W Y) at most every 4 hours with ? in one day field',
      ),
    window: z
      .string()
      .regex(/^([1-9]|1\d|2[0-4])h$/, 'expected a duration in whole hours from 1h to 24h, such as 4h')
      .optional(),
    passwordLength: z
      .number()
      .int()
      .min(PASSWORD_LENGTH.min)
      .max(PASSWORD_LENGTH.max)
      .default(PASSWORD_LENGTH.default),
    network: networkSchema.optional(),
    targets: z.array(targetSchema).min(1, 'expected at least one target'),
    // Chosen once, before the first deploy: toggling it moves every secret into another stack.
    nestedStacks: z.boolean().default(false),
  })
  .superRefine((rotation, ctx) => {
    const overrun = windowOverrun(rotation.schedule, rotation.window);
    if (overrun) ctx.addIssue({ code: 'custom', path: ['window'], input: rotation.window, message: overrun });
    for (const key of ['userArn', 'secretArn'] as const) {
      refuseRepeats(
        rotation.targets,
        ctx,
        (first) => `already used by targets[${first}]; each user and each secret may appear once`,
        (target) => target[key],
        (index) => ['targets', index, key],
      );
    }
    // Malformed ARNs are already reported by their field's own check; the cross-checks skip them.
    rotation.targets.forEach((target, index) => {
      const user = tryParse(() => parseUserArn(target.userArn));
      if (!user) return;
      const located = [
        ['secretArn', 'a secret', target.secretArn, parseSecretArn],
        ['kmsKeyArn', 'a key', target.kmsKeyArn, parseKmsKeyArn],
      ] as const;
      for (const [key, what, arn, parse] of located) {
        const location = arn === undefined ? undefined : tryParse(() => parse(arn));
        if (location && !sameLocation(location, user)) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', index, key],
            input: arn,
            message: `expected ${what} in ${locationOf(user)}, where its user is`,
          });
        }
      }
    });
    const { network } = rotation;
    // With no zones listed, the zone list's own check reports it; a multiple of 0 means nothing.
    const zones = network?.availabilityZones.length ?? 0;
    if (network && zones > 0 && network.subnetIds.length % zones !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'subnetIds'],
        input: network.subnetIds,
        message: `expected a multiple of ${network.availabilityZones.length} subnets, one per availability zone listed, in the same order`,
      });
    }
  });

type RotationSection = z.output<typeof rotationSchema>;
export type NetworkConfig = z.output<typeof networkSchema>;

/** One cache user to rotate, with its ARNs parsed. */
interface RotationTargetConfig {
  readonly user: CacheUserRef;
  /** The existing secret; without it the stack creates one. */
  readonly secret?: ArnLocation;
  readonly username?: string;
  readonly endpoint?: Endpoint;
  /** The customer managed key the existing secret is encrypted with. */
  readonly kmsKey?: ArnLocation;
}

export interface RotationConfig extends Omit<RotationSection, 'targets'> {
  readonly targets: readonly RotationTargetConfig[];
}

/** A valid section with every ARN parsed, once. */
export function resolveRotation({ targets, ...rotation }: RotationSection): RotationConfig {
  return {
    ...rotation,
    targets: targets.map(({ userArn, secretArn, kmsKeyArn, ...target }) => ({
      ...target,
      user: parseUserArn(userArn),
      secret: secretArn === undefined ? undefined : parseSecretArn(secretArn),
      kmsKey: kmsKeyArn === undefined ? undefined : parseKmsKeyArn(kmsKeyArn),
    })),
  };
}
