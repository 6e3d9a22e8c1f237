import { type Command, Option } from 'commander';
import { clientCommand, createClient } from '../client.ts';
import { fields, print, printJson, table } from '../output.ts';

interface BucketView {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  ownerId: string;
  permission: string | null;
  createdAt: string;
}

interface MemberView {
  userId: string;
  username: string | null;
  email: string | null;
  permission: string;
  createdAt: string;
}

interface Common {
  url?: string;
  token?: string;
  json?: boolean;
}

const path = (ref: string) => `/api/v1/buckets/${encodeURIComponent(ref)}`;

async function create(name: string, opts: Common & { description?: string; color?: string }): Promise<void> {
  const bucket = await createClient(opts).request<BucketView>('POST', '/api/v1/buckets', {
    json: { name, description: opts.description, color: opts.color },
  });
  if (opts.json) return printJson(bucket);
  print(
    fields([
      ['id', bucket.id],
      ['name', bucket.name],
      ['description', bucket.description],
      ['permission', bucket.permission],
    ]),
  );
}

async function list(opts: Common & { all?: boolean }): Promise<void> {
  const buckets = await createClient(opts).request<BucketView[]>('GET', '/api/v1/buckets', {
    query: { all: opts.all ? true : undefined },
  });
  if (opts.json) return printJson(buckets);
  print(
    table(
      buckets,
      [
        { header: 'ID', value: (b) => b.id },
        { header: 'NAME', value: (b) => b.name },
        { header: 'YOUR PERMISSION', value: (b) => b.permission },
        { header: 'DESCRIPTION', value: (b) => b.description },
      ],
      'No buckets.',
    ),
  );
}

async function members(
  ref: string,
  opts: Common & { add?: string; remove?: string; permission?: string },
): Promise<void> {
  const client = createClient(opts);
  let rows: MemberView[];
  if (opts.add) {
    rows = await client.request<MemberView[]>('POST', `${path(ref)}/members`, {
      json: { userId: opts.add, permission: opts.permission },
    });
  } else if (opts.remove) {
    await client.request('DELETE', `${path(ref)}/members/${encodeURIComponent(opts.remove)}`);
    rows = await client.request<MemberView[]>('GET', `${path(ref)}/members`);
  } else {
    rows = await client.request<MemberView[]>('GET', `${path(ref)}/members`);
  }
  if (opts.json) return printJson(rows);
  print(
    table(rows, [
      { header: 'USER ID', value: (m) => m.userId },
      { header: 'USERNAME', value: (m) => m.username },
      { header: 'EMAIL', value: (m) => m.email },
      { header: 'PERMISSION', value: (m) => m.permission },
    ]),
  );
}

export function registerBucket(program: Command): void {
  const bucket = program.command('bucket').description('manage buckets (the streams messages are sent to)');
  clientCommand(
    bucket
      .command('create')
      .description('create a bucket; you become its owner')
      .argument('<name>', 'bucket name')
      .option('--description <text>', 'description')
      .option('--color <color>', 'colour shown by apps, e.g. #3366ff')
      .option('--json', 'print JSON'),
  ).action(create);
  clientCommand(
    bucket
      .command('list')
      .description('list the buckets you belong to')
      .option('--all', 'every bucket (admins)')
      .option('--json', 'print JSON'),
  ).action(list);
  clientCommand(
    bucket
      .command('members')
      .description('list a bucket’s members, or add or remove one')
      .argument('<bucket>', 'bucket id or name')
      .addOption(
        new Option('--add <user>', 'add (or change) a member: user id, username or email').conflicts(
          'remove',
        ),
      )
      .option('--remove <user>', 'remove a member')
      .addOption(
        new Option('--permission <permission>', 'permission for --add').choices(['read', 'write', 'admin']),
      )
      .option('--json', 'print JSON'),
  ).action(members);
}
