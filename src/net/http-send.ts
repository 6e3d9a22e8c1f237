import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { ChannelError, isRetryableHttpStatus, type SendContext } from '../channels/channel.ts';
import { assertOutboundUrl, loadUndici, outboundDispatcher } from './outbound-guard.ts';

/** Receivers' bodies are read for error messages and small acks only; anything longer is cut off. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a receiver's answer goes into an error message (and so into the delivery log). */
const MAX_ERROR_BODY_CHARS = 300;

export interface HttpCall {
  url: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  body: string | Buffer;
  /**
   * Names the receiver in error messages. Never the full URL: Slack, Discord and Telegram keep their
   * secret in the path, and error messages are stored in the delivery log. A function is called
   * only when there is an error to name it in.
   */
  label: string | (() => string);
  /** Pulls the human-readable reason out of an error body (e.g. Telegram's `description`). */
  detail?: (body: string) => string | undefined;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Collapses whitespace and cuts a receiver's answer down to something fit for a one-line error. */
export function trimBody(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ERROR_BODY_CHARS ? `${flat.slice(0, MAX_ERROR_BODY_CHARS)}…` : flat;
}

/** Turns a thrown network-level error into a ChannelError; only malformed requests are permanent. */
export function networkError(err: unknown, label: string, timeoutMs: number): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code?.endsWith('_TIMEOUT')) {
    return new ChannelError(`${label} did not answer within ${timeoutMs} ms`, true);
  }
  if (e.code === 'UND_ERR_INVALID_ARG') {
    return new ChannelError(`${label}: invalid request: ${e.message}`, false);
  }
  const code = e.code ?? e.cause?.code;
  return new ChannelError(`${label} unreachable: ${code ? `${code} ` : ''}${e.message ?? String(err)}`, true);
}

/**
 * The answer's body, up to MAX_RESPONSE_BYTES (the rest is dropped with the stream). Read with
 * stream events: an async iterator over the body cost a few per cent of a delivery's time.
 */
function readCapped(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_RESPONSE_BYTES) {
        body.destroy();
        done();
      }
    });
    body.once('end', done);
    body.once('error', reject);
  });
}

/** An abort signal in the shape undici accepts besides AbortSignal: an emitter of `abort`. */
class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown;

  abort(reason: unknown): void {
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * One guarded HTTP call with the whole exchange bounded by `ctx.timeoutMs`. Redirects are not followed:
 * a redirect could lead to a private address after the check, and receivers of these APIs never redirect.
 * Returns the answer for 2xx and throws a classified ChannelError for everything else.
 */
const labelOf = (call: HttpCall): string => (typeof call.label === 'function' ? call.label() : call.label);

export async function sendHttp(ctx: SendContext, call: HttpCall): Promise<HttpAnswer> {
  const url = await assertOutboundUrl(call.url, ctx.allowPrivateNetworks);
  const headers = { ...call.headers };
  // `https://user:pass@host/…` means Basic auth, as curl and browsers read it; undici would drop it.
  if (url.username || url.password) {
    const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    if (!hasAuth) headers.authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const { request } = await loadUndici();
  const dispatcher = await outboundDispatcher(ctx.allowPrivateNetworks);
  let status: number;
  let text: string;
  // The whole exchange ends when the timer fires. undici takes an EventEmitter as its signal as
  // well as an AbortSignal; an emitter and one plain timer cost far less per send than an
  // AbortController (about a sixth of the delivery engine's time per send; AbortSignal.timeout()'s
  // weakly held timer cost a few per cent more).
  const deadline = new Deadline();
  const timer = setTimeout(
    () => deadline.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    ctx.timeoutMs,
  );
  try {
    const response = await request(url, {
      method: call.method ?? 'POST',
      headers,
      body: call.body,
      signal: deadline,
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
      dispatcher,
    });
    status = response.statusCode;
    text = await readCapped(response.body);
  } catch (err) {
    throw networkError(err, labelOf(call), ctx.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  if (status < 200 || status > 299) {
    const detail = trimBody(call.detail?.(text) ?? text);
    throw new ChannelError(
      `${labelOf(call)} answered ${status}${detail ? `: ${detail}` : ''}`,
      isRetryableHttpStatus(status),
      status,
    );
  }
  return { status, body: text };
}

/** JSON POST helper for the chat channels. */
export function sendJson(
  ctx: SendContext,
  call: Omit<HttpCall, 'body' | 'headers'> & { payload: unknown },
): Promise<HttpAnswer> {
  const { payload, ...rest } = call;
  return sendHttp(ctx, {
    ...rest,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

/** Reads one string field from a JSON error body, for receivers that explain themselves in JSON. */
export function jsonField(field: string): (body: string) => string | undefined {
  return (body) => {
    try {
      const value = (JSON.parse(body) as Record<string, unknown>)[field];
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Names a receiver by origin only, so secrets in paths and query strings stay out of error messages. */
export function receiverLabel(kind: string, url: string): string {
  try {
    return `${kind} at ${new URL(url).host}`;
  } catch {
    return kind;
  }
}
