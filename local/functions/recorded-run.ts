import { writeFileSync } from 'node:fs';
import type { Call } from '../aws/calls';
import { accessKeyFor, type Deployment, deploymentOf, type FunctionPurpose } from './deployments';

/** Set by a test to have a run in another process (the demo) hand over what its functions did. */
export const RECORDED_CALLS_FILE_ENV = 'CACHE_ACCESS_RECORDED_CALLS_FILE';

/** A deployment as plain data: its config as it was when the run ended. */
interface RecordedDeployment {
  readonly purpose: FunctionPurpose;
  readonly config: unknown;
  readonly physicalNames: Deployment['physicalNames'];
  readonly stack: Deployment['stack'];
}

interface RecordedRun {
  readonly calls: readonly Call[];
  readonly deployments: Readonly<Record<string, RecordedDeployment>>;
}

/** Writes the calls and the deployment of every function that signed one, when a test asked for them. */
export function recordCallsIfAsked(calls: readonly Call[]): void {
  const file = process.env[RECORDED_CALLS_FILE_ENV];
  if (!file) return;
  const deployments: Record<string, RecordedDeployment> = {};
  for (const { caller } of calls) {
    const deployment = deploymentOf(caller);
    if (caller === undefined || deployment === undefined || caller in deployments) continue;
    const { purpose, physicalNames, stack } = deployment;
    deployments[caller] = { purpose, config: deployment.config(), physicalNames, stack };
  }
  writeFileSync(file, JSON.stringify({ calls, deployments } satisfies RecordedRun));
}

/**
 * The other process's calls, signed by keys registered here: its access keys meant its own hosts, so each
 * gets a fresh key of this process standing for the same deployment.
 */
export function adoptRecordedCalls(json: string): Call[] {
  const run = JSON.parse(json) as RecordedRun;
  const keys = new Map(
    Object.entries(run.deployments).map(([key, { config, ...deployment }]) => [
      key,
      accessKeyFor({ ...deployment, config: () => config }),
    ]),
  );
  return run.calls.map((call) => ({
    ...call,
    caller: call.caller && (keys.get(call.caller) ?? call.caller),
  }));
}
