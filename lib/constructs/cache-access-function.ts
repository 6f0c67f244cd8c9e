import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Names, RemovalPolicy, Stage, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { deployedJsonLength } from './deploy-size';
import { RolePolicies, type RolePolicySizes, rolePolicyProblems, rolePolicySizes } from './role-policies';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where a function runs when the caches are only reachable from inside a VPC. */
export interface FunctionPlacement {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Subnets the function's network interfaces go into. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * Security groups that the caches and the VPC endpoints accept traffic from.
   * @default - a new security group with all outbound traffic allowed
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
}

export interface CacheAccessFunctionProps {
  /** Folder under `lambdas/` that holds the function's `handler.ts`. */
  readonly handlerFolder: string;
  /** What the function is for, shown in the console. */
  readonly description: string;
  /**
   * Environment variables, merged over the Powertools defaults.
   * @default - the Powertools defaults only
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Maximum run time.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Memory size in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * VPC placement.
   * @default - the function runs outside any VPC
   */
  readonly placement?: FunctionPlacement;
  /**
   * Files placed beside the handler in the bundle, by file name. For configuration too large for
   * environment variables, which Lambda caps at 4 KB in total; the content is part of the asset hash.
   * @default - none
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Node.js 24 ARM64 function bundled with esbuild from `lambdas/<folder>/handler.ts`, with its
 * own log group and a role that can write to that log group and nothing else until granted more.
 */
export class CacheAccessFunction extends Construct {
  /** The folder under `lambdas/` the code comes from. */
  readonly handlerFolder: string;
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  private readonly policies: RolePolicies[] = [];
  private readonly networking?: iam.Policy;
  private readonly environment: Readonly<Record<string, string>>;
  /** What the function is handed beside its handler, by file name. */
  readonly bundledFiles: Readonly<Record<string, string>>;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CacheAccessFunctionProps) {
    super(scope, id);
    this.handlerFolder = props.handlerFolder;
    this.bundledFiles = props.bundledFiles ?? {};
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of: ${props.description}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const networking = props.placement && this.allowVpcNetworking();

    const environment = { POWERTOOLS_LOG_LEVEL: 'INFO', ...props.environment };
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}lambdas/${props.handlerFolder}/handler.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      vpc: props.placement?.vpc,
      vpcSubnets: props.placement?.subnets,
      securityGroups: props.placement?.securityGroups && [...props.placement.securityGroups],
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        // Error class names are part of every message and metric; minification must not rename them.
        keepNames: true,
        // The runtime's SDK version is not the one tested; ship the tested one.
        bundleAwsSDK: true,
        banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
        commandHooks:
          props.bundledFiles &&
          copyIntoBundle(props.bundledFiles, Stage.of(this)?.outdir ?? tmpdir(), Names.uniqueId(this)),
      },
    });
    this.networking = networking;
    this.environment = environment;
    this.node.addValidation({
      validate: () => {
        const sizes = this.deploySizes();
        return [
          ...environmentProblems(sizes.environmentBytes),
          ...rolePolicyProblems(this.role, sizes.policies),
        ];
      },
    });
    // Lambda checks the network interface permissions when the function is created.
    if (networking) this.function.node.addDependency(networking);
  }

  /** What AWS measures at deploy: the environment as JSON, and the role's policies as IAM counts them. */
  deploySizes(): { readonly environmentBytes: number; readonly policies: RolePolicySizes } {
    return {
      environmentBytes: deployedJsonLength(this, this.environment),
      policies: rolePolicySizes(
        this.role,
        [...(this.networking ? [this.networking] : []), ...this.policies.map(({ inline }) => inline)],
        this.policies.flatMap(({ managed }) => managed),
      ),
    };
  }

  /**
   * Gives the function `statements` for one purpose, in policies under `scope` named `id` (see
   * `RolePolicies`); the role is measured against IAM's quotas at synth.
   */
  grant(scope: Construct, id: string, statements: readonly iam.PolicyStatement[]): RolePolicies {
    const policies = new RolePolicies(scope, id, this.role, statements);
    this.policies.push(policies);
    return policies;
  }

  /** Network interface permissions for VPC placement; the AWS-managed policy would add CloudWatch Logs on *. */
  private allowVpcNetworking(): iam.Policy {
    // A policy of its own, so the acknowledgement below cannot cover any later statement.
    const policy = new iam.Policy(this, 'VpcNetworking', {
      statements: [
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    this.role.attachInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda creates and deletes its own VPC network interfaces; EC2 cannot scope these calls to interfaces that do not exist yet.',
    });
    return policy;
  }
}

/**
 * Writes each file into the cloud assembly folder at synth time and copies it into the bundle's
 * output folder once esbuild is done.
 */
function copyIntoBundle(files: Readonly<Record<string, string>>, outdir: string, id: string): ICommandHooks {
  const staging = join(outdir, 'bundled-files', id);
  mkdirSync(staging, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(staging, name), content);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      Object.keys(files).map((name) => `cp "${join(staging, name)}" "${join(outputDir, name)}"`),
  };
}

/** Lambda refuses a function whose environment, as a JSON document with its escapes, exceeds 4 KB. */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

function environmentProblems(bytes: number): string[] {
  return bytes > ENVIRONMENT_LIMIT_BYTES
    ? [
        `Lambda environment limit: the function's environment would take about ${bytes} bytes as JSON, over Lambda's limit of ${ENVIRONMENT_LIMIT_BYTES}; move configuration into a bundled file (bundledFiles) or remove variables`,
      ]
    : [];
}
