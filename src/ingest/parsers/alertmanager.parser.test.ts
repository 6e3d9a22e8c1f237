import { describe, expect, it } from 'vitest';
import { alertmanagerParser } from './alertmanager.parser.ts';
import { ParserInputError } from './parser.ts';

const parse = (payload: unknown) => alertmanagerParser(payload, { 'user-agent': 'Alertmanager/0.27.0' });

const groupKey = '{}/{severity="critical"}:{alertname="InstanceDown"}';

const instanceDown = {
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
  groupKey,
  truncatedAlerts: 0,
};

function diskAlert(instance: string, status: 'firing' | 'resolved', summary: string) {
  return {
    status,
    labels: { alertname: 'DiskSpaceLow', instance, job: 'node', severity: 'warning' },
    annotations: { summary },
    startsAt: '2025-03-01T08:00:00.000Z',
    endsAt: status === 'resolved' ? '2025-03-01T09:00:00.000Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes',
    fingerprint: `fp-${instance}`,
  };
}

describe('alertmanager parser', () => {
  it('turns a single critical alert into a critical message keyed by its group', () => {
    const message = parse(instanceDown);
    expect(message).toMatchObject({
      title: '[FIRING:1] InstanceDown',
      subtitle: 'Alertmanager · herald',
      body: 'Instance db1:9100 down\ndb1:9100 of job node has been down for more than 5 minutes.',
      deliveryType: 'CRITICAL',
      tapAction: { type: 'NAVIGATE', value: 'http://alertmanager:9093' },
      groupId: 'alertmanager:InstanceDown',
      collapseId: groupKey,
    });
    const silence = message.actions?.find((action) => action.title === 'Silence');
    expect(silence?.value).toMatch(/^http:\/\/alertmanager:9093\/#\/silences\/new\?filter=/);
    expect(decodeURIComponent(silence?.value.split('filter=')[1] ?? '')).toBe(
      '{alertname="InstanceDown",instance="db1:9100",job="node",severity="critical"}',
    );
    expect(message.actions?.[0]).toEqual({
      type: 'NAVIGATE',
      value: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
      title: 'Source',
    });
  });

  it('replaces the firing notice with a NORMAL resolved one', () => {
    const resolved = parse({
      ...instanceDown,
      status: 'resolved',
      alerts: [{ ...instanceDown.alerts[0], status: 'resolved', endsAt: '2025-03-01T10:20:00.000Z' }],
    });
    expect(resolved.title).toBe('[RESOLVED] InstanceDown');
    expect(resolved.deliveryType).toBe('NORMAL');
    expect(resolved.collapseId).toBe(parse(instanceDown).collapseId);
    expect(resolved.actions?.map((action) => action.title)).toEqual(['Source']);
  });

  it('summarises several alerts of a warning group, marking the resolved ones', () => {
    const message = parse({
      receiver: 'herald',
      status: 'firing',
      alerts: [
        diskAlert('web1:9100', 'firing', 'Only 4% disk left on /'),
        diskAlert('web2:9100', 'firing', 'Only 7% disk left on /var'),
        diskAlert('web3:9100', 'resolved', 'Only 9% disk left on /'),
      ],
      groupLabels: { alertname: 'DiskSpaceLow' },
      commonLabels: { alertname: 'DiskSpaceLow', job: 'node', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      version: '4',
      groupKey: '{}:{alertname="DiskSpaceLow"}',
      truncatedAlerts: 2,
    });
    expect(message.title).toBe('[FIRING:2] DiskSpaceLow');
    expect(message.deliveryType).toBe('NORMAL');
    expect(message.body).toBe(
      [
        '• web1:9100: Only 4% disk left on /',
        '• web2:9100: Only 7% disk left on /var',
        '• [resolved] web3:9100: Only 9% disk left on /',
        '…and 2 more alerts',
      ].join('\n'),
    );
  });

  it('escalates a mixed group when one firing alert is critical', () => {
    const critical = diskAlert('db1:9100', 'firing', 'Only 1% disk left on /');
    critical.labels.severity = 'critical';
    const message = parse({
      ...instanceDown,
      alerts: [diskAlert('web1:9100', 'firing', 'Only 4% disk left'), critical],
      commonLabels: { alertname: 'DiskSpaceLow', job: 'node' },
      groupLabels: { alertname: 'DiskSpaceLow' },
      commonAnnotations: {},
    });
    expect(message.deliveryType).toBe('CRITICAL');
  });

  it('keeps the title and body within the message limits', () => {
    const alerts = Array.from({ length: 40 }, (_, i) =>
      diskAlert(`host-${i}.example.internal:9100`, 'firing', 'x'.repeat(120)),
    );
    const message = parse({
      ...instanceDown,
      alerts,
      groupLabels: { alertname: 'A'.repeat(300) },
      commonLabels: {},
    });
    expect(Array.from(message.title).length).toBeLessThanOrEqual(100);
    expect(Array.from(message.body ?? '').length).toBeLessThanOrEqual(500);
  });

  it('rejects payloads that are not Alertmanager groups', () => {
    expect(() => parse(null)).toThrow(ParserInputError);
    expect(() => parse({ ...instanceDown, status: undefined })).toThrow(
      expect.objectContaining({ field: 'status', message: expect.stringContaining('"status"') }),
    );
    expect(() => parse({ ...instanceDown, alerts: 'none' })).toThrow(
      expect.objectContaining({ field: 'alerts', message: expect.stringContaining('"alerts"') }),
    );
  });
});
