import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { addMember } from './support/members.ts';

const fields = (body: { validations?: Array<{ field: string }> }) =>
  (body.validations ?? []).map((v) => v.field).sort();

// Realistic payloads as each system posts them (trimmed to the fields they always send).
const authentikLoginFailed = {
  body:
    "login_failed: {'username': 'alice', 'password': '********************', 'stage': {'pk': " +
    "'0b5a1e0c-6f0e-4a53-9c1f-2f8f1c6a9d11', 'app': 'authentik_stages_password', 'name': " +
    "'default-authentication-password', 'model_name': 'passwordstage'}, 'http_request': {'args': " +
    "{'query': 'next=%2F'}, 'path': '/api/v3/flows/executor/default-authentication-flow/', 'method': " +
    "'POST', 'request_id': '5c1e4a1b6c3d4e2f9a8b7c6d5e4f3a2b', 'user_agent': 'Mozilla/5.0'}}",
  severity: 'notice',
  user_email: 'admin@example.com',
  user_username: 'akadmin',
  event_user_email: '',
  event_user_username: 'AnonymousUser',
};

const sonarrDownload = {
  series: {
    id: 1,
    title: 'Severance',
    path: '/tv/Severance',
    tvdbId: 371980,
    type: 'standard',
    year: 2022,
    images: [
      {
        coverType: 'poster',
        url: '/MediaCover/1/poster.jpg',
        remoteUrl: 'https://artworks.thetvdb.com/p.jpg',
      },
    ],
  },
  episodes: [{ id: 101, episodeNumber: 2, seasonNumber: 1, title: 'Half Loop', seriesId: 1 }],
  episodeFile: {
    id: 55,
    path: '/tv/Severance/Season 01/Severance - S01E02 - Half Loop WEBDL-1080p.mkv',
    quality: 'WEBDL-1080p',
    size: 2917324981,
  },
  isUpgrade: false,
  downloadClient: 'qBittorrent',
  downloadId: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678',
  eventType: 'Download',
  instanceName: 'Sonarr',
  applicationUrl: 'https://sonarr.example.com',
};

const githubPush = {
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
  created: false,
  deleted: false,
  forced: false,
  compare: 'https://github.com/octocat/hello-world/compare/6113728f27ae...0d1a26e67d8f',
  commits: [
    {
      id: 'a10867b14bb761a232cd80139fbd4c0d33264240',
      message: 'Fix login redirect\n\nThe next= parameter was dropped.',
      author: { name: 'Mona Lisa', email: 'mona@example.com', username: 'monalisa' },
      url: 'https://github.com/octocat/hello-world/commit/a10867b',
    },
    {
      id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      message: 'Bump version',
      author: { name: 'The Octocat', email: 'octocat@example.com', username: 'octocat' },
      url: 'https://github.com/octocat/hello-world/commit/0d1a26e',
    },
  ],
  head_commit: { id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', message: 'Bump version' },
  repository: {
    id: 1296269,
    name: 'hello-world',
    full_name: 'octocat/hello-world',
    private: false,
    html_url: 'https://github.com/octocat/hello-world',
  },
  pusher: { name: 'octocat', email: 'octocat@example.com' },
  sender: { login: 'octocat', id: 1, type: 'User', html_url: 'https://github.com/octocat' },
};

const alertmanagerFiring = {
  receiver: 'herald',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'InstanceDown', instance: 'db1:9100', job: 'node', severity: 'critical' },
      annotations: {
        summary: 'Instance db1:9100 down',
        description: 'db1:9100 of job node has been down for more than 5 minutes.',
      },
      startsAt: '2025-03-01T10:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
      fingerprint: 'b6bd2f5e4a43f5a8',
    },
  ],
  groupLabels: { alertname: 'InstanceDown' },
  commonLabels: { alertname: 'InstanceDown', instance: 'db1:9100', job: 'node', severity: 'critical' },
  commonAnnotations: {
    summary: 'Instance db1:9100 down',
    description: 'db1:9100 of job node has been down for more than 5 minutes.',
  },
  externalURL: 'http://alertmanager:9093',
  version: '4',
  groupKey: '{}/{severity="critical"}:{alertname="InstanceDown"}',
  truncatedAlerts: 0,
};

