import { ServiceError } from './wire/errors';
import type { Input } from './wire/input';

/** What the service pages by, and how it names the paging parameters. */
export interface Paging {
  readonly sizeParam: 'MaxRecords' | 'MaxResults';
  readonly tokenParam: 'Marker' | 'NextToken';
  readonly min: number;
  readonly max: number;
}

/** ElastiCache lists take MaxRecords 20-100 (default 100) and a Marker. */
export const ELASTICACHE_PAGING: Paging = {
  sizeParam: 'MaxRecords',
  tokenParam: 'Marker',
  min: 20,
  max: 100,
};
/** MemoryDB lists take MaxResults and a NextToken; the model uses the same default page of 100. */
export const MEMORYDB_PAGING: Paging = { sizeParam: 'MaxResults', tokenParam: 'NextToken', min: 1, max: 100 };

/**
 * One page of a list, as both services return it: items in a stable order, and a token that
 * continues after the last item returned, or none on the last page.
 */
export function page<T>(
  items: readonly T[],
  input: Input,
  paging: Paging,
): { readonly items: readonly T[]; readonly next?: string } {
  const size = input.integer(paging.sizeParam) ?? paging.max;
  if (!Number.isInteger(size) || size < paging.min || size > paging.max) {
    throw new ServiceError(
      'InvalidParameterValueException',
      `${paging.sizeParam} must be an integer from ${paging.min} to ${paging.max}.`,
    );
  }
  const token = input.string(paging.tokenParam);
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new ServiceError('InvalidParameterValueException', `${paging.tokenParam} is not valid.`);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    next: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}
