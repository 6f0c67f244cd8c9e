import { z } from 'zod';
import { InvalidEventError } from '../errors';
import { normalizeStep, type RotationStep } from './steps';

const eventSchema = z.object({
  Step: z.string().min(1),
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(1),
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
      `not a Secrets Manager rotation event: missing or empty ${fields}; expected {Step, SecretId, ClientRequestToken}`,
    );
  }
  const { Step, SecretId, ClientRequestToken } = result.data;
  return { step: normalizeStep(Step), secretId: SecretId, token: ClientRequestToken };
}
