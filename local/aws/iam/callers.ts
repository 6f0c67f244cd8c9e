import { createHash, randomBytes } from 'node:crypto';

/** Credentials as the SDK's credential chain hands them to a signer. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials (an assumed-role session), which must send it as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** Who signs with a key, as `sts:GetCallerIdentity` and a function URL's `authorizer.iam` report it. */
export interface CallerIdentity {
  /** `arn:aws:iam::<acct>:user/<name>` or `arn:aws:sts::<acct>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  /** `AIDA…` for a user, `AROA…:<session>` for a role session. */
  readonly userId: string;
  readonly accountId: string;
}

/** Signing keys issued locally, each naming the identity it signs as. */
export interface IssuedKey extends LocalCredentials {
  readonly identity: CallerIdentity;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A unique id in AWS's shape: a 4-letter kind (`AIDA`, `AROA`, `AKIA`, `ASIA`), then upper-case letters and digits. */
function awsId(kind: string, length: number, seed?: string): string {
  const source = seed === undefined ? randomBytes(length) : createHash('sha256').update(seed).digest();
  return kind + [...source.subarray(0, length)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

const USER = /^arn:aws:iam::(\d{12}):user\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const SESSION = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]{2,64})$/;

/**
 * Access keys for IAM users (long-term, `AKIA…`) and role sessions (temporary, `ASIA…` with a session
 * token), as IAM and STS issue them. The unique ids are stable per user or role, as IAM's are.
 */
export class CallerKeys {
  private readonly keys = new Map<string, IssuedKey>();

  /**
   * Keys that sign as `arn`. A user must exist; a session's role must exist under any path (`roleArnOf`
   * finds it by account and name, as STS does when it assumes a role).
   */
  issue(
    arn: string,
    exists: (arn: string) => boolean,
    roleArnOf: (account: string, name: string) => string | undefined,
  ): IssuedKey {
    const user = USER.exec(arn);
    if (user) {
      if (!exists(arn)) throw new Error(`IAM user ${arn.slice(0, 200)} does not exist: add it first`);
      return this.store(awsId('AKIA', 16), undefined, {
        arn,
        userId: awsId('AIDA', 17, arn),
        accountId: user[1] ?? '',
      });
    }
    const session = SESSION.exec(arn);
    if (session) {
      const [, account = '', role = '', name = ''] = session;
      const roleArn = roleArnOf(account, role);
      if (roleArn === undefined)
        throw new Error(`role ${role} does not exist in account ${account}: add it first`);
      return this.store(awsId('ASIA', 16), randomBytes(96).toString('base64'), {
        arn,
        userId: `${awsId('AROA', 17, roleArn)}:${name}`,
        accountId: account,
      });
    }
    throw new Error(
      `${arn.slice(0, 200)} is neither an IAM user ARN nor an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)`,
    );
  }

  /** The key with this id, if it was issued. */
  find(accessKeyId: string): IssuedKey | undefined {
    return this.keys.get(accessKeyId);
  }

  private store(accessKeyId: string, sessionToken: string | undefined, identity: CallerIdentity): IssuedKey {
    const key: IssuedKey = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      ...(sessionToken !== undefined && { sessionToken }),
      identity,
    };
    this.keys.set(accessKeyId, key);
    return key;
  }
}