const grafanaBase = 'https://grafana.example.com';
const grafanaAlert = {
  status: 'firing',
  labels: { alertname: 'High CPU', grafana_folder: 'Infra', instance: 'web1', severity: 'critical' },
  annotations: { summary: 'CPU above 90% on web1', description: 'Load has been high for 10 minutes.' },
  startsAt: '2025-03-01T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: `${grafanaBase}/alerting/grafana/ddlm2ux1yfvnkb/view?orgId=1`,
  fingerprint: 'd5c1e1f3f6a5c8e2',
  silenceURL: `${grafanaBase}/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+CPU`,
  dashboardURL: `${grafanaBase}/d/rYdddlPWk?orgId=1`,
  panelURL: `${grafanaBase}/d/rYdddlPWk?orgId=1&viewPanel=2`,
  values: { B: 93.2, C: 1 },
  valueString: "[ var='B' labels={instance=web1} value=93.2 ], [ var='C' labels={instance=web1} value=1 ]",
};
const grafanaFiring = {
  receiver: 'herald',
  status: 'firing',
  orgId: 1,
  alerts: [grafanaAlert],
  groupLabels: { alertname: 'High CPU', grafana_folder: 'Infra' },
  commonLabels: grafanaAlert.labels,
  commonAnnotations: grafanaAlert.annotations,
  externalURL: `${grafanaBase}/`,
  version: '1',
  groupKey:
    '{}/{__grafana_autogenerated__="true"}/{__grafana_receiver__="herald"}:{alertname="High CPU", grafana_folder="Infra"}',
  truncatedAlerts: 0,
  title: '[FIRING:1] High CPU Infra (web1 critical)',
  state: 'alerting',
  message: '**Firing**\n\nValue: B=93.2, C=1\nLabels:\n - alertname = High CPU\n',
};

const uptimeKumaDown = {
  heartbeat: {
    monitorID: 29,
    status: 0,
    time: '2025-03-01 15:51:35.527',
    msg: 'getaddrinfo ENOTFOUND www.example.com',
    ping: null,
    important: true,
    duration: 60,
    timezone: 'Europe/Berlin',
    timezoneOffset: '+01:00',
    localDateTime: '2025-03-01 16:51:35',
  },
  monitor: {
    id: 29,
    name: 'Homepage',
    description: null,
    pathName: 'Homepage',
    url: 'https://www.example.com/',
    method: 'GET',
    hostname: null,
    port: null,
    active: true,
    type: 'http',
    interval: 60,
    tags: [],
    maintenance: false,
  },
  msg: '[Homepage] [🔴 Down] getaddrinfo ENOTFOUND www.example.com',
};

