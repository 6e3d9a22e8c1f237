import { ChannelError, type OutboundMessage, type Recipient, type SendContext } from '../channels/channel.ts';
import { getChannel } from '../channels/channel-registry.ts';
import type { AppContext } from '../context.ts';
import { webhookSigningSecret } from '../services/channel-settings.service.ts';

/**
 * One attempt through a channel adapter with the process's send settings. The adapters bound
 * their own time; the deadline here is the backstop that keeps a misbehaving adapter from
 * outliving the lease. Every failure comes back as a ChannelError.
 */
export async function sendThroughChannel(
  ctx: AppContext,
  type: string,
  config: Record<string, unknown>,
  message: OutboundMessage,
  recipient: Recipient,
): Promise<{ info?: string }> {
  const channel = getChannel(type);
  if (!channel) throw new ChannelError(`unknown channel "${type}"`, false);
  const timeoutMs = ctx.config.sendTimeoutMs;
  const sendCtx: SendContext = {
    timeoutMs,
    allowPrivateNetworks: ctx.config.allowPrivateNetworks,
    now: () => new Date(ctx.clock.now()),
    secret: webhookSigningSecret(ctx),
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChannelError(`${type}: the send did not finish within ${timeoutMs} ms`, true)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([channel.send(config, message, recipient, sendCtx), deadline]);
  } catch (err) {
    if (err instanceof ChannelError) throw err;
    // An adapter bug or an unexpected library error: worth another try, and the text is kept.
    throw new ChannelError(`${type}: ${(err as Error)?.message ?? String(err)}`, true);
  } finally {
    clearTimeout(timer);
  }
}
