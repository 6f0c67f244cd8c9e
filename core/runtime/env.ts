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

/** `requireEnv` for a whole number, such as a length the stack computed. */
export function requireIntegerEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(requireEnv(name, env));
  if (!Number.isInteger(value)) {
    throw new DeployedConfigError(`${name} must be an integer, got '${env[name]}'`);
  }
  return value;
}
