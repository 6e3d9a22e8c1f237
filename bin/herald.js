#!/usr/bin/env node
// Runs the compiled server in dist/, which `npm install` builds (the prepare script) and
// `npm run build` refreshes; no TypeScript is compiled at run time.
let cli;
try {
  cli = await import('../dist/cli/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/cli.js')) throw err;
  console.error(
    'herald: the compiled build (dist/) is missing; run `npm run build` (or `npm install`) first.',
  );
  process.exit(1);
}
await cli.main(process.argv.slice(2));
