import { readFileSync } from 'node:fs';
import { cacheDirectories } from '#core/cache/adapters/directories';
import type { GroupState } from '#core/cache/ports';
import type { CacheGroupRef } from '#core/cache/refs';
import type { AccessStore } from '#core/requests/store';
import { CONFIG_FILE_CONTEXT_KEY, loadConfig } from '../../lib/config/load';
import type { MembershipConfig } from '../../lib/config/membership';
import type { GrantTableRecords } from './html/model';

/**
 * The membership section of the config the app deploys: `--config` when given, else `cdk.json`'s
 * context, checked as a synth checks it.
 */
export function loadMembership(configPath: string | undefined): MembershipConfig | undefined {
  const cdkContext =
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context ?? {};
  return loadConfig((key) => (key === CONFIG_FILE_CONTEXT_KEY ? configPath : cdkContext[key])).membership;
}

/** Every group the membership section governs: those its grants name and those its request rules name. */
export function governedGroups({ grants, requests }: MembershipConfig): CacheGroupRef[] {
  const groups = new Map([...grants, ...(requests?.rules ?? [])].map(({ group }) => [group.arn, group]));
  return [...groups.values()];
}

/** Reads the groups in one batched call per engine; a group that cannot be read is reported, not fatal. */
export async function readLiveGroups(
  groups: readonly CacheGroupRef[],
): Promise<Map<string, GroupState | string>> {
  const directories = cacheDirectories();
  const states = new Map<string, GroupState | string>();
  for (const engine of new Set(groups.map((group) => group.engine))) {
    const ofEngine = groups.filter((group) => group.engine === engine);
    try {
      const found = await directories[engine].describeGroups(ofEngine);
      for (const group of ofEngine) states.set(group.arn, found.get(group.arn) ?? 'it does not exist');
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const group of ofEngine) states.set(group.arn, why);
    }
  }
  return states;
}

/** The requested grants, requests awaiting approval and suspensions the grant table holds now, for the timeline page. */
export async function readRecords(store: AccessStore): Promise<GrantTableRecords> {
  const [grants, requests, suspensions] = await Promise.all([
    store.activeGrants(),
    store.activeRequests(),
    store.activeSuspensions(),
  ]);
  return { grants, requests, suspensions };
}
