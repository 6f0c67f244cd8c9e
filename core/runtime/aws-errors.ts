/** SDK v3 names its modeled errors after the service's fault; matching on name survives bundling. */
export function isAwsError(error: unknown, ...names: readonly string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
