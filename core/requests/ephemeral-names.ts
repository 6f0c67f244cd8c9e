/* Names and tags only: the stack reads them at synth time without loading the SDK behind the users. */

/** What the stack names its ephemeral users and their secrets with, and who besides the reader may read. */
export interface EphemeralNames {
  /** Starts every ephemeral user id: marks it as this stack's, and is what IAM allows the function to create. */
  readonly userPrefix: string;
  /** Starts every ephemeral user's secret name, for the same reasons. */
  readonly secretPrefix: string;
  /** The function's own role, the only other principal that may read the secrets. */
  readonly functionRoleArn: string;
}

/** Tags on every ephemeral user and secret: the sweep finds the request behind each by them. */
export const EPHEMERAL_TAGS = {
  request: 'cache-access-automation:request',
  expiresAt: 'cache-access-automation:expires-at',
} as const;
