import { createHash } from 'node:crypto';
import { NestedStack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { templateProblems } from '../stack-limits';

/**
 * How many nested stacks one section may spread over. Sixteen, one per hex digit of a key's hash:
 * 1,000 rotation targets come to about 63 per shard (about 140 resources, far from 500), and the
 * count is fixed, because a shard count that grew with the config would move resources between shards.
 */
export const SHARD_COUNT = 16;

/**
 * The shard a resource lives in: the first hex digit of the SHA-256 of its own stable key. It never
 * depends on the position or the number of other entries, so adding, removing or reordering config
 * entries moves nothing that is already deployed (a moved secret would be a new secret).
 */
export function shardOf(key: string): string {
  return createHash('sha256').update(key).digest('hex').charAt(0);
}

/** `items` by shard of their key, shards in hex order, each keeping the items' own order; empty shards are absent. */
export function byShard<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const shards = new Map<string, T[]>();
  for (const item of items) {
    const shard = shardOf(keyOf(item));
    shards.set(shard, [...(shards.get(shard) ?? []), item]);
  }
  return new Map([...shards].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The nested stack of `shard` under `scope`, made on first use, so an empty shard makes no stack. Its
 * construct id is `Shard<digit>`: the nested stack resource's logical id in the parent derives from it.
 */
export function shardStack(scope: Construct, shard: string): NestedStack {
  const id = `Shard${shard}`;
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof NestedStack) return existing;
  const stack = new NestedStack(scope, id, {
    description: `${scope.node.path} shard ${shard} of ${SHARD_COUNT}`,
  });
  // A nested stack has CloudFormation's per-template quotas of its own; a synth past them fails here.
  stack.node.addValidation({ validate: () => templateProblems(stack) });
  return stack;
}
