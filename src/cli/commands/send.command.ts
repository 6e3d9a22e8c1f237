import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { DELIVERY_TYPES, LIMITS } from '../../domain/message.ts';
import { repeat } from '../arguments.ts';
import { CliFailure, UsageError } from '../cli-error.ts';
import { clientCommand, createClient } from '../client.ts';
import { plural, print, printJson } from '../output.ts';
import { readStdin } from '../prompt.ts';

/**
 * `herald send`: one message to a bucket, like `ntfy publish`. ntfy's priorities map onto
 * Herald's delivery types: 1–2 (min, low) are SILENT, 3 (default) NORMAL, 4–5 (high, max,
 * urgent) CRITICAL.
 */
const PRIORITIES: Record<string, (typeof DELIVERY_TYPES)[number]> = {
  '1': 'SILENT',
  min: 'SILENT',
  '2': 'SILENT',
  low: 'SILENT',
  '3': 'NORMAL',
  default: 'NORMAL',
  '4': 'CRITICAL',
  high: 'CRITICAL',
  '5': 'CRITICAL',
  max: 'CRITICAL',
  urgent: 'CRITICAL',
};

/** Content types by extension, so an uploaded picture shows as an image. */
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.json': 'application/json',
};

interface SendOptions {
  url?: string;
  token?: string;
  bucket?: string;
  title?: string;
  priority?: string;
  deliveryType?: string;
  attach?: string[];
  tap?: string;
  json?: boolean;
}

interface MessageView {
  id: string;
  bucketId: string | null;
  title: string;
  recipientCount?: number;
}

async function messageText(arg: string | undefined): Promise<string> {
  if (arg === '-' || (arg === undefined && !process.stdin.isTTY))
    return (await readStdin()).replace(/\s+$/, '');
  if (arg === undefined) throw new UsageError('send needs a MESSAGE, "-" to read stdin, or text piped in.');
  return arg;
}

/** Without --title the first line is the title and the rest the body. */
function titleAndBody(text: string, title: string | undefined): { title: string; body: string | undefined } {
  if (title !== undefined) return { title, body: text === '' ? undefined : text };
  const [first, ...rest] = text.split(/\r?\n/);
  const line = first.trim();
  if ([...line].length > LIMITS.title) {
    return { title: `${[...line].slice(0, LIMITS.title - 1).join('')}…`, body: text };
  }
  const body = rest.join('\n').trim();
  return { title: line, body: body === '' ? undefined : body };
}

async function send(arg: string | undefined, opts: SendOptions): Promise<void> {
  const bucket = opts.bucket ?? process.env.HERALD_BUCKET;
  if (!bucket) throw new UsageError('send needs --bucket (or HERALD_BUCKET): the bucket id or name.');
  const text = await messageText(arg);
  const { title, body } = titleAndBody(text, opts.title);
  if (title.trim() === '') throw new UsageError('Nothing to send: the message and --title are empty.');
  const deliveryType = opts.deliveryType ?? (opts.priority ? PRIORITIES[opts.priority] : 'NORMAL');
  const client = createClient(opts);
  const fields: Record<string, string | undefined> = {
    bucketId: bucket,
    title,
    body,
    deliveryType,
    tapUrl: opts.tap,
  };
  let sent: MessageView;
  if (opts.attach && opts.attach.length > 0) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
    for (const file of opts.attach) {
      let blob: Blob;
      try {
        blob = await openAsBlob(file, { type: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? '' });
      } catch (err) {
        throw new CliFailure(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      form.append('file', blob, path.basename(file));
    }
    sent = await client.request<MessageView>('POST', '/api/v1/messages/with-attachment', { form });
  } else {
    sent = await client.request<MessageView>('POST', '/api/v1/messages', { json: fields });
  }
  if (opts.json) return printJson(sent);
  const to = sent.recipientCount === undefined ? '' : ` (${plural(sent.recipientCount, 'recipient')})`;
  print(`Sent ${sent.id} to ${bucket}${to}`);
}

export function registerSend(program: Command): void {
  clientCommand(
    program
      .command('send')
      .description('send a message to a bucket')
      .argument('[message]', 'the text; "-" (or nothing, with text piped in) reads stdin')
      .option('-b, --bucket <bucket>', 'bucket id or name (env HERALD_BUCKET)')
      .option('-t, --title <title>', 'title (default: the first line of the message)')
      .addOption(
        new Option('-p, --priority <priority>', 'ntfy-style priority, mapped to a delivery type')
          .choices(Object.keys(PRIORITIES))
          .conflicts('deliveryType'),
      )
      .addOption(
        new Option('-d, --delivery-type <type>', 'Herald delivery type').choices([...DELIVERY_TYPES]),
      )
      .option('-a, --attach <file>', 'attach a file (repeatable)', repeat)
      .option('--tap <url>', 'URL opened when the notification is tapped')
      .option('--json', 'print the created message as JSON'),
  ).action(send);
}
