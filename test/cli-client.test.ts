import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { herald, heraldRunning, killLeftovers } from './support/cli-process.ts';
import { ADMIN, startHerald, type TestHerald } from './support/herald.ts';
import { until } from './support/wait.ts';

// Client commands speak HTTP only, so one store is enough here; the store-facing commands run
// on both stores in cli-operator.test.ts. Each `herald` launch costs about a second.
const SLOW = { timeout: 90_000 };
// biome-ignore lint/suspicious/noControlCharactersInRegex: checking that no ANSI escape leaks into pipes.
const ANSI = /\x1b\[/;

let h: TestHerald;
let dataDir: string;
let home: string;
let port: string;
let hook: HttpReceiver;
let hookRefuses = true;

/** The CLI's environment: its own HOME/XDG dir, pointed at the test server. */
const env = (extra: Record<string, string> = {}) => ({
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, 'xdg'),
  HERALD_URL: h.url,
  ...extra,
});

const restart = async () => {
  h = await startHerald('sqlite', { dataDir, env: { HERALD_PORT: port, HERALD_POLL_INTERVAL_MS: '100' } });
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-cli-data-'));
  home = mkdtempSync(path.join(os.tmpdir(), 'herald-cli-home-'));
  hook = await createHttpReceiver({
    respond: () => (hookRefuses ? { status: 400, body: 'bad hook' } : { status: 200, body: 'ok' }),
  });
  h = await startHerald('sqlite', { dataDir, env: { HERALD_POLL_INTERVAL_MS: '100' } });
  port = new URL(h.url).port;
});
afterEach(async () => {
  expect(await killLeftovers(), 'herald processes left running').toBe(0);
});
afterAll(async () => {
  await h?.close();
  await hook?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('herald client commands over HTTP', SLOW, () => {
  it('logs in, saving the session readable by its owner only, and later commands use it', async () => {
    const login = await herald(['login', '--email', ADMIN.email, '--password', ADMIN.password], env());
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const file = path.join(home, 'xdg', 'herald', 'login.json');
    expect(login.stdout).toContain(`Logged in to ${h.url} as ${ADMIN.email}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).not.toContain(ADMIN.password);

    const created = await herald(['bucket', 'create', 'alerts', '--description', 'ops alerts'], env());
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/name\s+alerts/);
    expect(created.stdout).toMatch(/permission\s+owner/);
  });

  it('adds a member to a bucket and lists buckets and members as tables (no colour in a pipe)', async () => {
    await h.createUser('bob');
    const added = await herald(
      ['bucket', 'members', 'alerts', '--add', 'bob', '--permission', 'read', '--json'],
      env(),
    );
    expect(added.code).toBe(0);
    const members = JSON.parse(added.stdout) as Array<{ username: string; permission: string }>;
    expect(members.map((m) => [m.username, m.permission]).sort()).toEqual([
      ['admin', 'owner'],
      ['bob', 'read'],
    ]);

    const list = await herald(['bucket', 'list'], env());
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+YOUR PERMISSION\s+DESCRIPTION$/);
    expect(row).toMatch(/alerts\s+owner\s+ops alerts$/);
    expect(list.stdout).not.toMatch(ANSI);
  });

  it('sends from stdin (first line the title) with a priority, and a file with a tap URL', async () => {
    const piped = await herald(['send', '--bucket', 'alerts', '--priority', 'high'], env(), {
      input: 'Disk full\non /var, 98% used\n',
    });
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^Sent \S+ to alerts \(2 recipients\)\n$/);

    const file = path.join(home, 'report.txt');
    writeFileSync(file, 'all green\n');
    const attached = await herald(
      [
        'send',
        '-b',
        'alerts',
        '-t',
        'Nightly report',
        '--attach',
        file,
        '--tap',
        'https://ci.example/r/7',
        '-',
        '--json',
      ],
      env(),
      { input: 'see the attached report' },
    );
    expect(attached.code).toBe(0);
    const sent = JSON.parse(attached.stdout);
    expect(sent).toMatchObject({ title: 'Nightly report', body: 'see the attached report' });
    expect(sent.tapAction).toMatchObject({ type: 'NAVIGATE', value: 'https://ci.example/r/7' });
    expect(sent.attachments).toHaveLength(1);
    expect(sent.attachments[0]).toMatchObject({ name: 'report.txt' });

    const admin = await h.adminToken();
    const messages = await h.api('GET', '/api/v1/buckets/alerts/messages', { token: admin });
    const disk = messages.body.messages.find((m: any) => m.title === 'Disk full');
    expect(disk).toMatchObject({ body: 'on /var, 98% used', deliveryType: 'CRITICAL' });
    const download = await h.api('GET', `/api/v1/attachments/${sent.attachments[0].attachmentUuid}`, {
      token: admin,
    });
    expect(download.text).toBe('all green\n');
  });

  it('lists the inbox, and only unread items with --unread', async () => {
    const admin = await h.adminToken();
    const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: admin });
    const report = inbox.body.notifications.find((n: any) => n.title === 'Nightly report');
    await h.api('PUT', `/api/v2/notifications/inbox/${report.id}/read-status`, {
      token: admin,
      body: { is_read: true },
    });

    const unread = await herald(['inbox', '--unread', '--json'], env());
    expect(unread.code).toBe(0);
    const body = JSON.parse(unread.stdout);
    expect(body.notifications.map((n: any) => n.title)).toEqual(['Disk full']);
    expect(body.unread_count).toBe(1);

    const table = await herald(['inbox'], env());
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+WHEN\s+TITLE\s+CONTENT\s+READ$/);
    expect(lines[1]).toMatch(/Nightly report\s+see the attached report\s+read$/);
    expect(lines[2]).toMatch(/Disk full\s+on \/var, 98% used\s+unread$/);
    expect(lines[3]).toBe('1 unread');
  });

  it('creates, lists and revokes an access token; a revoked token fails with exit 1 and one clear line', async () => {
    const created = await herald(
      ['token', 'create', 'ci', '--scope', 'messages:create', '--bucket', 'alerts', '--json'],
      env(),
    );
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout);
    expect(token.token).toMatch(/^zat_/);
    expect(token.scopes).toEqual(['messages:create']);

    const viaToken = await herald(
      ['send', '--token', token.token, '--bucket', 'alerts', 'Built by CI'],
      env(),
    );
    expect(viaToken.code).toBe(0);

    const listed = await herald(['token', 'list'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${token.id}\\s+ci\\s+messages:create\\s+\\S+\\s+never\\s+`, 'm'),
    );

    const revoked = await herald(['token', 'revoke', token.id], env());
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe(`Revoked ${token.id}.`);

    const refused = await herald(['send', '--bucket', 'alerts', 'again'], env({ HERALD_TOKEN: token.token }));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^herald: .*invalid, expired or revoked.*\[HTTP 401\]/);
  });

  it('records an event with typed fields, then shows the failed delivery and retries it', async () => {
    const admin = await h.adminToken();
    const channel = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url: `${hook.url}/hook` } },
    });
    expect(channel.status, channel.text).toBe(200);
    const rule = await h.api('POST', '/api/v1/notifications/rules', {
      token: admin,
      body: {
        name: 'Deploys',
        events: ['deploy.*'],
        conditions: [{ field: 'replicas', operator: 'gt', value: 2 }],
        actions: [{ channel: 'webhook', recipients: ['ops'] }],
      },
    });
    expect(rule.status, rule.text).toBe(201);

    const event = await herald(
      ['event', 'deploy.finished', 'host=web-1', 'replicas=3', 'meta.ok=true'],
      env(),
    );
    expect(event.code).toBe(0);
    expect(event.stdout).toMatch(/^Recorded event deploy\.finished \(\S+\)\.$/m);
    const failed = await until(
      async () =>
        (await h.api('GET', '/api/v1/notifications/log?status=failed', { token: admin })).body.entries[0],
      15_000,
      'a failed delivery',
    );
    expect(hook.received).toHaveLength(1);

    const log = await herald(['log', '--status', 'failed'], env());
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/^ID\s+WHEN\s+CHANNEL\s+RULE\s+STATUS\s+TRIES\s+ERROR$/m);
    expect(log.stdout).toMatch(
      new RegExp(`${failed.id}\\s+\\S+ ago\\s+webhook\\s+Deploys\\s+failed\\s+1\\s+.*400`),
    );

    hookRefuses = false;
    const retry = await herald(['log', '--retry', failed.id], env());
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(new RegExp(`^Sent ${failed.id} again as \\S+\\.$`, 'm'));
    await hook.waitFor(2);
    const sent = await until(
      async () =>
        (await h.api('GET', '/api/v1/notifications/log?status=sent', { token: admin })).body.entries[0],
      15_000,
      'the retried delivery',
    );
    expect(sent.retryOf).toBe(failed.id);
  });

  it('watches live: gets what another process sends, and resumes across a server restart without gaps or repeats', async () => {
    const admin = await h.adminToken();
    const other = await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'other' } });
    expect(other.status).toBe(201);
    const watch = heraldRunning(['watch', '--bucket', 'alerts', '--json'], env());
    try {
      const titles = () => watch.stdoutLines().map((l) => JSON.parse(l).title as string);
      await watch.waitFor(() => /Watching /.test(watch.stderr()), 'the watch to connect');

      const first = await herald(['send', '--bucket', 'alerts', 'First live'], env());
      expect(first.code).toBe(0);
      await watch.waitFor(() => titles().includes('First live'), 'the first message');

      await h.close();
      await watch.waitFor(() => /Connection lost/.test(watch.stderr()), 'the watch to notice');
      // While the watcher cannot reach its server, the same store takes messages on another port;
      // then the server comes back on the watcher's port and the replay must bring them.
      const post = async (bucketId: string, title: string) => {
        const res = await h.api('POST', '/api/v1/messages', {
          token: await h.adminToken(),
          body: { bucketId, title, deliveryType: 'NORMAL' },
        });
        expect(res.status, res.text).toBe(201);
      };
      h = await startHerald('sqlite', { dataDir });
      await post('alerts', 'While away 1');
      await post('other', 'Other bucket');
      await post('alerts', 'While away 2');
      await h.close();
      await restart();
      await watch.waitFor(() => /Reconnected/.test(watch.stderr()), 'the watch to reconnect');
      await post('alerts', 'After reconnect');
      await watch.waitFor(() => titles().includes('After reconnect'), 'the live message after reconnecting');

      expect(watch.stderr()).toMatch(/Reconnected; 2 missed while away\./);
      const stopped = await watch.stop();
      expect(stopped.code).toBe(0);
      expect(titles()).toEqual(['First live', 'While away 1', 'While away 2', 'After reconnect']);
      const ids = watch.stdoutLines().map((l) => JSON.parse(l).id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await watch.stop();
    }
  });
});

describe('herald command line rules', SLOW, () => {
  it('fails an unknown flag with one line naming it and exit code 2', async () => {
    const res = await herald(['send', '--bucket', 'alerts', '--frobnicate', 'x'], env());
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe("herald: unknown option '--frobnicate'\n");
  });

  it('prints help (the README’s copy is current) without running the command, and the version', async () => {
    const help = await herald(['serve', '--help'], env({ HERALD_PORT: port }));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: herald serve/);
    expect(help.stderr).toBe('');

    // The README shows the real top-level help, so it cannot drift from the parser.
    const top = await herald(['--help'], env());
    expect(top.code).toBe(0);
    const readme = readFileSync(path.resolve('README.md'), 'utf8');
    expect(readme).toContain(`$ npx herald --help\n${top.stdout.trimEnd()}\n\`\`\``);

    const version = await herald(['--version'], env());
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8'));
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('exits 1 with one line when the server cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = srv.address() as AddressInfo;
        srv.close(() => resolve(free));
      });
    });
    const res = await herald(['inbox'], env({ HERALD_URL: `http://127.0.0.1:${closed}` }));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^herald: Cannot reach Herald at http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)\\.\n$`),
    );
  });
});
