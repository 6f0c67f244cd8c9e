import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

/**
 * CloudFormation's resource specification as aws-cdk-lib is generated from it. What it carries per
 * property: the type (primitives, lists, maps, nested types, unions), whether it is required, and for
 * some strings and integers the allowed values. It carries no lengths, patterns or numeric ranges, so
 * those are not checked here.
 */
let loaded: SpecDatabase | undefined;
export function cfnSpec(): SpecDatabase {
  loaded ??= loadAwsServiceSpecSync();
  return loaded;
}

export function specResource(type: string): Resource | undefined {
  return cfnSpec().lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);
const POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** Resolved by CloudFormation at deploy, so it stands for a value of whatever type the property has. */
function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
}

const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}... (${text.length} chars)` : text;
};

/** CloudFormation converts scalars to the declared type the way these accept. */
function scalarProblem(value: unknown, type: PropertyType): string | undefined {
  switch (type.type) {
    case 'string':
    case 'date-time':
      if (typeof value !== 'string' && typeof value !== 'number')
        return `expected a string, got ${shown(value)}`;
      if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
        return `expected one of ${type.allowedValues.join(', ')}, got ${shown(value)}`;
      }
      return undefined;
    case 'number':
    case 'integer': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || Number.isNaN(number)) return `expected a number, got ${shown(value)}`;
      if (type.type === 'integer' && !Number.isInteger(number))
        return `expected an integer, got ${shown(value)}`;
      if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(number)) {
        return `expected one of ${type.allowedValues.join(', ')}, got ${shown(value)}`;
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : `expected a boolean, got ${shown(value)}`;
    case 'json':
      return typeof value === 'object' || typeof value === 'string'
        ? undefined
        : `expected JSON, got ${shown(value)}`;
    case 'null':
      return value === null ? undefined : `expected null, got ${shown(value)}`;
    default:
      return `unhandled spec type ${type.type}`;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The problems of `value` against `type`, each prefixed with its path. */
function valueProblems(value: unknown, type: PropertyType, path: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, index) => valueProblems(item, type.element, `${path}[${index}]`))
        : [`${path}: expected a list, got ${shown(value)}`];
    case 'map':
      return isRecord(value)
        ? Object.entries(value).flatMap(([key, item]) => valueProblems(item, type.element, `${path}.${key}`))
        : [`${path}: expected a map, got ${shown(value)}`];
    case 'union': {
      const each = type.types.map((member) => valueProblems(value, member, path));
      return each.some((problems) => problems.length === 0) ? [] : (each[0] ?? []);
    }
    case 'tag':
      return propertiesProblems(value, TAG, path);
    case 'ref': {
      const definition = cfnSpec().get('typeDefinition', type.reference.$ref);
      return propertiesProblems(value, definition.properties, path);
    }
    default: {
      const problem = scalarProblem(value, type);
      return problem ? [`${path}: ${problem}`] : [];
    }
  }
}

const TAG: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

function propertiesProblems(value: unknown, properties: ResourceProperties, path: string): string[] {
  if (!isRecord(value)) return [`${path}: expected an object, got ${shown(value)}`];
  const missing = Object.entries(properties)
    .filter(([name, property]) => property.required && value[name] === undefined)
    .map(([name]) => `${path}.${name}: required, missing`);
  const given = Object.entries(value).flatMap(([name, item]) => {
    const property = properties[name];
    if (!property) return [`${path}.${name}: unknown property`];
    return valueProblems(item, property.type, `${path}.${name}`);
  });
  return [...missing, ...given];
}

/** Every way a template's resources stray from the specification, one line each naming the resource and property path. */
export function templateSpecProblems(template: { Resources?: Record<string, unknown> }): string[] {
  return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
    if (!isRecord(resource)) return [`${id}: expected a resource object`];
    const keys = Object.keys(resource)
      .filter((key) => !RESOURCE_KEYS.has(key))
      .map((key) => `${id}.${key}: unknown resource attribute`);
    const policies = ['DeletionPolicy', 'UpdateReplacePolicy']
      .filter((key) => resource[key] !== undefined && !POLICIES.includes(String(resource[key])))
      .map((key) => `${id}.${key}: expected one of ${POLICIES.join(', ')}, got ${shown(resource[key])}`);
    return [...keys, ...policies, ...resourceProblems(id, String(resource.Type), resource.Properties ?? {})];
  });
}

function resourceProblems(id: string, type: string, properties: unknown): string[] {
  // A custom resource's properties are the provider's own; CloudFormation only needs the token.
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    return isRecord(properties) && properties.ServiceToken !== undefined
      ? []
      : [`${id} (${type}).ServiceToken: required, missing`];
  }
  const spec = specResource(type);
  if (!spec) return [`${id}: unknown resource type ${shown(type)}`];
  return propertiesProblems(properties, spec.properties, `${id} (${type})`);
}
