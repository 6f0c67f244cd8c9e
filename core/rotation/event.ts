import { z } from 'zod';
import { InvalidEventError } from '#core/runtime/errors';
import { normalizeStep, type RotationStep } from './steps';

/** Secrets Manager's own bounds: a SecretId of at most 2,048 characters, a token of 32 to 64. */
const eventSchema = z.object({
  Step: z.string().min(1).max(32),
  SecretId: z.string().min(1).max(2048),
  ClientRequestToken: z.string().min(32).max(64),
});

export interface RotationEvent {
  readonly step: RotationStep;
  readonly secretId: string;
  readonly token: string;
}

/** The event Secrets Manager sends; anything else is refused before a single AWS call. */
export function parseRotationEvent(event: unknown): RotationEvent {
  const result = eventSchema.safeParse(event);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => issue.path.join('.') || '(event)').join(', ');
    throw new InvalidEventError(
      `not a Secrets Manager rotation event: missing, empty or out-of-bounds ${fields}; expected {Step, SecretId (1-2048 characters), ClientRequestToken (32-64)}`,
    );
  }
  const { Step, SecretId, ClientRequestToken } = result.data;
  return { step: normalizeStep(Step), secretId: SecretId, token: ClientRequestToken };
}
