/**
 * Which folder may import which. `npm run deps` checks it, and CI runs that with the linter.
 * The layers point one way: lambdas (handlers) → core/requests → core/membership → core/cache →
 * core/runtime; rotation and owned groups sit beside membership on the cache. lib/ runs at synth
 * time and must never load an SDK client, a handler or the Lambda runtime's libraries.
 */
const PRODUCT = '^(lib|core|cli|lambdas|local|bench|demo|examples)/';
const layer = (name, allowed) => ({
  name: `core-${name}-layer`,
  comment: `core/${name} may import only ${allowed.length ? allowed.map((a) => `core/${a}`).join(', ') : 'no other core folder'}`,
  severity: 'error',
  from: { path: `^core/${name}/` },
  to: { path: '^core/', pathNot: [`^core/${name}/`, ...allowed.map((a) => `^core/${a}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-unresolvable',
      comment:
        'An import the checker cannot resolve is an import no rule can see: fix the path or the alias.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'Modules import each other in circles: split the shared part out.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { circular: true },
    },
    {
      name: 'no-product-imports-test',
      comment: 'Tests depend on product code, never the other way.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^test/' },
    },
    {
      name: 'lib-is-synth-time',
      comment:
        'lib/ runs in cdk synth: it must not load an SDK client, a Lambda library or a handler, even indirectly.',
      severity: 'error',
      from: { path: '^lib/' },
      to: {
        path: [
          '^node_modules/(@aws-sdk|@smithy|@redis|@middy|@aws-lambda-powertools)/',
          '^lambdas/',
          '^cli/',
          '^local/',
        ],
        reachable: true,
      },
    },
    {
      name: 'core-is-not-infrastructure',
      comment:
        'core/ is the domain the functions run: no CDK, no stack code, no local AWS, no operator commands.',
      severity: 'error',
      from: { path: '^core/' },
      to: {
        path: [
          '^lib/',
          '^cli/',
          '^lambdas/',
          '^local/',
          '^bench/',
          '^demo/',
          '^node_modules/(aws-cdk-lib|constructs|cdk-nag)/',
        ],
      },
    },
    {
      name: 'handlers-stand-alone',
      comment:
        'A handler imports core/, never another handler or lib/ (aws-cdk-lib must never reach a bundle).',
      severity: 'error',
      from: { path: '^lambdas/([^/]+)/' },
      to: { path: ['^lambdas/', '^lib/', '^cli/', '^local/'], pathNot: '^lambdas/$1/' },
    },
    {
      name: 'cli-not-from-lib',
      comment: 'The operator commands use the stack code; the stack code never uses them.',
      severity: 'error',
      from: { path: '^(lib|core|lambdas)/' },
      to: { path: '^cli/' },
    },
    layer('runtime', []),
    layer('cache', ['runtime']),
    layer('rotation', ['cache', 'runtime']),
    layer('membership', ['cache', 'runtime']),
    layer('owned-groups', ['cache', 'runtime']),
    layer('requests', ['membership', 'rotation', 'cache', 'runtime']),
  ],
  options: {
    // TypeScript 7 has no compiler API for the default parser to use; swc reads the sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^cdk\\.out', '^\\.bench-out'] },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
  },
};
