import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckedTemplate } from './checked-templates';

/**
 * cfn-lint (AWS's CloudFormation linter, on these machines with the Python toolchain) validates each property
 * against the CloudFormation registry schemas: patterns, lengths and ranges the CDK's specification lacks.
 */
export const CFN_LINT = 'cfn-lint';

/** What a template would meet at deploy, as cfn-lint reports it: rule id, resource path and message. */
export interface LintFinding {
  readonly template: string;
  readonly rule: string;
  readonly level: string;
  readonly path: string;
  readonly message: string;
}

interface RawMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] | null };
  readonly Message: string;
}

/**
 * Every finding of cfn-lint over the templates, in `region`. Checks that need a deployed stack or that judge
 * CDK's own output shape are left to their own tests and named in `ignore`.
 */
export function cfnLint(
  templates: readonly CheckedTemplate[],
  region: string,
  ignore: readonly string[] = [],
): LintFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  try {
    const files = templates.map(({ name, template }, index) => {
      const file = join(dir, `${index}.template.json`);
      writeFileSync(file, JSON.stringify(template, null, 1));
      return { file, name };
    });
    const run = spawnSync(
      CFN_LINT,
      [
        '--format',
        'json',
        '--regions',
        region,
        ...(ignore.length > 0 ? ['--ignore-checks', ...ignore] : []),
        '--',
        ...files.map(({ file }) => file),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (run.error) {
      throw new Error(
        `${CFN_LINT} did not run (${run.error.message}); it comes with the machine's Python (pip install cfn-lint)`,
      );
    }
    // cfn-lint's exit status is a bit mask of the levels it found; JSON on stdout is the only answer.
    if (run.stdout.trim() === '') throw new Error(`${CFN_LINT} printed nothing: ${run.stderr.slice(0, 500)}`);
    const byFile = new Map(files.map(({ file, name }) => [file, name]));
    return (JSON.parse(run.stdout) as RawMatch[]).map((match) => ({
      template: byFile.get(match.Filename) ?? match.Filename,
      rule: match.Rule.Id,
      level: match.Level,
      path: (match.Location.Path ?? []).join('.'),
      message: match.Message,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