describe.each(STORES)('POST /api/v1/messages/transform on %s', (store) => {
  let h: TestHerald;
  let owner: { id: string; token: string };
  let member: { id: string; token: string };
  let outsider: { id: string; token: string };
  let bucketId: string;
  let zat: string;

  beforeAll(async () => {
    h = await startHerald(store);
    [owner, member, outsider] = await Promise.all(
      ['owner', 'member', 'outsider'].map((n) => h.createUser(n)),
    );
    bucketId = (await h.api('POST', '/api/v1/buckets', { token: owner.token, body: { name: 'Hooks' } })).body
      .id;
    await addMember(h, bucketId, owner.token, member, 'read');
    zat = (
      await h.api('POST', '/api/v1/access-tokens', {
        token: owner.token,
        body: { name: 'webhooks', scopes: ['messages:create'] },
      })
    ).body.token;
  });
  afterAll(() => h?.close());

  const transform = (parser: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.api('POST', `/api/v1/messages/transform?parser=${parser}&bucketId=${bucketId}`, {
      token: zat,
      raw: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const countMessages = async () =>
    Number(
      (
        await h.server.ctx.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const countNotifications = async () =>
    Number(
      (
        await h.server.ctx.store.db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("answers Zentik's 400s for missing query parameters: the parser first, then the bucket", async () => {
    const before = await countMessages();
    const none = await h.api('POST', '/api/v1/messages/transform', {
      token: zat,
      body: authentikLoginFailed,
    });
    expect(none.status).toBe(400);
    expect(fields(none.body)).toEqual(['parser']);
    expect(none.body.detail).toContain('Parameter "parser" is required');
    const emptyParser = await h.api('POST', `/api/v1/messages/transform?parser=&bucketId=${bucketId}`, {
      token: zat,
      body: authentikLoginFailed,
    });
    expect(emptyParser.status).toBe(400);
    expect(fields(emptyParser.body)).toEqual(['parser']);
    const noBucket = await h.api('POST', '/api/v1/messages/transform?parser=authentik', {
      token: zat,
      body: authentikLoginFailed,
    });
    expect(noBucket.status).toBe(400);
    expect(fields(noBucket.body)).toEqual(['bucketId']);
    expect(noBucket.body.detail).toContain('Parameter "bucketId" or "magicCode" is required');
    expect(await countMessages()).toBe(before);
  });

  it("answers 404 with Zentik's sentence for an unknown parser, and sends nothing", async () => {
    const before = await countMessages();
    for (const name of ['jenkins', 'constructor', '__proto__', 'ZentikGrafana']) {
      const res = await transform(name, { anything: true });
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe(`Builtin parser not found: ${name}`);
      expect(fields(res.body)).toEqual(['parser']);
    }
    expect(await countMessages()).toBe(before);
  });

  it.each([
    ['authentik'],
    ['Authentik'],
    ['AUTHENTIK'],
    ['ZentikAuthentik'],
    ['ZENTIK_AUTHENTIK'],
    ['zentik_authentik'],
  ])('accepts the parser name %s', async (name) => {
    const res = await transform(name, authentikLoginFailed);
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('Login_failed: AnonymousUser');
  });

  it('answers 400 for a payload that is not JSON', async () => {
    const res = await h.api('POST', `/api/v1/messages/transform?parser=servarr&bucketId=${bucketId}`, {
      token: zat,
      raw: '{"eventType": "Grab",',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });

  it('authentik (posted as text/json): a failed login is Zentik\'s CRITICAL "Login_failed: <user>"', async () => {
    const res = await transform('authentik', authentikLoginFailed, { 'content-type': 'text/json' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Login_failed: AnonymousUser',
      subtitle: null,
      body: 'AnonymousUser\nUser agent: Mozilla/5.0',
      deliveryType: 'CRITICAL',
      bucketId,
      senderId: owner.id,
      recipientCount: 2,
    });
  });

  it("servarr: a Sonarr download gives Zentik's text, with the poster as image", async () => {
    const res = await transform('servarr', sonarrDownload);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Download: Severance S01E02 - Half Loop (2022)',
      subtitle: 'TV Show via Sonarr',
      body: 'Severance (2022)\nSeason: 1\nEpisode: 2\nTitle: Half Loop\nQuality: WEBDL-1080p\nSize: 2.72 GB\nUpgrade: No\nInstance: Sonarr',
      deliveryType: 'NORMAL',
      attachments: [
        { mediaType: 'IMAGE', url: 'https://artworks.thetvdb.com/p.jpg', name: 'Severance Poster' },
      ],
    });
  });

  it('github: the event is read from the body, with or without X-GitHub-Event', async () => {
    const expected = {
      title: 'octocat/hello-world: 📝 2 commits pushed',
      subtitle: 'to main by octocat',
      body:
        'Branch: main\nAuthor: octocat\nCommits: 2\n\nLatest: 0d1a26e - Bump version\n\n' +
        '<a href="https://github.com/octocat/hello-world/compare/main">View Commits</a> • ' +
        '<a href="https://github.com/octocat/hello-world">View Repository</a>',
      deliveryType: 'NORMAL',
    };
    const withHeader = await transform('github', githubPush, {
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
    expect(withHeader.status).toBe(201);
    expect(withHeader.body).toMatchObject(expected);
    const noHeader = await transform('GitHub', githubPush);
    expect(noHeader.status).toBe(201);
    expect(noHeader.body).toMatchObject(expected);
  });

  it.each([
    [
      'railway',
      {
        type: 'DEPLOY',
        status: 'SUCCESS',
        timestamp: '2025-01-20T18:42:00.000Z',
        project: { id: 'p-1', name: 'Blog' },
        environment: { id: 'e-1', name: 'production' },
      },
      '✅ Blog',
    ],
    [
      'expo',
      {
        id: 'b-1',
        accountName: 'acme',
        projectName: 'app',
        platform: 'ios',
        status: 'errored',
        buildDetailsPageUrl: 'https://expo.dev/b/1',
      },
      '🍎 ❌ EAS Build Errored',
    ],
    [
      'status-io',
      {
        id: 'i',
        message_id: 'm',
        title: 'API down',
        details: 'Investigating',
        current_state: 'Investigating',
        status_page_url: 'https://status.example.org',
        incident_url: 'https://status.example.org/i',
      },
      '🚨 Incident: API down',
    ],
    [
      'instatus',
      {
        meta: {},
        page: { url: 'https://acme.instatus.com' },
        component_update: { new_status: 'MAJOROUTAGE' },
        component: { name: 'API' },
      },
      '🚨 Component Update: API',
    ],
    [
      'statuspage',
      {
        meta: {},
        page: { id: 'pg', status_description: 'Minor' },
        component_update: {
          old_status: 'operational',
          new_status: 'degraded_performance',
          created_at: '2025-02-14T11:00:00Z',
        },
        component: { name: 'API' },
      },
      '⚠️ Component Update: API',
    ],
    [
      'EMQX',
      { event: 'client.disconnected', clientid: 'sensor-1', reason: 'keepalive_timeout' },
      'EMQX • client.disconnected',
    ],
  ])("%s: a payload becomes a message with Zentik's title", async (name, payload, title) => {
    const res = await transform(name, payload);
    expect(res.status).toBe(201);
    expect(res.body.title).toBe(title);
  });

  it.each([
    ['authentik', { body: 'login: {}', user_email: 'a@example.org', user_username: 'a' }],
    ['servarr', { eventType: 'Grab', instanceName: 'Prowlarr', release: { indexer: 'NZBgeek' } }],
    ['github', { zen: 'Speak like a human.', hook_id: 1 }],
    ['railway', { project: { name: 'Blog' } }],
    [
      'expo',
      { id: 'b', accountName: 'acme', projectName: 'app', platform: 'web', status: 'finished', metadata: {} },
    ],
    ['status-io', { id: 'i', title: 'no urls' }],
    ['instatus', { page: { url: 'https://acme.instatus.com' }, incident: { name: 'x' } }],
    ['atlas-statuspage', { meta: {}, page: {}, incident: { name: 'x' } }],
    ['emqx', { action: 'client_connected', clientid: 'c' }],
    ['authentik', 'a JSON string, not an object'],
  ])('%s: a payload Zentik skips answers 204 with no body and stores nothing', async (name, payload) => {
    const before = await countMessages();
    const inboxBefore = await countNotifications();
    const res = await transform(name, payload);
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expect(await countMessages()).toBe(before);
    expect(await countNotifications()).toBe(inboxBefore);
  });

  it('a skipped payload still needs write access to the bucket', async () => {
    const skipped = { eventType: 'Grab', instanceName: 'Prowlarr' };
    const denied = await h.api('POST', `/api/v1/messages/transform?parser=servarr&bucketId=${bucketId}`, {
      token: member.token,
      body: skipped,
    });
    expect(denied.status).toBe(403);
    const missing = await h.api('POST', '/api/v1/messages/transform?parser=servarr&bucketId=NoSuchBucket', {
      token: zat,
      body: skipped,
    });
    expect(missing.status).toBe(404);
  });

  it('answers 400 naming the field where Zentik fails on a payload, and sends nothing', async () => {
    const before = await countMessages();
    const res = await transform('authentik', { ...authentikLoginFailed, body: 42 });
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual(['(body).body']);
    const push = await transform('github', { ...githubPush, head_commit: { id: 7, message: 'x' } });
    expect(push.status).toBe(400);
    expect(fields(push.body)).toEqual(['(body).head_commit.id']);
    expect(await countMessages()).toBe(before);
  });

  it('alertmanager: a firing alert group becomes a critical message that collapses by group', async () => {
    const res = await transform('alertmanager', alertmanagerFiring, { 'user-agent': 'Alertmanager/0.27.0' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: '[FIRING:1] InstanceDown',
      deliveryType: 'CRITICAL',
      collapseId: alertmanagerFiring.groupKey,
    });
  });

  it('grafana: keeps the title Grafana rendered and links the panel', async () => {
    const res = await transform('grafana', grafanaFiring);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: '[FIRING:1] High CPU Infra (web1 critical)',
      tapAction: { type: 'NAVIGATE', value: grafanaAlert.panelURL },
    });
  });

  it('uptime-kuma: a down heartbeat says which monitor is down', async () => {
    const res = await transform('uptime-kuma', uptimeKumaDown);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Homepage is down', deliveryType: 'CRITICAL' });
  });

  it('answers 400 naming the body when a known parser cannot read the payload, and sends nothing', async () => {
    const before = await countMessages();
    const res = await transform('uptime-kuma', { hello: 'world' });
    expect(res.status).toBe(400);
    expect(fields(res.body).every((f) => f.startsWith('(body)'))).toBe(true);
    expect(await countMessages()).toBe(before);
  });

  it('accepts the bucket by name and applies the same access rules as a send', async () => {
    const byName = await h.api('POST', '/api/v1/messages/transform?parser=uptime-kuma&bucketId=Hooks', {
      token: zat,
      body: uptimeKumaDown,
    });
    expect(byName.status).toBe(201);
    expect(byName.body.bucketId).toBe(bucketId);
    const denied = await h.api('POST', `/api/v1/messages/transform?parser=uptime-kuma&bucketId=${bucketId}`, {
      token: member.token,
      body: uptimeKumaDown,
    });
    expect(denied.status).toBe(403);
    const stranger = await h.api(
      'POST',
      `/api/v1/messages/transform?parser=uptime-kuma&bucketId=${bucketId}`,
      {
        token: outsider.token,
        body: uptimeKumaDown,
      },
    );
    expect(stranger.status).toBe(403);
  });
});
