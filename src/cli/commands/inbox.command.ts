import type { Command } from 'commander';
import { positiveInt } from '../arguments.ts';
import { clientCommand, createClient } from '../client.ts';
import type { InboxItem } from '../inbox-watcher.ts';
import { ago, out, print, printJson, table } from '../output.ts';

interface InboxOptions {
  url?: string;
  token?: string;
  bucket?: string;
  unread?: boolean;
  limit: string;
  json?: boolean;
}

interface InboxPage {
  notifications: InboxItem[];
  unread_count: number;
}

/** The server pages by 25; keep reading pages until --limit items. */
async function inbox(opts: InboxOptions): Promise<void> {
  const client = createClient(opts);
  let targets: string | undefined;
  if (opts.bucket) {
    targets = (
      await client.request<{ id: string }>('GET', `/api/v1/buckets/${encodeURIComponent(opts.bucket)}`)
    ).id;
  }
  const limit = Number(opts.limit);
  const items: InboxItem[] = [];
  let unread = 0;
  let before: string | undefined;
  while (items.length < limit) {
    const page = await client.request<InboxPage>('GET', '/api/v2/notifications/inbox', {
      query: { targets, read_status: opts.unread ? 'unread' : undefined, starting_before: before },
    });
    unread = page.unread_count;
    items.push(...page.notifications);
    if (page.notifications.length === 0) break;
    before = page.notifications[page.notifications.length - 1].id;
  }
  const shown = items.slice(0, limit);
  if (opts.json) return printJson({ notifications: shown, unread_count: unread });
  print(
    table(
      shown,
      [
        { header: 'ID', value: (n) => n.id },
        { header: 'WHEN', value: (n) => ago(n.created_at) },
        { header: 'TITLE', value: (n) => n.title, paint: (s, n) => (n.read_at ? s : out.bold(s)) },
        {
          header: 'CONTENT',
          value: (n) => (n.content.length > 60 ? `${n.content.slice(0, 59)}…` : n.content),
        },
        {
          header: 'READ',
          value: (n) => (n.read_at ? 'read' : 'unread'),
          paint: (s, n) => (n.read_at ? out.dim(s) : s),
        },
      ],
      opts.unread ? 'No unread notifications.' : 'The inbox is empty.',
    ),
  );
  print(out.dim(`${unread} unread`));
}

export function registerInbox(program: Command): void {
  clientCommand(
    program
      .command('inbox')
      .description('list your inbox, newest first')
      .option('-b, --bucket <bucket>', 'only this bucket (id or name)')
      .option('--unread', 'only unread notifications')
      .option('--limit <n>', 'most notifications to show', positiveInt, '25')
      .option('--json', 'print JSON'),
  ).action(inbox);
}
