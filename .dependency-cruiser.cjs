/**
 * Layering checks (DESIGN.md "Layout"): no import cycles in src/, routes never reach the store,
 * and Fastify stays inside src/http/. `npm run check:deps` runs it; CI fails on any violation.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports point one way down the pipeline; a cycle means two modules own one concept.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'http-not-to-store',
      severity: 'error',
      comment: 'Routes only translate: they call services, never repositories (STYLE.md rule 4).',
      from: { path: '^src/http/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'fastify-only-in-http',
      severity: 'error',
      comment: 'Domain, rules, queue, workers and channels know no Fastify (DESIGN.md rule 4).',
      from: { path: '^src/', pathNot: '^src/(http/|main\\.ts)' },
      to: { path: 'node_modules/(fastify|@fastify)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
