import { z } from 'zod';
import { DeployedConfigError } from '../errors';
import { type Grant, grantSpecOf, grantSpecSchema, resolveGrant } from './grant';

/**
 * The grants travel inside the membership function's bundle, not in an environment variable:
 * Lambda caps all variables together at 4 KB, which a few grants would exceed.
 */
export const GRANTS_FILE = 'membership-grants.json';

/** What the stack writes into the bundle; `readGrantsFile` is the only reader. */
export function grantsFileContent(grants: readonly Grant[]): string {
  return JSON.stringify(grants.map(grantSpecOf));
}

/** The grants the stack bundled, validated again: the function trusts nothing it reads. */
export function readGrantsFile(json: string, source: string): Grant[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DeployedConfigError(`${source} is not valid JSON`, { cause: error });
  }
  const result = z.array(grantSpecSchema).safeParse(value);
  if (!result.success) {
    throw new DeployedConfigError(`${source} is not a list of grants: ${z.prettifyError(result.error)}`);
  }
  return result.data.map(resolveGrant);
}
