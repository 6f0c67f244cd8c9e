import { readFileSync } from 'node:fs';
import { NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { PLATFORM_SCALE, scaleConfig } from '../../bench/scale-config';
import { CacheAccessStack } from '../../lib/cache-access-stack';
import { parseConfig } from '../../lib/config/load';
import type { FailureAlerts } from '../../lib/constructs/failure-alerts';
import { FULL_FEATURE_CONFIG, FULL_FEATURE_NOW } from './full-feature-config';
import { synthStack, unbundledApp } from './synth';

/** Where every config below deploys. */
export const CHECKED_ACCOUNT = { partition: 'aws', region: 'eu-west-1', account: '123456789012' } as const;

export interface CheckedTemplate {
  readonly name: string;
  readonly template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
}

/**
 * The example config `npm run synth` uses, the platform-scale one, the full-feature one with an email
 * subscriber, and the example in nested stacks (its parent and shard templates).
 */
export function checkedTemplates(): CheckedTemplate[] {
  const example = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context
    .cacheAccess;
  const full = new CacheAccessStack(unbundledApp(), 'FullFeature', {
    config: parseConfig(FULL_FEATURE_CONFIG, 'full-feature config'),
    now: FULL_FEATURE_NOW,
  });
  (full.node.findChild('Alerts') as FailureAlerts).topic.addSubscription(
    new subscriptions.EmailSubscription('oncall@example.com'),
  );
  return [
    { name: 'example (cdk.json)', template: synthStack(example, { id: 'Example' }).template.toJSON() },
    {
      name: 'platform scale',
      template: synthStack(scaleConfig(PLATFORM_SCALE), { id: 'Platform' }).template.toJSON(),
    },
    { name: 'full feature', template: Template.fromStack(full).toJSON() },
    ...nestedTemplates(example),
  ];
}

/** The example config with both sections in nested stacks: the parent's template and each shard's. */
function nestedTemplates(example: { rotation: object; membership: object }): CheckedTemplate[] {
  const { stack } = synthStack(
    {
      ...example,
      rotation: { ...example.rotation, nestedStacks: true },
      membership: { ...example.membership, nestedStacks: true },
    },
    { id: 'Nested' },
  );
  const shards = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  return [stack, ...shards].map((template) => ({
    name: `nested (cdk.json): ${template.node.path}`,
    template: Template.fromStack(template).toJSON(),
  }));
}
