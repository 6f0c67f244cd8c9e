import { InvalidConfigError } from '../config/validate';

/** Props a construct cannot build from, with every problem listed by prop. */
export function propsError(construct: string, problems: readonly string[]): InvalidConfigError {
  return new InvalidConfigError(`invalid ${construct} props:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}
