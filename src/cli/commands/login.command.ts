import type { Command } from 'commander';
import { CliFailure } from '../cli-error.ts';
import { createClient, resolveUrl } from '../client.ts';
import { forgetLogin, loginFilePath, savedLogin, saveLogin } from '../config-file.ts';
import { print, printJson } from '../output.ts';
import { ask, askSecret } from '../prompt.ts';

interface LoginAnswer {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string | null; username: string | null };
}

async function login(opts: {
  url?: string;
  email?: string;
  password?: string;
  json?: boolean;
}): Promise<void> {
  const url = resolveUrl(opts.url);
  const email = opts.email || (await ask('Email or username: '))?.trim();
  if (!email) throw new CliFailure('login needs --email, or the email typed or piped on stdin.');
  const password = opts.password || (await askSecret('Password: '));
  if (!password) throw new CliFailure('login needs --password, or the password typed or piped on stdin.');
  const client = createClient({ url, anonymous: true });
  const res = await client.request<LoginAnswer>('POST', '/api/v1/auth/login', {
    json: { email, password },
  });
  saveLogin({
    url,
    email: res.user.email ?? res.user.username ?? email,
    userId: res.user.id,
    accessToken: res.accessToken,
    refreshToken: res.refreshToken,
    savedAt: new Date().toISOString(),
  });
  if (opts.json) return printJson({ url, user: res.user, file: loginFilePath() });
  print(`Logged in to ${url} as ${res.user.email ?? res.user.username}; saved to ${loginFilePath()}.`);
}

async function logout(opts: { url?: string; json?: boolean }): Promise<void> {
  const url = resolveUrl(opts.url);
  const saved = savedLogin(url);
  if (!saved) throw new CliFailure(`No saved login for ${url}.`);
  // End the session on the server too; a server that is gone or already forgot it is fine.
  await createClient({ url, token: saved.accessToken })
    .request('POST', '/api/v1/auth/logout', { json: { refreshToken: saved.refreshToken } })
    .catch(() => {});
  forgetLogin(url);
  if (opts.json) return printJson({ url, loggedOut: true });
  print(`Logged out of ${url}.`);
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('log in and save the session for client commands (asks for what is not given)')
    .option('--url <url>', 'Herald server URL (env HERALD_URL)')
    .option('--email <email>', 'email or username')
    .option('--password <password>', 'password (default: asked, or read from stdin)')
    .option('--json', 'print JSON')
    .action(login);
  program
    .command('logout')
    .description('end the saved session and forget it')
    .option('--url <url>', 'Herald server URL (env HERALD_URL)')
    .option('--json', 'print JSON')
    .action(logout);
}
