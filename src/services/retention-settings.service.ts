import type { AppContext } from '../context.ts';
import { insertEvents, settingsUpdated } from '../store/event.repository.ts';
import { getSetting, putSetting } from '../store/setting.repository.ts';

/** How long the log, messages and attachments are kept; the retention worker applies it. */
export const RETENTION_SETTING = 'retention_days';
/** days the log and messages are kept unless the operator says otherwise. */
export const DEFAULT_RETENTION_DAYS = 90;

export async function getRetentionDays(ctx: AppContext): Promise<number> {
  const days = await getSetting<number>(ctx.store.db, RETENTION_SETTING);
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}

export async function setRetentionDays(ctx: AppContext, days: number): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.writer.run(async (tx) => {
    await putSetting(tx, RETENTION_SETTING, days, now);
    await insertEvents(tx, [settingsUpdated(now, { key: RETENTION_SETTING, value: days })], now);
  });
  ctx.signals.eventsCommitted.emit({ count: 1 });
  ctx.signals.settingsChanged.emit({ key: RETENTION_SETTING, value: days });
}
