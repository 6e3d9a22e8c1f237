import { type Command, Option } from 'commander';
import { positiveInt } from '../arguments.ts';
import { clientCommand, createClient } from '../client.ts';
import { ago, out, print, printJson, table } from '../output.ts';

interface LogEntry {
  id: string;
  ruleName: string | null;
  channel: string;
  status: 'pending' | 'sent' | 'failed' | 'skipped';
  sentAt: string;
  error: string | null;
  /** Why a skipped fallback was not sent. */
  reason?: string | null;
  attempts: number;
  createdAt: string;
}

interface LogOptions {
  url?: string;
  token?: string;
  status?: string;
  retry?: string;
  limit: string;
  page: string;
  json?: boolean;
}

const statusPaint = (s: string, e: LogEntry) =>
  e.status === 'failed'
    ? out.red(s)
    : e.status === 'sent'
      ? out.green(s)
      : e.status === 'skipped'
        ? out.dim(s)
        : out.yellow(s);

async function log(opts: LogOptions): Promise<void> {
  const client = createClient(opts);
  if (opts.retry) {
    // The server sends at once and answers with the new entry (or an error saying why it failed).
    const res = await client.request<{ entry: LogEntry }>(
      'POST',
      `/api/v1/notifications/log/${encodeURIComponent(opts.retry)}/retry`,
    );
    if (opts.json) return printJson({ id: opts.retry, retried: true, entry: res.entry });
    print(`Sent ${opts.retry} again as ${res.entry.id}.`);
    return;
  }
  const res = await client.request<{ entries: LogEntry[]; total: number; page: number; limit: number }>(
    'GET',
    '/api/v1/notifications/log',
    { query: { status: opts.status, limit: opts.limit, page: opts.page } },
  );
  if (opts.json) return printJson(res);
  print(
    table(
      res.entries,
      [
        { header: 'ID', value: (e) => e.id },
        { header: 'WHEN', value: (e) => ago(e.createdAt) },
        { header: 'CHANNEL', value: (e) => e.channel },
        { header: 'RULE', value: (e) => e.ruleName },
        { header: 'STATUS', value: (e) => e.status, paint: statusPaint },
        { header: 'TRIES', value: (e) => e.attempts },
        { header: 'ERROR', value: (e) => e.error ?? e.reason ?? null },
      ],
      'No deliveries.',
    ),
  );
  const from = (res.page - 1) * res.limit;
  if (res.total > res.entries.length) {
    print(out.dim(`(${from + 1}-${from + res.entries.length} of ${res.total}; use --page)`));
  }
}

export function registerLog(program: Command): void {
  clientCommand(
    program
      .command('log')
      .description('the delivery log, newest first (needs the settings.notifications permission)')
      .addOption(
        new Option('--status <status>', 'only these').choices(['pending', 'sent', 'failed', 'skipped']),
      )
      .addOption(new Option('--retry <id>', 'send a failed delivery again, now').conflicts('status'))
      .option('--limit <n>', 'entries per page', positiveInt, '25')
      .option('--page <n>', 'page number', positiveInt, '1')
      .option('--json', 'print JSON'),
  ).action(log);
}
