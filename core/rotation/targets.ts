import { z } from 'zod';
import { type CacheUserRef, parseUserArn } from '#core/cache/refs';
import { parseBundledJson } from '#core/runtime/bundled-file';
import { DeployedConfigError } from '#core/runtime/errors';

/**
 * What the stack hands the rotation function travels inside its bundle, not in environment
 * variables: Lambda caps all variables together at 4 KB, about 17 targets.
 */
export const ROTATION_TARGETS_FILE = 'rotation-targets.json';

/** Where the live check connects. RBAC on ElastiCache and MemoryDB password users both need TLS. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/**
 * One secret the rotation function may rotate, and the single user it belongs to. An existing secret
 * is named by its ARN; a secret the stack creates has an ARN only once deployed, so it is named by
 * its logical id in the stack and resolved from the stack's own resources.
 */
export type RotationTarget = (
  | { readonly secretArn: string; readonly secretLogicalId?: undefined }
  | { readonly secretLogicalId: string; readonly secretArn?: undefined }
) & {
  readonly userArn: string;
  readonly endpoint?: Endpoint;
};

const endpointSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  tls: z.boolean(),
});
const targetSchema = z.union([
  z.strictObject({
    secretArn: z.string().min(1),
    userArn: z.string().min(1),
    endpoint: endpointSchema.optional(),
  }),
  z.strictObject({
    secretLogicalId: z.string().regex(/^[A-Za-z0-9]{1,255}$/),
    userArn: z.string().min(1),
    endpoint: endpointSchema.optional(),
  }),
]);
const fileSchema = z.strictObject({ targets: z.array(targetSchema) });

/** A target whose secret ARN is known and whose user is parsed. */
export interface ResolvedTarget {
  readonly secretArn: string;
  readonly userArn: string;
  readonly endpoint?: Endpoint;
  readonly user: CacheUserRef;
}

/** The secrets the stack created, by logical id, as the stack itself lists them. */
export interface StackSecrets {
  secretArnsByLogicalId(): Promise<ReadonlyMap<string, string>>;
}

/** What the stack writes into the bundle; `readRotationTargetsFile` is the only reader. */
export function rotationTargetsFileContent(targets: readonly RotationTarget[]): string {
  return JSON.stringify({
    targets: targets.map(({ secretArn, secretLogicalId, userArn, endpoint }) =>
      secretArn !== undefined ? { secretArn, userArn, endpoint } : { secretLogicalId, userArn, endpoint },
    ),
  });
}

/** The file the stack bundled, validated again: the function trusts nothing it reads. */
export function readRotationTargetsFile(json: string, source: string): readonly RotationTarget[] {
  return parseBundledJson(json, source, fileSchema, 'a list of rotation targets').targets;
}

/** A stack's list of resources changes only on deploy; a miss re-reads it at most this often. */
const STACK_REREAD_MS = 30_000;

/**
 * The allow-list: every secret the function may touch. Existing secrets are matched by ARN; a
 * created secret's ARN is read from the stack's own resource list (which nobody outside the stack's
 * deployments can change) the first time a secret outside the known ARNs asks to be rotated.
 */
export class TargetRegistry {
  private readonly byArn = new Map<string, ResolvedTarget>();
  private readonly byLogicalId = new Map<string, RotationTarget>();
  private created?: { readonly at: number; readonly byArn: Promise<ReadonlyMap<string, ResolvedTarget>> };

  constructor(
    targets: readonly RotationTarget[],
    private readonly stack: StackSecrets | undefined,
    private readonly now: () => number = Date.now,
  ) {
    for (const target of targets) {
      if (target.secretArn !== undefined)
        this.byArn.set(target.secretArn, resolved(target, target.secretArn));
      else this.byLogicalId.set(target.secretLogicalId, target);
    }
    if (this.byLogicalId.size > 0 && !stack) {
      throw new DeployedConfigError(
        `${this.byLogicalId.size} targets name secrets the stack created, but the function was given no stack to read them from; redeploy the stack`,
      );
    }
  }

  async find(secretArn: string): Promise<ResolvedTarget | undefined> {
    const known = this.byArn.get(secretArn);
    if (known || this.byLogicalId.size === 0) return known;
    const found = (await this.createdSecrets(false)).get(secretArn);
    return found ?? (await this.createdSecrets(true)).get(secretArn);
  }

  get size(): number {
    return this.byArn.size + this.byLogicalId.size;
  }

  private createdSecrets(reread: boolean): Promise<ReadonlyMap<string, ResolvedTarget>> {
    const stale = this.created === undefined || (reread && this.now() - this.created.at >= STACK_REREAD_MS);
    if (stale && this.stack) {
      const byArn = this.stack.secretArnsByLogicalId().then((arns) => {
        const found = new Map<string, ResolvedTarget>();
        for (const [logicalId, target] of this.byLogicalId) {
          const arn = arns.get(logicalId);
          if (arn !== undefined) found.set(arn, resolved(target, arn));
        }
        return found;
      });
      // A failed read is not cached: the next invocation asks the stack again.
      byArn.catch(() => {
        this.created = undefined;
      });
      this.created = { at: this.now(), byArn };
    }
    return this.created?.byArn ?? Promise.resolve(new Map());
  }
}

function resolved(target: RotationTarget, secretArn: string): ResolvedTarget {
  const { userArn, endpoint } = target;
  return { secretArn, userArn, ...(endpoint && { endpoint }), user: parseUserArn(userArn) };
}
