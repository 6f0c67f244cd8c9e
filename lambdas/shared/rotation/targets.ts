import { z } from 'zod';
import { type CacheUserRef, parseUserArn } from '../cache/refs';
import { DeployedConfigError } from '../errors';

/** Where the live check connects. RBAC on ElastiCache and MemoryDB password users both need TLS. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** One secret the rotation function may rotate, and the single user it belongs to. */
export interface RotationTarget {
  readonly secretArn: string;
  readonly userArn: string;
  readonly endpoint?: Endpoint;
}

const targetsSchema = z.array(
  z.object({
    secretArn: z.string().min(1),
    userArn: z.string().min(1),
    endpoint: z
      .object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), tls: z.boolean() })
      .optional(),
  }),
);

export interface ResolvedTarget extends RotationTarget {
  readonly user: CacheUserRef;
}

/** The allow-list the stack hands the function: every secret it may touch, keyed by secret ARN. */
export class TargetRegistry {
  private readonly bySecret: ReadonlyMap<string, ResolvedTarget>;

  private constructor(targets: readonly RotationTarget[]) {
    this.bySecret = new Map(targets.map((t) => [t.secretArn, { ...t, user: parseUserArn(t.userArn) }]));
  }

  static fromJson(json: string, source: string): TargetRegistry {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new DeployedConfigError(`${source} is not valid JSON`, { cause: error });
    }
    const result = targetsSchema.safeParse(parsed);
    if (!result.success) {
      throw new DeployedConfigError(
        `${source} is not a list of rotation targets: ${z.prettifyError(result.error)}`,
      );
    }
    return new TargetRegistry(result.data);
  }

  find(secretArn: string): ResolvedTarget | undefined {
    return this.bySecret.get(secretArn);
  }

  get size(): number {
    return this.bySecret.size;
  }
}

/** What the stack writes into the environment variable; `fromJson` reads it back. */
export function serializeTargets(targets: readonly RotationTarget[]): string {
  return JSON.stringify(
    targets.map(({ secretArn, userArn, endpoint }) => ({ secretArn, userArn, endpoint })),
  );
}
