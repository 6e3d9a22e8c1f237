import pino from 'pino';
import type { Config } from '../config/config.ts';
import type { AppContext } from '../context.ts';

/**
 * Operator commands work on the store named by the same HERALD_* variables as the server.
 * The modules are loaded on first use so client commands start without them.
 */
export async function localConfig(): Promise<Config> {
  const { loadConfig } = await import('../config/config.ts');
  return loadConfig();
}

export async function withLocalContext<T>(
  fn: (ctx: AppContext) => Promise<T>,
  opts: { migrate: boolean; config?: Config },
): Promise<T> {
  const config = opts.config ?? (await localConfig());
  const { closeContext, createContext } = await import('../context.ts');
  // Commands print their own results; the logger only speaks up about real trouble.
  const log = pino({ level: config.logLevel === 'silent' ? 'silent' : 'warn', base: { service: 'herald' } });
  const ctx = createContext(config, log);
  try {
    if (opts.migrate) {
      await ctx.store.migrate();
      const { ensureBuiltinRoles } = await import('../services/user.service.ts');
      await ensureBuiltinRoles(ctx);
    }
    return await fn(ctx);
  } finally {
    await closeContext(ctx);
  }
}
