import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.ts';
import {
  type AppContext,
  type ContextOverrides,
  closeContext,
  connectContext,
  createContext,
} from './context.ts';
import { redactUrlCredentials } from './domain/redact.ts';
import { buildApp } from './http/app.ts';
import { sealPlainChannelSecrets } from './services/channel-settings.service.ts';
import { bootstrapAdmin, firstAdminBanner } from './services/user.service.ts';
import { type Engine, startEngine } from './workers/engine.ts';

export interface RunningServer {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  /** The URL the server actually listens on (port 0 resolved). */
  readonly url: string;
  /** This process's background workers. */
  readonly engine: Engine;
  /** Resolves once the workers have nothing left to do now (see {@link Engine.drain}). */
  drain(): Promise<void>;
  /** Stops accepting, finishes in-flight requests and background work, closes the store. */
  close(): Promise<void>;
}

/** The process logger; `destination` (default stdout) is for tests that read what was logged. */
export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'herald' },
    // Request URLs reach the log from Fastify, errors and our own lines alike: scrub the line.
    hooks: { streamWrite: redactUrlCredentials },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** config → context → migrate → first admin → HTTP server listening → workers. */
export async function startServer(
  config: Config,
  overrides: ContextOverrides & { log?: Logger; stdout?: { write(text: string): unknown } } = {},
): Promise<RunningServer> {
  const log = overrides.log ?? createLogger(config);
  const ctx = createContext(config, log, overrides);
  try {
    const applied = await ctx.store.migrate();
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    await connectContext(ctx);
    const firstAdmin = await bootstrapAdmin(ctx);
    if (firstAdmin) (overrides.stdout ?? process.stdout).write(firstAdminBanner(firstAdmin));
    const sealed = await sealPlainChannelSecrets(ctx);
    if (sealed > 0) log.info({ channels: sealed }, 'channel secrets stored in plain text were sealed');
    const app = await buildApp(ctx);
    await app.listen({ host: config.host, port: config.port });
    const engine = startEngine(ctx);
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    let closing: Promise<void> | undefined;
    return {
      ctx,
      app,
      url,
      engine,
      drain: () => engine.drain(),
      close() {
        closing ??= (async () => {
          await engine.stop();
          await app.close();
          await closeContext(ctx);
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeContext(ctx).catch(() => {});
    throw err;
  }
}
