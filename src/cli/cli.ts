import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { closeContext, createContext } from '../context.ts';
import { AppError } from '../domain/errors.ts';
import { createLogger, startServer } from '../main.ts';
import { createUser, ensureBuiltinRoles } from '../services/user.service.ts';

const USAGE = `Usage: herald <command>

Commands:
  serve                                       run the server (default)
  migrate                                     apply database migrations and exit
  user create --email E --password P [--username U] [--admin]
                                              create a user

Configuration comes from HERALD_* environment variables (see README).`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  server.ctx.log.info({ url: server.url, store: server.ctx.store.kind }, 'Herald is listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.ctx.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 30_000);
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

async function migrate(): Promise<void> {
  const config = loadConfig();
  const ctx = createContext(config, createLogger(config));
  try {
    const applied = await ctx.store.migrate();
    await ensureBuiltinRoles(ctx);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
  } finally {
    await closeContext(ctx);
  }
}

async function userCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      username: { type: 'string' },
      admin: { type: 'boolean', default: false },
    },
  });
  if (!values.email || !values.password)
    throw new AppError('validation', 'user create needs --email and --password');
  const config = loadConfig();
  const ctx = createContext(config, createLogger({ ...config, logLevel: 'warn' }));
  try {
    await ctx.store.migrate();
    await ensureBuiltinRoles(ctx);
    const user = await createUser(ctx, {
      email: values.email,
      password: values.password,
      username: values.username,
      roles: [values.admin ? 'admin' : 'member'],
    });
    console.log(`Created user ${user.email} (${user.id}) with role ${user.roles.join(', ')}`);
  } finally {
    await closeContext(ctx);
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  try {
    if (command === 'serve') return await serve();
    if (command === 'migrate') return await migrate();
    if (command === 'user' && rest[0] === 'create') return await userCreate(rest.slice(1));
    if (command === 'help' || command === '--help' || command === '-h') {
      console.log(USAGE);
      return;
    }
    console.error(`Unknown command "${argv.join(' ')}".\n\n${USAGE}`);
    process.exitCode = 2;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
    } else if (err instanceof AppError) {
      console.error(`${err.message} ${err.detail}`.trim());
    } else {
      console.error(`herald: ${(err as Error)?.message ?? String(err)}`);
      if (process.env.HERALD_LOG_LEVEL === 'debug' || process.env.HERALD_LOG_LEVEL === 'trace')
        console.error(err);
    }
    process.exitCode = 1;
  }
}
