import { type Command, InvalidArgumentError } from 'commander';
import { collect } from '../arguments.ts';
import { clientCommand, createClient } from '../client.ts';
import { ago, fields, out, print, printJson, table } from '../output.ts';

interface TokenView {
  id: string;
  name: string;
  scopes: string[];
  bucketIds: string[] | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  token?: string;
}

interface Common {
  url?: string;
  token?: string;
  json?: boolean;
}

/** `30d`, `12h`, `90m` from now, or an ISO 8601 date-time. */
function expiry(value: string): string {
  const m = /^(\d{1,6})([dhm])$/.exec(value);
  if (m) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
    return new Date(Date.now() + Number(m[1]) * unit).toISOString();
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError('must be like 30d, 12h, 90m or an ISO 8601 date-time.');
  return new Date(t).toISOString();
}

async function create(
  name: string,
  opts: Common & { scope?: string[]; bucket?: string[]; expires?: string },
): Promise<void> {
  const created = await createClient(opts).request<TokenView>('POST', '/api/v1/access-tokens', {
    json: {
      name,
      scopes: opts.scope && opts.scope.length > 0 ? opts.scope : ['messages:create'],
      ...(opts.bucket ? { bucketIds: opts.bucket } : {}),
      ...(opts.expires ? { expiresAt: opts.expires } : {}),
    },
  });
  if (opts.json) return printJson(created);
  print(
    fields([
      ['id', created.id],
      ['name', created.name],
      ['scopes', created.scopes.join(', ')],
      ['buckets', created.bucketIds?.join(', ') ?? 'any'],
      ['expires', created.expiresAt ?? 'never'],
    ]),
  );
  print(`\n${out.yellow('The token is shown only now:')}\n${created.token}`);
}

async function list(opts: Common): Promise<void> {
  const tokens = await createClient(opts).request<TokenView[]>('GET', '/api/v1/access-tokens');
  if (opts.json) return printJson(tokens);
  print(
    table(
      tokens,
      [
        { header: 'ID', value: (t) => t.id },
        { header: 'NAME', value: (t) => t.name },
        { header: 'SCOPES', value: (t) => t.scopes.join(',') },
        { header: 'BUCKETS', value: (t) => t.bucketIds?.join(',') ?? 'any' },
        { header: 'EXPIRES', value: (t) => t.expiresAt?.slice(0, 19).replace('T', ' ') ?? 'never' },
        { header: 'LAST USED', value: (t) => (t.lastUsedAt ? ago(t.lastUsedAt) : 'never') },
      ],
      'No access tokens.',
    ),
  );
}

async function revoke(id: string, opts: Common): Promise<void> {
  await createClient(opts).request('DELETE', `/api/v1/access-tokens/${encodeURIComponent(id)}`);
  if (opts.json) return printJson({ id, revoked: true });
  print(`Revoked ${id}.`);
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage your zat_ access tokens');
  clientCommand(
    token
      .command('create')
      .description('create an access token (needs a login session, not a token)')
      .argument('<name>', 'what the token is for')
      .option(
        '-s, --scope <scope>',
        'scope, repeatable or comma-separated (default: messages:create)',
        collect,
      )
      .option('-b, --bucket <bucket>', 'only these buckets, repeatable or comma-separated', collect)
      .option('--expires <when>', 'expiry: 30d, 12h, 90m or an ISO 8601 date-time (default: never)', expiry)
      .option('--json', 'print JSON (includes the token)'),
  ).action(create);
  clientCommand(
    token
      .command('list')
      .description('list your active tokens (never the secrets)')
      .option('--json', 'print JSON'),
  ).action(list);
  clientCommand(
    token
      .command('revoke')
      .description('revoke a token')
      .argument('<id>', 'token id (from token list)')
      .option('--json', 'print JSON'),
  ).action(revoke);
}
