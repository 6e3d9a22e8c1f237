import type { Command } from 'commander';
import { positiveInt } from '../arguments.ts';
import { CliFailure } from '../cli-error.ts';
import { withLocalContext } from '../local-store.ts';
import { out, print, printJson, table } from '../output.ts';
import { askSecret } from '../prompt.ts';

/**
 * `herald user …` works on the local store, so an operator can create the first admin or
 * reset a forgotten password without a running server or a login.
 */

/** The password from the flag, else asked on the terminal (twice), else the next stdin line. */
async function passwordFrom(flag: string | undefined, command: string): Promise<string> {
  if (flag !== undefined && flag !== '') return flag;
  const typed = await askSecret('New password: ');
  if (typed && process.stdin.isTTY) {
    const again = await askSecret('Repeat it: ');
    if (again !== typed) throw new CliFailure('The two passwords differ; nothing was changed.');
  }
  if (!typed) throw new CliFailure(`${command} needs --password, or the password typed or piped on stdin.`);
  return typed;
}

interface CreateOptions {
  email: string;
  password?: string;
  username?: string;
  admin?: boolean;
  json?: boolean;
}

async function create(opts: CreateOptions): Promise<void> {
  const password = await passwordFrom(opts.password, 'user create');
  const { createUser } = await import('../../services/user.service.ts');
  await withLocalContext(
    async (ctx) => {
      const user = await createUser(ctx, {
        email: opts.email,
        password,
        username: opts.username,
        roles: [opts.admin ? 'admin' : 'member'],
      });
      if (opts.json) return printJson(user);
      print(`Created user ${user.email} (${user.id}) with role ${user.roles.join(', ')}`);
    },
    { migrate: true },
  );
}

async function passwd(ref: string, opts: { password?: string; json?: boolean }): Promise<void> {
  const password = await passwordFrom(opts.password, 'user passwd');
  const { changePassword } = await import('../../services/user-admin.service.ts');
  await withLocalContext(
    async (ctx) => {
      const user = await changePassword(ctx, ref, password);
      if (opts.json) return printJson(user);
      print(`Password changed for ${user.email ?? user.username} (${user.id}); the account is unlocked.`);
    },
    { migrate: true },
  );
}

async function list(opts: { limit: string; json?: boolean }): Promise<void> {
  const { listAccounts } = await import('../../services/user-admin.service.ts');
  await withLocalContext(
    async (ctx) => {
      const { users, total } = await listAccounts(ctx, { limit: Number(opts.limit), offset: 0 });
      if (opts.json) return printJson({ users, total });
      print(
        table(users, [
          { header: 'ID', value: (u) => u.id },
          { header: 'EMAIL', value: (u) => u.email },
          { header: 'USERNAME', value: (u) => u.username },
          { header: 'ROLES', value: (u) => u.roles.join(',') },
          {
            header: 'LOCKED',
            value: (u) => (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now() ? 'locked' : ''),
            paint: (s) => out.red(s),
          },
          { header: 'CREATED', value: (u) => u.createdAt.slice(0, 19).replace('T', ' ') },
        ]),
      );
      if (total > users.length) print(out.dim(`(${users.length} of ${total}; use --limit)`));
    },
    { migrate: true },
  );
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage accounts on the local store (no server needed)');
  user
    .command('create')
    .description('create an account')
    .requiredOption('--email <email>', 'email address (also the login)')
    .option('--password <password>', 'password (default: asked, or read from stdin)')
    .option('--username <username>', 'username (default: from the email)')
    .option('--admin', 'give the admin role instead of member')
    .option('--json', 'print JSON')
    .action(create);
  user
    .command('passwd')
    .description('set a new password (and unlock the account)')
    .argument('<user>', 'user id, email or username')
    .option('--password <password>', 'new password (default: asked, or read from stdin)')
    .option('--json', 'print JSON')
    .action(passwd);
  user
    .command('list')
    .description('list accounts')
    .option('--limit <n>', 'most accounts to show', positiveInt, '200')
    .option('--json', 'print JSON')
    .action(list);
}
