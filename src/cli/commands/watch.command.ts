import type { Command } from 'commander';
import { clientCommand, createClient } from '../client.ts';
import { type InboxItem, watchInbox } from '../inbox-watcher.ts';
import { note, out } from '../output.ts';

interface WatchOptions {
  url?: string;
  token?: string;
  bucket?: string;
  unread?: boolean;
  json?: boolean;
}

function line(item: InboxItem): string {
  const time = new Date(item.created_at).toLocaleTimeString();
  const content = item.content ? ` ${out.dim('—')} ${item.content.replace(/\s*\n\s*/g, ' ')}` : '';
  return `${out.dim(time)}  ${out.bold(item.title)}${content}`;
}

async function watch(opts: WatchOptions): Promise<void> {
  const client = createClient(opts);
  let targets: string | undefined;
  if (opts.bucket) {
    const bucket = await client.request<{ id: string }>(
      'GET',
      `/api/v1/buckets/${encodeURIComponent(opts.bucket)}`,
    );
    targets = bucket.id;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await watchInbox(
      client,
      { targets, unread: opts.unread === true, signal: stop.signal },
      {
        item(item) {
          process.stdout.write(opts.json ? `${JSON.stringify(item)}\n` : `${line(item)}\n`);
        },
        connected({ first, replayed }) {
          if (first)
            note(`Watching ${client.url}${opts.bucket ? ` (bucket ${opts.bucket})` : ''}; Ctrl-C stops.`);
          else note(`Reconnected; ${replayed} missed while away.`);
        },
        lost({ reason, retryInMs }) {
          note(
            `Connection lost: ${reason.replace(/\.$/, '')}; reconnecting in ${(retryInMs / 1000).toFixed(1)} s.`,
          );
        },
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerWatch(program: Command): void {
  clientCommand(
    program
      .command('watch')
      .description('print new inbox notifications as they arrive; reconnects and resumes on its own')
      .option('-b, --bucket <bucket>', 'only this bucket (id or name)')
      .option('--unread', 'only unread notifications')
      .option('--json', 'one JSON object per line'),
  ).action(watch);
}
