import { createHttpReceiver, type HttpReceiver } from './http-receiver.ts';

/**
 * Loopback stand-ins for the chat APIs Herald talks to. Each answers the way the real service does for
 * success and for its common failures, so channel error handling is tested against realistic replies.
 */

/** Slack incoming webhook: `200 ok` as text/html; failures are plain-text codes like `invalid_payload`. */
export interface SlackReceiver extends HttpReceiver {
  /** The incoming-webhook URL to configure, path shaped like Slack's. */
  webhookUrl: string;
  failWith(status: number, code: string): void;
}

export async function createSlackReceiver(): Promise<SlackReceiver> {
  const http = await createHttpReceiver({
    respond: () => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/html' } }),
  });
  return {
    ...http,
    webhookUrl: `${http.url}/services/T000/B000/XXXXSECRET`,
    failWith(status, code) {
      http.respondWith(status, code, { headers: { 'content-type': 'text/plain' } });
    },
  };
}

/** Telegram Bot API: `{ok:true,result}` or `{ok:false,error_code,description}` with the same HTTP status. */
export interface TelegramReceiver extends HttpReceiver {
  /** The `apiBaseUrl` to configure. */
  apiBaseUrl: string;
  failWith(errorCode: number, description: string, retryAfter?: number): void;
}

export async function createTelegramReceiver(): Promise<TelegramReceiver> {
  let messageId = 0;
  const http = await createHttpReceiver({
    respond: (req) => {
      if (!/^\/bot\d+:[\w-]+\/sendMessage$/.test(req.path)) {
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
      }
      const body = req.json as { chat_id?: string; text?: string };
      messageId += 1;
      return {
        status: 200,
        body: { ok: true, result: { message_id: messageId, chat: { id: body.chat_id }, text: body.text } },
      };
    },
  });
  return {
    ...http,
    apiBaseUrl: http.url,
    failWith(errorCode, description, retryAfter) {
      const parameters = retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } };
      http.respondWith(errorCode, { ok: false, error_code: errorCode, description, ...parameters });
    },
  };
}

/** Discord webhook execute: 204 without `?wait=true`; errors are JSON `{message, code}` or 429 `{retry_after}`. */
export interface DiscordReceiver extends HttpReceiver {
  webhookUrl: string;
  failWith(status: number, message: string): void;
}

export async function createDiscordReceiver(): Promise<DiscordReceiver> {
  const http = await createHttpReceiver({ respond: () => ({ status: 204 }) });
  return {
    ...http,
    webhookUrl: `${http.url}/api/webhooks/123456/SECRETTOKEN`,
    failWith(status, message) {
      const body =
        status === 429
          ? { message, retry_after: 1.5, global: false }
          : { message, code: status === 404 ? 10015 : 50006 };
      http.respondWith(status, body);
    },
  };
}
