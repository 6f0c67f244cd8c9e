import { DeployedConfigError } from './errors';

/** Reads a variable the stack always sets; a missing one means a broken deployment, so say which. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new DeployedConfigError(
      `environment variable ${name} is not set; redeploy the stack to restore it`,
    );
  }
  return value;
}
