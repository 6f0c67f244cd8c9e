import { type SignedAnswer, type SignedRequest, signedFetch } from '../../cli/signed-fetch';
import type { LocalAws, LocalCredentials } from '../../local';

const REGION = 'eu-west-1';
const USER = /^arn:aws:iam::\d{12}:user\//;
const SESSION = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//;

/** A principal's signed calls to a function URL: `call(url, request)`, and the keys it signs with. */
export interface Caller {
  readonly arn: string;
  readonly credentials: LocalCredentials;
  call(url: string, request: SignedRequest): Promise<SignedAnswer>;
}

/**
 * Signs as `arn` with keys the local IAM issues: an IAM user (`arn:aws:iam::<acct>:user/<name>`) or a role
 * session (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`). A user or role that does not exist yet is
 * made, the role at the root path (an Identity Center one comes from `identityCenterCaller`).
 */
export function callerAs(aws: LocalAws, arn: string): Caller {
  if (USER.test(arn) && !aws.iam.exists(arn)) aws.iam.add(arn);
  const session = SESSION.exec(arn);
  let credentials: LocalCredentials;
  try {
    credentials = aws.iam.credentialsFor(arn);
  } catch (error) {
    if (session === null) throw error;
    aws.iam.add(`arn:aws:iam::${session[1]}:role/${session[2]}`);
    credentials = aws.iam.credentialsFor(arn);
  }
  return {
    arn,
    credentials,
    call: (url, request) => signedFetch(url, request, { identity: async () => credentials, region: REGION }),
  };
}

/** An IAM Identity Center user signed in with a permission set: its session of `AWSReservedSSO_<set>_<hash>`. */
export function identityCenterCaller(aws: LocalAws, permissionSet: string, userName: string): Caller {
  return callerAs(aws, aws.iam.identityCenterUser(permissionSet, userName).sessionArn);
}
