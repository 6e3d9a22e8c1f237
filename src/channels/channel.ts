import type { TSchema } from 'typebox';
import type { FieldError } from '../domain/errors.ts';

/**
 * The contract every outside delivery method implements.
 *
 * Glossary:
 * - channel: an adapter for one kind of outside receiver (smtp, webhook, slack, telegram, discord, webpush).
 * - config: the operator's settings for a channel, described by its `configSchema` and checked by
 *   `validateConfig` before it is stored.
 * - recipient: where one delivery goes: a raw address for that channel, a push subscription, or nothing
 *   (the channel's own default target, e.g. the Slack incoming webhook's channel).
 * - send: one attempt. It resolves on success and rejects with a {@link ChannelError} whose `retryable`
 *   flag tells the queue whether to back off and try again or to mark the delivery failed at once.
 */

/** Either the normalised config (defaults filled, unknown keys refused) or every problem found. */
export type ConfigResult<C> = { ok: true; config: C } | { ok: false; errors: FieldError[] };

/** What is being sent, already rendered. */
export interface OutboundMessage {
  /** Stable across retries, sent to receivers so they can drop repeats (`X-Herald-Delivery` over HTTP). */
  deliveryId: string;
  /** Short headline: the email subject, the bold first line of a chat message. */
  title: string;
  /** Plain-text body; always present so every channel has something to show. */
  text: string;
  /** Rendered HTML body, used where the channel can show HTML (email). */
  html?: string;
  /** Link the receiver should open when the notification is tapped. */
  url?: string;
  /** How loudly to notify; channels map it to their own knobs (push urgency, silent chat messages). */
  deliveryType?: 'SILENT' | 'NORMAL' | 'CRITICAL';
  /** Extra structured fields, passed through only by channels that carry JSON (webhook). */
  data?: Record<string, unknown>;
  /** The rule firing that caused it, for channels that carry JSON (webhook, in Gatwy's terms). */
  firing?: RuleFiring;
}

/** What a rule-fired delivery reports of its cause: the rule's name and the event's parts. */
export interface RuleFiring {
  rule: string;
  event: string;
  user: unknown;
  target: unknown;
  ip: unknown;
  timestamp: string;
  details: Record<string, unknown>;
}

/** Where it goes: a raw address for this channel (email address, chat id), a web push subscription, or the channel's default target. */
export interface Recipient {
  /** Channel-specific address: an email address for smtp, a chat id for telegram. */
  address?: string;
  /** A browser's PushSubscription as JSON, for webpush. */
  subscription?: { endpoint: string; keys: { p256dh: string; auth: string } };
}

/** Per-attempt settings handed down by the dispatcher; outside effects come from here so tests control them. */
export interface SendContext {
  /** Upper bound for the whole attempt; the queue keeps it below the lease so a slow send is not claimed twice. */
  timeoutMs: number;
  /** Operator switch (HERALD_ALLOW_PRIVATE_NETWORKS) to let sends reach loopback, private and link-local hosts. */
  allowPrivateNetworks: boolean;
  /** Clock used for signatures and timestamps. */
  now: () => Date;
  /** Instance-wide signing key, used when a channel config carries no key of its own (webhook). */
  secret?: string;
  /** Resolves a host name to all its addresses; the system resolver when absent (tests play DNS). */
  lookup?: (host: string) => Promise<Array<{ address: string }>>;
}

/**
 * A failed attempt. `retryable` is the only thing the queue needs to decide between backing off and giving
 * up; `status` is the receiver's HTTP or SMTP code when there was one. Messages never contain secrets
 * (tokens in URLs, passwords) because they end up in the delivery log.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The recipient no longer exists at the receiver (an expired push subscription): stop addressing it. */
    readonly recipientGone = false,
  ) {
    super(message);
  }
}

/**
 * How a channel's deliveries are addressed, which decides who a rule action or a test reaches:
 * - `email`: an email address (a user's, or a raw address containing `@`);
 * - `push-subscription`: each browser subscription of the user;
 * - `chat`: an optional raw address (a chat id) overriding the configured default target;
 * - `none`: the configured target only (one delivery per action).
 */
export type Addressing = 'email' | 'push-subscription' | 'chat' | 'none';

/** What the operator's environment offers a channel filling its own defaults. */
export interface ConfigDefaultsEnv {
  adminEmail?: string;
  baseUrl: string;
}

/** An outside delivery method. Implementations are stateless; everything per-send arrives as arguments. */
export interface Channel<C = unknown> {
  /** Registry key and the `:type` in `/notifications/channels/:type`. */
  readonly type: string;
  /** What people call it, for messages and the settings page ("Email (SMTP)"). */
  readonly label: string;
  /** The config as a TypeBox schema; `validateConfig` checks against it (plus what a schema cannot say). */
  readonly configSchema: TSchema;
  /** Config keys masked on read and encrypted at rest; whole values, so an object field is masked entirely. */
  readonly secretFields: readonly string[];
  /**
   * Secret fields holding a URL of which only the userinfo and query are secret: sealed whole,
   * but read back with just those parts masked, so the receiver stays recognisable.
   */
  readonly urlSecretFields?: readonly string[];
  readonly addressing: Addressing;
  /**
   * Set when messages (bucket and template messages, not only rules) fan out to this channel: the
   * template `method` names that choose it, and whether SILENT messages skip it.
   */
  readonly messageRoute?: { readonly methods: readonly string[]; readonly skipSilent: boolean };
  /**
   * Fills settings the operator need not give (web push generates its key pair once). A channel
   * with defaults can be enabled and tested without any config.
   */
  withDefaults?(
    config: Record<string, unknown>,
    stored: Record<string, unknown> | undefined,
    env: ConfigDefaultsEnv,
  ): Record<string, unknown>;
  /** Checks untrusted input (an API body) and returns a typed config or field errors; never throws. */
  validateConfig(input: unknown): ConfigResult<C>;
  /**
   * Makes one delivery attempt within `ctx.timeoutMs`. Resolves with optional receiver info for the log
   * (SMTP response, message id); rejects with a {@link ChannelError} on every failure.
   */
  send(
    config: C,
    message: OutboundMessage,
    recipient: Recipient,
    ctx: SendContext,
  ): Promise<{ info?: string }>;
}

/** Timeouts and rate limits pass, server faults may pass; any other 4xx will fail the same way again. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}
