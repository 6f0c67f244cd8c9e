/**
 * One SDK client per region, made on first use and kept for the life of the execution environment:
 * the region of each call comes from the user's ARN, not from where the function runs.
 */
export function perRegion<Client>(create: (region: string) => Client): (region: string) => Client {
  const clients = new Map<string, Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}

/** SDK v3 names its modeled errors after the service's fault; matching on name survives bundling. */
export function isAwsError(error: unknown, ...names: readonly string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
