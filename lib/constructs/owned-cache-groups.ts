import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENGINE_NAMES, ENGINES } from '#core/cache/engines';
import type { ServerEngine } from '#core/cache/ports';
import { type CacheGroup, memberOf, resourceKey } from '#core/cache/refs';
import { OWNED_GROUP_RESOURCE_TYPE, type OwnedGroupProperties } from '#core/owned-groups/custom-resource';
import { disabledDefaultUserId } from '#core/owned-groups/owned-groups';
import { CacheAccessFunction } from './cache-access-function';
import { propsError } from './props-error';

/** One user group or ACL the stack creates through the API and owns. */
export interface OwnedGroupProps {
  /** The group to create: its ARN gives the engine, region and id. */
  readonly group: CacheGroup;
  /**
   * ElastiCache only, and required there: the engine of the group and of the users it may hold. A
   * `redis` group also gets a user named `default` that cannot log in, since the engine requires one.
   */
  readonly serverEngine?: ServerEngine;
  /**
   * What deleting the stack (or removing the group from it) does to the group: `RETAIN` keeps it,
   * `DESTROY` deletes it once no cache uses it, and fails the deletion with the caches' names if one still does.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export interface OwnedCacheGroupsProps {
  /** The groups to create; at least one, each ARN once. */
  readonly groups: readonly OwnedGroupProps[];
}

/** A group the stack made, for attaching to a cache in the same app. */
export interface OwnedGroup {
  readonly group: CacheGroup;
  /** The custom resource: a cache that uses the group must depend on it, which `groupId` does by itself. */
  readonly resource: CfnResource;
  /** The user group id or ACL name, as a token that makes a cache using it wait for the group. */
  readonly groupId: string;
}

/**
 * User groups and ACLs the stack creates through the API (`CreateUserGroup`, `CreateACL`) instead of
 * declaring them in the template: CloudFormation would own a declared group's members and undo, at the
 * next deploy, every change the reconciler made. Each group is tagged with the stack's id; a deploy never
 * touches its members; a group of the same id made by anyone else is refused, never adopted.
 */
export class OwnedCacheGroups extends Construct {
  readonly handler: CacheAccessFunction;
  /** Every group made, by ARN. */
  readonly groups: ReadonlyMap<string, OwnedGroup>;

  constructor(scope: Construct, id: string, props: OwnedCacheGroupsProps) {
    super(scope, id);
    const problems = propsProblems(props);
    if (problems.length > 0) throw propsError('OwnedCacheGroups', problems);
    this.handler = new CacheAccessFunction(this, 'Handler', {
      handlerFolder: 'owned-groups',
      description: 'Creates and deletes the user groups and ACLs this stack owns; never their members',
      timeout: Duration.minutes(10),
    });
    // CloudFormation calls the function asynchronously and waits for one answer; a retry would answer twice.
    this.handler.function.configureAsyncInvoke({ retryAttempts: 0 });
    const kept = props.groups.filter((spec) => !destroys(spec));
    const shared = kept.length > 0 && this.handler.grant(this, 'GroupPolicy', ownedGroupStatements(kept));

    const groups = new Map<string, OwnedGroup>();
    for (const spec of props.groups) {
      const key = resourceKey(spec.group);
      // A group that is deleted with its resource keeps its rights in a policy of its own, removed only
      // after it: CloudFormation updates the policies that stay before it deletes a removed resource, so
      // a shared policy would no longer name the group when its delete runs. A kept group's delete makes
      // no call at all.
      const policies =
        shared && !destroys(spec)
          ? shared
          : this.handler.grant(this, `GroupPolicy-${key}`, ownedGroupStatements([spec]));
      const properties: OwnedGroupProperties = {
        GroupArn: spec.group.arn,
        ...(spec.serverEngine && { ServerEngine: spec.serverEngine }),
        RemovalPolicy: destroys(spec) ? 'destroy' : 'retain',
      };
      const resource = new CfnResource(this, `Group-${key}`, {
        type: OWNED_GROUP_RESOURCE_TYPE,
        properties: { ServiceToken: this.handler.function.functionArn, ...properties },
      });
      // Deleted before the function and its rights, so the function can still answer the delete.
      resource.node.addDependency(this.handler, ...policies.all);
      groups.set(spec.group.arn, {
        group: spec.group,
        resource,
        groupId: resource.getAtt('GroupId').toString(),
      });
    }
    this.groups = groups;
  }

