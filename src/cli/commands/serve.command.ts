import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';

/** ms a shutdown may take before the process exits anyway. */
const FORCED_EXIT_MS = 30_000;

/**
 * V8 doubles its young generation whenever a scavenge finds most objects alive, which loading a
 * few hundred modules always does; the space it grows to is never given back, so an idle server
 * would keep ~30 MB it used only while starting. It is held at its first size while the server
 * starts and may grow again (V8's default factor) once requests arrive.
 */
const START_SEMI_SPACE_GROWTH = 1;
const RUN_SEMI_SPACE_GROWTH = 2;

async function serve(): Promise<void> {
  setFlagsFromString(`--semi-space-growth-factor=${START_SEMI_SPACE_GROWTH}`);
  const { loadConfig } = await import('../../config/config.ts');
  // A bad setting is reported before the (much larger) server code is even loaded.
  const config = loadConfig();
  const { startServer } = await import('../../main.ts');
  const server = await startServer(config);
  setFlagsFromString(`--semi-space-growth-factor=${RUN_SEMI_SPACE_GROWTH}`);
  server.ctx.log.info({ url: server.url, store: server.ctx.store.kind }, 'Herald is listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), FORCED_EXIT_MS);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the server (what `herald` with no command does)')
    .addHelpText('after', '\nConfiguration comes from HERALD_* environment variables (see README).')
    .action(serve);
}
