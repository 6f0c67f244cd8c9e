import { createHash } from 'node:crypto';
import { ACCOUNT as ACCOUNT_ID } from '../account';
import { type CallerIdentity, CallerKeys, type IssuedKey, type LocalCredentials } from './callers';

export type { CallerIdentity, LocalCredentials } from './callers';

/** The IAM roles and users that exist, as resource policies see them; tests decide which. */
export interface PrincipalsHarness {
  /** Makes a role or user exist: `arn:aws:iam::<account>:role/<name>` or `…:user/<name>`, with any path. */
  add(arn: string): void;
  /** Deletes it, as `aws iam delete-role` would: policies naming it afterwards are refused. */
  remove(arn: string): void;
  exists(arn: string): boolean;
  /**
   * Keys that sign as an IAM user (`arn:aws:iam::<acct>:user/<name>`, which must exist) or a session of a
   * role that exists (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`, temporary keys with a token).
   */
  credentialsFor(arn: string): LocalCredentials;
  /**
   * An IAM Identity Center user signed in with a permission set: its role `AWSReservedSSO_<set>_<hash>`
   * exists under `/aws-reserved/sso.amazonaws.com/<region>/`, and the session is named after the user.
   */
  identityCenterUser(
    permissionSet: string,
    userName: string,
  ): { readonly roleArn: string; readonly sessionArn: string };
  /** Who signs with this access key id, if it was issued here. */
  identityOf(accessKeyId: string): CallerIdentity | undefined;
}

const ROLE_OR_USER = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/;
// An account stands for all its principals and is always accepted, as its id or its root ARN.
const ACCOUNT = /^(\d{12}|arn:aws(-cn|-us-gov)?:iam::\d{12}:root)$/;

/**
 * AWS resolves every role and user a resource policy names when the policy is put, and refuses one
 * that does not exist; an account, or `*`, it takes as it is.
 */
export class PrincipalRegistry implements PrincipalsHarness {
  private readonly known = new Set<string>();
  private readonly keys = new CallerKeys();

  constructor(private readonly region: string) {}

  add(arn: string): void {
    if (!ROLE_OR_USER.test(arn)) {
      throw new Error(`principal ${arn.slice(0, 200)} is not an IAM role or user ARN`);
    }
    this.known.add(arn);
  }

  remove(arn: string): void {
    this.known.delete(arn);
  }

  exists(arn: string): boolean {
    return this.known.has(arn);
  }

  credentialsFor(arn: string): LocalCredentials {
    const { accessKeyId, secretAccessKey, sessionToken } = this.keys.issue(
      arn,
      (user) => this.known.has(user),
      (account, name) =>
        [...this.known].find(
          (known) => known.startsWith(`arn:aws:iam::${account}:role/`) && known.endsWith(`/${name}`),
        ),
    );
    return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) };
  }

  identityCenterUser(permissionSet: string, userName: string): { roleArn: string; sessionArn: string } {
    // Identity Center appends a hash of the permission set to the role's name; any stable 16 hex digits do.
    const hash = createHash('sha256').update(permissionSet).digest('hex').slice(0, 16);
    const role = `AWSReservedSSO_${permissionSet}_${hash}`;
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/${this.region}/${role}`;
    this.add(roleArn);
    return { roleArn, sessionArn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/${userName}` };
  }

  identityOf(accessKeyId: string): CallerIdentity | undefined {
    return this.keys.find(accessKeyId)?.identity;
  }

  /** The key a request was signed with, secret included, for checking its signature. */
  issuedKey(accessKeyId: string): IssuedKey | undefined {
    return this.keys.find(accessKeyId);
  }

  /** Whether a policy may name `principal` under `AWS`. */
  accepts(principal: string): boolean {
    return principal === '*' || ACCOUNT.test(principal) || this.known.has(principal);
  }
}
