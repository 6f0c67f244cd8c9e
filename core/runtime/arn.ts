import { InvalidArnError } from './errors';
import { quoted } from './quoted';

/** The parts every ARN the project reads shares, as regular expression sources. */
export const PARTITION = 'aws(?:-cn|-us-gov|-iso[a-z-]*)?';
export const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
export const ACCOUNT = '\\d{12}';

/** Where an AWS resource lives: what one stack must agree on. */
export interface ArnLocation {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

export const sameLocation = (a: ArnLocation, b: ArnLocation) =>
  a.partition === b.partition && a.account === b.account && a.region === b.region;

/** `account 123456789012 and region eu-west-1`, with the partition when it is not the commercial one. */
export function locationOf({ partition, account, region }: ArnLocation): string {
  return `${partition === 'aws' ? '' : `partition ${partition}, `}account ${account} and region ${region}`;
}

/** A parser for one ARN form: the parts every stack must agree on, or an error naming the form. */
function arnParser(what: string, pattern: RegExp, form: string) {
  return (arn: string): ArnLocation => {
    const match = pattern.exec(arn);
    if (!match) throw new InvalidArnError(`${quoted(arn)} is not ${what}; expected ${form}`);
    const [, partition = '', region = '', account = ''] = match;
    return { arn, partition, region, account };
  };
}

export const SECRET_ARN_FORM =
  'arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the complete ARN, with its suffix)';

export const parseSecretArn = arnParser(
  'a complete Secrets Manager secret ARN',
  new RegExp(
    `^arn:(${PARTITION}):secretsmanager:(${REGION}):(${ACCOUNT}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$`,
  ),
  SECRET_ARN_FORM,
);

export const KMS_KEY_ARN_FORM =
  'arn:aws:kms:<region>:<account>:key/<key id> (a key ARN; IAM cannot grant on an alias)';

export const parseKmsKeyArn = arnParser(
  'a KMS key ARN',
  new RegExp(
    `^arn:(${PARTITION}):kms:(${REGION}):(${ACCOUNT}):key/(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`,
  ),
  KMS_KEY_ARN_FORM,
);
