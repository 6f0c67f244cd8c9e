import { InvalidEventError } from '#core/runtime/errors';
import { quoted } from '#core/runtime/quoted';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

const BY_SPELLING = new Map<string, RotationStep>(
  ROTATION_STEPS.flatMap((step) => [
    [step, step],
    [step.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), step],
  ]),
);

/** Secrets Manager sends camelCase steps; newer documentation shows snake_case. Both mean the same. */
export function normalizeStep(step: string): RotationStep {
  const known = BY_SPELLING.get(step);
  if (!known) {
    throw new InvalidEventError(
      `unknown rotation step ${quoted(step)}; expected one of ${[...BY_SPELLING.keys()].join(', ')}`,
    );
  }
  return known;
}
