/** An applied change, as audited and published. */
export interface MembershipChange {
  readonly groupArn: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The grants whose open windows put each added user in; the grants that named each removed user. */
  readonly grants: readonly string[];
  readonly evaluatedAt: string;
  readonly trigger: string;
}

export interface ChangePublisher {
  /** Publishes every change, in as few calls as the bus allows. */
  publish(changes: readonly MembershipChange[]): Promise<void>;
}
