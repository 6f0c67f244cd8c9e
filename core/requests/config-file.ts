import { z } from 'zod';
import { type Grant, grantSpecOf, grantSpecSchema, resolveGrant } from '#core/membership/grant';
import { parseBundledJson } from '#core/runtime/bundled-file';
import { type Requests, requestsSpecOf, requestsSpecSchema, resolveRequests } from './rules';

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
    ...(requests && { requests: requestsSpecOf(requests) }),
  });
}

/** The file the stack bundled, validated again: the function trusts nothing it reads. */
export function readMembershipConfigFile(json: string, source: string): MembershipConfigFile {
  const { grants, requests } = parseBundledJson(json, source, fileSchema, 'the membership configuration');
  return { grants: grants.map(resolveGrant), requests: requests && resolveRequests(requests) };
}
