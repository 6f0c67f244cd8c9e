/** The IAM roles and users that exist, as resource policies see them; tests decide which. */
export interface PrincipalsHarness {
  /** Makes a role or user exist: `arn:aws:iam::<account>:role/<name>` or `…:user/<name>`, with any path. */
  add(arn: string): void;
  /** Deletes it, as `aws iam delete-role` would: policies naming it afterwards are refused. */
  remove(arn: string): void;
  exists(arn: string): boolean;
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

  /** Whether a policy may name `principal` under `AWS`. */
  accepts(principal: string): boolean {
    return principal === '*' || ACCOUNT.test(principal) || this.known.has(principal);
  }
}
