import { z } from 'zod';
import { ConfigurationError } from '../errors';
import { type Grant, grantSchema } from './plan';

/** The grants the stack hands the function, validated again: the function trusts nothing it reads. */
export function parseGrants(json: string, source: string): Grant[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError(`${source} is not valid JSON`, { cause: error });
  }
  const result = z.array(grantSchema).safeParse(value);
  if (!result.success) {
    throw new ConfigurationError(`${source} is not a list of grants: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
