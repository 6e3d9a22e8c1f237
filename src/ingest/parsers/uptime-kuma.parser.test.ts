import { describe, expect, it } from 'vitest';
import { ParserInputError } from './parser.ts';
import { uptimeKumaParser } from './uptime-kuma.parser.ts';

const parse = (payload: unknown) => uptimeKumaParser(payload, {});

const monitor = {
  id: 29,
  name: 'Homepage',
  description: null,
  pathName: 'Homepage',
  parent: null,
  childrenIDs: [],
  url: 'https://www.example.com/',
  method: 'GET',
  hostname: null,
  port: null,
  maxretries: 0,
  weight: 2000,
  active: true,
  type: 'http',
  interval: 60,
  retryInterval: 60,
  resendInterval: 0,
  keyword: null,
  expiryNotification: false,
  ignoreTls: false,
  upsideDown: false,
  maxredirects: 10,
  accepted_statuscodes: ['200-299'],
  notificationIDList: { '2': true },
  tags: [],
  maintenance: false,
};

function heartbeat(status: number, msg: string, ping: number | null) {
  return {
    monitorID: 29,
    status,
    time: '2025-03-01 15:51:35.527',
    msg,
    ping,
    important: true,
    duration: 60,
    timezone: 'Europe/Berlin',
    timezoneOffset: '+01:00',
    localDateTime: '2025-03-01 16:51:35',
  };
}

describe('uptime kuma parser', () => {
  it('raises a down monitor as critical', () => {
    expect(
      parse({
        heartbeat: heartbeat(0, 'getaddrinfo ENOTFOUND www.example.com', null),
        monitor,
        msg: '[Homepage] [🔴 Down] getaddrinfo ENOTFOUND www.example.com',
      }),
    ).toEqual({
      title: 'Homepage is down',
      subtitle: 'https://www.example.com/',
      body: 'getaddrinfo ENOTFOUND www.example.com\nAt 2025-03-01 16:51:35 (Europe/Berlin)',
      deliveryType: 'CRITICAL',
      tapAction: { type: 'NAVIGATE', value: 'https://www.example.com/' },
      groupId: 'uptime-kuma',
      collapseId: 'uptime-kuma:monitor:29',
    });
  });

  it('replaces the outage with a NORMAL recovery', () => {
    const up = parse({
      heartbeat: heartbeat(1, '200 - OK', 132),
      monitor,
      msg: '[Homepage] [✅ Up] 200 - OK',
    });
    expect(up).toMatchObject({
      title: 'Homepage is up',
      body: '200 - OK\nResponse time: 132 ms\nAt 2025-03-01 16:51:35 (Europe/Berlin)',
      deliveryType: 'NORMAL',
      collapseId: 'uptime-kuma:monitor:29',
    });
  });

  it('records maintenance silently and shows host:port for non-HTTP monitors', () => {
    const tcp = {
      ...monitor,
      id: 30,
      name: 'Postgres',
      type: 'port',
      url: 'https://',
      hostname: 'db.internal',
      port: 5432,
    };
    const message = parse({
      heartbeat: {
        ...heartbeat(3, 'Maintenance', null),
        monitorID: 30,
        localDateTime: undefined,
        timezone: undefined,
      },
      monitor: tcp,
      msg: '[Postgres] [🔵 Maintenance] Maintenance',
    });
    expect(message).toEqual({
      title: 'Postgres is under maintenance',
      subtitle: 'db.internal:5432',
      body: 'Maintenance\nAt 2025-03-01 15:51:35.527 (UTC)',
      deliveryType: 'SILENT',
      groupId: 'uptime-kuma',
      collapseId: 'uptime-kuma:monitor:30',
    });
  });

  it('handles the Test button, which sends no heartbeat or monitor', () => {
    expect(parse({ heartbeat: null, monitor: null, msg: 'Herald Testing' })).toEqual({
      title: 'Uptime Kuma: test notification',
      body: 'Herald Testing',
      deliveryType: 'NORMAL',
      groupId: 'uptime-kuma',
    });
  });

  it('passes other notices such as certificate expiry through', () => {
    const message = parse({
      heartbeat: null,
      monitor,
      msg: '[Homepage][https://www.example.com/] Certificate will be expired in 7 days',
    });
    expect(message.title).toBe('Uptime Kuma: Homepage');
    expect(message.deliveryType).toBe('NORMAL');
  });

  it('rejects a payload that is not an object', () => {
    expect(() => parse('[Homepage] [🔴 Down]')).toThrow(ParserInputError);
  });

  it('rejects a payload with neither heartbeat nor msg', () => {
    expect(() => parse({ monitor })).toThrow(
      expect.objectContaining({
        field: 'heartbeat',
        message: expect.stringContaining('"heartbeat" and "msg"'),
      }),
    );
  });

  it('rejects a heartbeat with an unknown status', () => {
    expect(() =>
      parse({ heartbeat: { ...heartbeat(0, 'x', null), status: 'down' }, monitor, msg: 'x' }),
    ).toThrow(expect.objectContaining({ field: 'heartbeat.status' }));
    expect(() => parse({ heartbeat: heartbeat(7, 'x', null), monitor, msg: 'x' })).toThrow(ParserInputError);
  });
});
