import type { SecretStore } from './store';

/** A secret's rotation as RotateSecret and finished rotations leave it, and DescribeSecret reports it. */
export interface SecretRotation {
  /** The rotation rule, e.g. `rate(30 days)`. */
  readonly scheduleExpression?: string;
  /** The window, e.g. `3h`. */
  readonly duration?: string;
  /** When the last rotation finished; absent for a secret that never rotated. */
  readonly lastRotatedAt?: Date;
  /** When Secrets Manager starts the next one. */
  readonly nextRotationAt?: Date;
}

/** The controls tests get for the rotation dates Secrets Manager keeps beside a secret. */
export interface SecretRotationsHarness {
  /** Records the secret's schedule and dates; rotation itself is switched on with `secrets.setRotationEnabled`. */
  set(secretId: string, rotation: SecretRotation): void;
}

/** Rotation rules and dates per secret ARN, kept apart from the values and labels the store models. */
export class SecretRotations implements SecretRotationsHarness {
  private readonly bySecret = new Map<string, SecretRotation>();

  constructor(private readonly secrets: SecretStore) {}

  set(secretId: string, rotation: SecretRotation): void {
    this.bySecret.set(this.secrets.describe(secretId).arn, rotation);
  }

  /** The fields DescribeSecret adds for a secret with a rotation; none for one without. */
  described(arn: string) {
    const rotation = this.bySecret.get(arn);
    if (rotation === undefined) return {};
    const { scheduleExpression, duration, lastRotatedAt, nextRotationAt } = rotation;
    return {
      RotationRules: { ScheduleExpression: scheduleExpression, Duration: duration },
      LastRotatedDate: lastRotatedAt && lastRotatedAt.getTime() / 1000,
      NextRotationDate: nextRotationAt && nextRotationAt.getTime() / 1000,
    };
  }
}
