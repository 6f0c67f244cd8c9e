import { z } from 'zod';
import { DeployedConfigError } from '../errors';
import { type Requests, requestsSpecSchema, resolveRequests, ruleSpecOf } from '../requests/rules';
import { type Grant, grantSpecOf, grantSpecSchema, resolveGrant } from './grant';

/**
 * What the stack hands the membership function travels inside its bundle, not in environment
 * variables: Lambda caps all variables together at 4 KB, which a few grants would exceed.
 */
export const MEMBERSHIP_CONFIG_FILE = 'membership-config.json';

/** The grants and the request rules the function decides with. */
export interface MembershipConfigFile {
  readonly grants: readonly Grant[];
  readonly requests?: Requests;
}

const fileSchema = z.strictObject({
  grants: z.array(grantSpecSchema),
  requests: requestsSpecSchema.optional(),
});

/** What the stack writes into the bundle; `readMembershipConfigFile` is the only reader. */
export function membershipConfigFileContent({ grants, requests }: MembershipConfigFile): string {
  return JSON.stringify({
    grants: grants.map(grantSpecOf),
    ...(requests && { requests: { ...requests, rules: requests.rules.map(ruleSpecOf) } }),
  });
}

/** The file the stack bundled, validated again: the function trusts nothing it reads. */
export function readMembershipConfigFile(json: string, source: string): MembershipConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DeployedConfigError(`${source} is not valid JSON`, { cause: error });
  }
  const result = fileSchema.safeParse(value);
  if (!result.success) {
    throw new DeployedConfigError(
      `${source} is not the membership configuration: ${z.prettifyError(result.error)}`,
    );
  }
  const { grants, requests } = result.data;
  return { grants: grants.map(resolveGrant), requests: requests && resolveRequests(requests) };
}
