import { z } from 'zod';
import { parseGroupArn, parseUserArn } from '#core/cache/refs';
import { type ArnLocation, locationOf, sameLocation } from '#core/runtime/arn';
import { type MembershipConfig, membershipSchema, resolveMembership } from './membership';
import { type RotationConfig, resolveRotation, rotationSchema, tryParse } from './rotation';
import { jsonPath } from './validate';

/** The whole configuration: a rotation section, a membership section or both, for one account and region. */
export const configSchema = z
  .strictObject({
    rotation: rotationSchema.optional(),
    membership: membershipSchema.optional(),
    /** `false` leaves out the CloudWatch dashboard (and its `DashboardUrl` output); on by default. */
    dashboard: z.boolean().optional(),
  })
  .superRefine((config, ctx) => {
    if (!config.rotation && !config.membership) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        input: config,
        message: 'expected a rotation section, a membership section or both',
      });
      return;
    }
    // One stack deploys to one account and region: every ARN must agree with the first one.
    const arns: { path: (string | number)[]; ref: ArnLocation }[] = [
      ...(config.rotation?.targets ?? []).flatMap((target, index) => {
        const user = tryParse(() => parseUserArn(target.userArn));
        return user ? [{ path: ['rotation', 'targets', index, 'userArn'], ref: user }] : [];
      }),
      ...(config.membership?.grants ?? []).flatMap((grant, index) => {
        const group = tryParse(() => parseGroupArn(grant.groupArn));
        return group ? [{ path: ['membership', 'grants', index, 'groupArn'], ref: group }] : [];
      }),
      ...(config.membership?.requests?.rules ?? []).flatMap((rule, index) => {
        const group = tryParse(() => parseGroupArn(rule.groupArn));
        return group ? [{ path: ['membership', 'requests', 'rules', index, 'groupArn'], ref: group }] : [];
      }),
      ...(config.membership?.groups ?? []).flatMap((owned, index) => {
        const group = tryParse(() => parseGroupArn(owned.groupArn));
        return group ? [{ path: ['membership', 'groups', index, 'groupArn'], ref: group }] : [];
      }),
    ];
    const [first, ...rest] = arns;
    for (const { path, ref } of rest) {
      if (first && !sameLocation(ref, first.ref)) {
        ctx.addIssue({
          code: 'custom',
          path,
          input: ref.arn,
          message: `expected ${locationOf(first.ref)} like ${jsonPath(first.path)}; one stack serves one account and region`,
        });
      }
    }
  })
  // Runs only once everything above passed: the rest of the app gets parsed references, never ARN strings.
  .transform(
    ({ rotation, membership, dashboard }): CacheAccessConfig => ({
      rotation: rotation && resolveRotation(rotation),
      membership: membership && resolveMembership(membership),
      ...(dashboard !== undefined && { dashboard }),
    }),
  );

export interface CacheAccessConfig {
  readonly rotation?: RotationConfig;
  readonly membership?: MembershipConfig;
  /**
   * Whether the stack has a CloudWatch dashboard of its metrics, failure queues and alarms.
   * @default true
   */
  readonly dashboard?: boolean;
}