  /** The group made for `group`, which must be one of the props' groups. */
  groupOf(group: CacheGroup): OwnedGroup {
    const owned = this.groups.get(group.arn);
    if (!owned) throw new Error(`${group.arn} is not one of this construct's groups`);
    return owned;
  }
}

const destroys = (spec: OwnedGroupProps) => spec.removalPolicy === RemovalPolicy.DESTROY;

function propsProblems({ groups }: OwnedCacheGroupsProps): string[] {
  const problems: string[] = [];
  if (groups.length === 0) problems.push('groups: expected at least one group');
  const seen = new Set<string>();
  groups.forEach((spec, index) => {
    const at = `groups[${index}]`;
    if (seen.has(spec.group.arn)) problems.push(`${at}.group: ${spec.group.arn} is listed twice`);
    seen.add(spec.group.arn);
    if (spec.group.engine === 'elasticache' && !spec.serverEngine) {
      problems.push(
        `${at}.serverEngine: expected 'redis' or 'valkey' for ElastiCache user group ${spec.group.arn}`,
      );
    }
    if (spec.group.engine === 'memorydb' && spec.serverEngine) {
      problems.push(
        `${at}.serverEngine: MemoryDB ACL ${spec.group.arn} has no engine of its own; leave it out`,
      );
    }
    if (spec.removalPolicy && ![RemovalPolicy.RETAIN, RemovalPolicy.DESTROY].includes(spec.removalPolicy)) {
      problems.push(`${at}.removalPolicy: expected RETAIN or DESTROY, got ${spec.removalPolicy}`);
    }
  });
  return problems;
}

/**
 * Exactly the owned groups, and the disabled `default` users of the ElastiCache ones: create, tag and read
 * them, and delete only those whose removal policy is destroy.
 */
export function ownedGroupStatements(groups: readonly OwnedGroupProps[]): iam.PolicyStatement[] {
  return ENGINE_NAMES.flatMap((engine) => {
    const ofEngine = groups.filter((spec) => spec.group.engine === engine);
    if (ofEngine.length === 0) return [];
    const { actions, tagOnCreate, sidName } = ENGINES[engine];
    const arns = (specs: readonly OwnedGroupProps[]) => specs.map((spec) => spec.group.arn);
    const defaultUsers = (specs: readonly OwnedGroupProps[]) =>
      specs
        .filter(hasDefaultUser)
        .map((spec) => memberOf(spec.group, disabledDefaultUserId(spec.group.arn)).arn);
    const doomed = ofEngine.filter(destroys);
    return [
      new iam.PolicyStatement({
        sid: `Own${sidName}Groups`,
        actions: [actions.createGroup, tagOnCreate, actions.describeGroups, actions.tagsOf],
        resources: arns(ofEngine),
      }),
      ...statementIf(defaultUsers(ofEngine), {
        sid: `Own${sidName}DefaultUsers`,
        // Creating a group with members is authorized on each member too.
        actions: [actions.createUser, actions.createGroup, tagOnCreate, actions.describeUser, actions.tagsOf],
      }),
      ...statementIf(arns(doomed), { sid: `Delete${sidName}Groups`, actions: [actions.deleteGroup] }),
      ...statementIf(defaultUsers(doomed), {
        sid: `Delete${sidName}DefaultUsers`,
        actions: [actions.deleteUser],
      }),
    ];
  });
}

/**
 * Every ElastiCache group, valkey too: the function reads the disabled default user's tags when it
 * deletes any ElastiCache group, and a group whose engine change was refused is still a redis group.
 */
const hasDefaultUser = (spec: OwnedGroupProps) => spec.group.engine === 'elasticache';

function statementIf(
  resources: readonly string[],
  { sid, actions }: { readonly sid: string; readonly actions: readonly string[] },
): iam.PolicyStatement[] {
  return resources.length === 0
    ? []
    : [new iam.PolicyStatement({ sid, actions: [...actions], resources: [...resources] })];
}
