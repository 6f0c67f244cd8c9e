import { z } from 'zod';

/**
 * A string field checked by a function that says what is wrong with a value, or nothing when it is
 * fine: the same words at synth (config) and at run time (events, bundled files).
 */
export function checkedString(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

/**
 * Reports every item whose key repeats an earlier item's, at `pathOf(index)` (by default the item's
 * own index in the array being refined). Items without a key are skipped.
 */
export function refuseRepeats<T>(
  items: readonly T[],
  ctx: z.RefinementCtx,
  message: (firstIndex: number) => string,
  keyOf: (item: T) => string | undefined = String,
  pathOf: (index: number) => PropertyKey[] = (index) => [index],
): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else ctx.addIssue({ code: 'custom', path: pathOf(index), input: key, message: message(first) });
  });
}
