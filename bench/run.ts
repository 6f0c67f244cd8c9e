import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MEMBERSHIP_CONFIG_FILE, membershipConfigFileContent } from '#core/requests/config-file';
import { ENV } from '#core/runtime/env-names';
import {
  accessTableBeside,
  grantsOf,
  groupArnOf,
  openWindow,
  provisionUser,
  startLocalAws,
  startRedis,
  synthesizeBundles,
  writeTargetsFile,
} from '../local';
import { approvalBench } from './approvals';
import { burstBench } from './burst';
import { coldStartBench } from './cold-start';
import { ephemeralBench } from './ephemeral';
import { reconcileScaleBench } from './reconcile-scale';
import { requestBench } from './requests';
import { rotationBench } from './rotation';
import { scaleBench } from './scale';
import { type Row, table } from './stats';

const OUT_DIR = fileURLToPath(new URL('../.bench-out/', import.meta.url));
const log = (line: string) => console.error(line);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
  });
  const quick = values.quick;
  const sections = [
    'scale',
    'rotation',
    'reconcile',
    'requests',
    'burst',
    'approvals',
    'ephemeral',
    'cold-start',
  ];
  const unknown = (values.only ?? []).filter((section) => !sections.includes(section));
  if (unknown.length > 0) throw new Error(`--only takes ${sections.join(', ')}; got ${unknown.join(', ')}`);
  const runs = (section: string) => values.only === undefined || values.only.includes(section);
  mkdirSync(OUT_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cache-access-bench-'));
  const redis = await startRedis();
  const aws = await startLocalAws({ redis });
  const rows: Row[] = [];
  try {
    log('synthesizing the stack to get the bundled functions...');
    const bundles = synthesizeBundles(join(work, 'cdk.out'));
    const bundle = (folder: string) => {
      const file = bundles[folder];
      if (!file) throw new Error(`the synthesized stack has no ${folder} function`);
      return file;
    };

    if (runs('scale')) {
      log(
        "0. scale: the platform-sized config in one stack and issue 20's in nested stacks, against the deploy-time limits...",
      );
      rows.push(...scaleBench(join(work, 'scale.out')));
    }

    if (runs('rotation')) {
      log('1-2. rotation time, API calls and billed time per rotation...');
      const repeats = quick
        ? [
            [0, 3],
            [2_000, 1],
            [20_000, 1],
          ]
        : [
            [0, 5],
            [2_000, 3],
            [20_000, 3],
          ];
      rows.push(
        ...(await rotationBench({
          bundle: bundle('rotate'),
          aws,
          redis,
          repeats: new Map(repeats as [number, number][]),
          log,
        })),
      );
    }

    if (runs('reconcile')) {
      log('3. reconcile at scale...');
      rows.push(
        ...(await reconcileScaleBench({
          bundle: bundle('membership'),
          redis,
          groups: quick ? 20 : 150,
          concurrency: 10,
          log,
        })),
      );
    }

    if (runs('requests')) {
      log('4. requested access: event to login, revoke to refusal...');
      rows.push(...(await requestBench({ bundle: bundle('membership'), redis, runs: quick ? 1 : 3, log })));
    }

    if (runs('burst')) {
      log('4a. a burst of requests at the control-plane rate...');
      rows.push(
        ...(await burstBench({
          bundle: bundle('membership'),
          redis,
          requests: quick ? 60 : 300,
          groups: quick ? 20 : 100,
          log,
        })),
      );
    }

    if (runs('approvals')) {
      log('4b. approvals: signed request to pending event, approval to login...');
      rows.push(...(await approvalBench({ bundle: bundle('membership'), redis, runs: quick ? 1 : 3, log })));
    }

    if (runs('ephemeral')) {
      log('5. ephemeral users: event to a new user logging in, revoke to refusal...');
      rows.push(...(await ephemeralBench({ bundle: bundle('membership'), redis, runs: quick ? 1 : 3, log })));
    }

    if (runs('cold-start')) {
      log('6. cold start...');
      const user = await provisionUser(aws, 'elasticache', `cold-${randomUUID().slice(0, 8)}`);
      const groupId = 'cold-start';
      await aws.groups.create({ engine: 'elasticache', id: groupId, members: [] });
      const configFile = join(work, MEMBERSHIP_CONFIG_FILE);
      const groupArn = groupArnOf('elasticache', groupId);
      writeFileSync(
        configFile,
        membershipConfigFileContent({
          grants: grantsOf([{ name: 'cold', groupArn, users: [user.name], windows: [openWindow()] }]),
        }),
      );
      await aws.dynamo.createTable(accessTableBeside(bundle('membership')), 'cold-start');
      const token = randomUUID();
      aws.secrets.beginRotation(user.secretArn, token);
      rows.push(
        ...(await coldStartBench({
          samples: quick ? 5 : 20,
          outDir: OUT_DIR,
          log,
          targets: [
            {
              folder: 'rotate',
              bundle: bundle('rotate'),
              env: {
                ...aws.env(),
                NODE_EXTRA_CA_CERTS: redis.caFile,
                [ENV.rotationTargetsFile]: writeTargetsFile([
                  { secretArn: user.secretArn, userArn: user.userArn },
                ]),
                [ENV.passwordLength]: '64',
              },
              event: { Step: 'createSecret', SecretId: user.secretArn, ClientRequestToken: token },
            },
            {
              folder: 'membership',
              bundle: bundle('membership'),
              env: {
                ...aws.env(),
                [ENV.membershipConfigFile]: configFile,
                [ENV.eventBusName]: 'default',
                [ENV.accessTable]: 'cold-start',
              },
              event: { groupArn, trigger: 'bench' },
            },
          ],
        })),
      );
    }
  } finally {
    await aws.stop();
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const machine = `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
  const resultFile = join(OUT_DIR, 'bench-results.json');
  writeFileSync(
    resultFile,
    `${JSON.stringify({ at: new Date().toISOString(), machine, quick, rows }, null, 2)}\n`,
  );
  console.log(`${machine}${quick ? ' (quick run)' : ''}\n\n${table(rows)}\n\nJSON: ${resultFile}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
