import { describe, expect, it } from 'vitest';
import { emqxParser } from './emqx.parser.ts';

// The messages below are what Zentik's built-in emqx parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) => emqxParser(payload, headers, NOW);

const payloads = {
  connected: {
    event: 'client.connected',
    clientid: 'sensor-17',
    username: 'devices',
    mountpoint: 'undefined',
    peername: '10.0.4.17:53012',
    sockname: '0.0.0.0:1883',
    proto_name: 'MQTT',
    proto_ver: 5,
    keepalive: 60,
    clean_start: true,
    expiry_interval: 0,
    is_bridge: false,
    connected_at: 1746180000123,
    timestamp: 1746180000125,
    node: 'emqx@10.0.0.2',
  },
  disconnected: {
    event: 'client.disconnected',
    clientid: 'sensor-17',
    username: 'devices',
    reason: 'keepalive_timeout',
    peername: '10.0.4.17:53012',
    disconnected_at: 1746180300000,
    timestamp: 1746180300001,
    node: 'emqx@10.0.0.2',
  },
  publish: {
    event: 'message.publish',
    id: '0006173ABF0B8C7FF44D0200038F0000',
    clientid: 'sensor-17',
    username: 'devices',
    topic: 'plant/line1/temp',
    qos: 1,
    retain: false,
    payload: '{"celsius": 71.5,\n  "alarm": true}',
    peerhost: '10.0.4.17',
    publish_received_at: 1746180001000,
    timestamp: 1746180001000,
    node: 'emqx@10.0.0.2',
  },
  publishBase64: {
    event: 'message.delivered',
    clientid: 'dashboard-1',
    from_clientid: 'sensor-17',
    topic: 'plant/line1/status',
    qos: 0,
    retain: true,
    payload: 'bGluZSAxIHN0b3BwZWQgYnkgb3BlcmF0b3I=',
    timestamp: 1746180002000,
  },
  subscribed: {
    event: 'session.subscribed',
    clientid: 'dashboard-1',
    username: 'ops',
    topic: 'plant/#',
    qos: 1,
    timestamp: 1746180003000,
    ipaddress: '10.0.9.5',
  },
  v4Style: {
    type: 'unsubscribed',
    client_id: 'legacy-3',
    topic_filters: ['a/b', ' ', 'c/#'],
    ip: '192.168.1.20',
  },
  v4Action: {
    action: 'client_connected',
    clientid: 'C_1492410235117',
    username: 'u',
    keepalive: 60,
    ipaddress: '127.0.0.1',
    proto_ver: 4,
    connected_at: 1556176748,
    conn_ack: 0,
  },
  otherFamily: {
    event: 'alarm.activated',
    name: 'high_cpu_usage',
  },
};

describe('emqx parser: EMQX webhooks, as Zentik reads them', () => {
  it('a client connect', () => {
    expect(parse(payloads.connected)).toEqual({
      title: 'EMQX • client.connected',
      subtitle: 'client: sensor-17 • user: devices',
      deliveryType: 'NORMAL',
    });
  });
  it('a disconnect is CRITICAL', () => {
    expect(parse(payloads.disconnected)).toEqual({
      title: 'EMQX • client.disconnected',
      subtitle: 'client: sensor-17 • user: devices',
      body: 'reason: keepalive_timeout',
      deliveryType: 'CRITICAL',
    });
  });
  it('a publish is SILENT, the payload on one line', () => {
    expect(parse(payloads.publish)).toEqual({
      title: 'EMQX • message.publish',
      subtitle: 'client: sensor-17 • user: devices',
      body: 'topic: plant/line1/temp\nqos: 1\nretain: false\npayload: {"celsius": 71.5, "alarm": true}',
      deliveryType: 'SILENT',
    });
  });
  it('a base64 payload is decoded', () => {
    expect(parse(payloads.publishBase64)).toEqual({
      title: 'EMQX • message.delivered',
      subtitle: 'client: dashboard-1',
      body: 'topic: plant/line1/status\nqos: 0\nretain: true\npayload: line 1 stopped by operator',
      deliveryType: 'SILENT',
    });
  });
  it('a subscription', () => {
    expect(parse(payloads.subscribed)).toEqual({
      title: 'EMQX • session.subscribed',
      subtitle: 'client: dashboard-1 • user: ops',
      body: 'ip: 10.0.9.5\ntopic: plant/#\nqos: 1',
      deliveryType: 'NORMAL',
    });
  });
  it('type, client_id, topic_filters and ip are read too', () => {
    expect(parse(payloads.v4Style)).toEqual({
      title: 'EMQX • unsubscribed',
      subtitle: 'client: legacy-3',
      body: 'ip: 192.168.1.20\ntopics: a/b, c/#',
      deliveryType: 'NORMAL',
    });
  });
  it("skips EMQX 4's action field", () => {
    expect(parse(payloads.v4Action)).toBeNull();
  });
  it('skips an event outside the known families', () => {
    expect(parse(payloads.otherFamily)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});
