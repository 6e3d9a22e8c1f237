import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { instatusParser } from './instatus.parser.ts';

// The messages below are what Zentik's built-in instatus parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  instatusParser(payload, headers, NOW);

const payloads = {
  incident: {
    meta: {
      unsubscribe: 'https://acme.instatus.com/unsubscribe/abc',
      documentation: 'https://instatus.com/help/webhooks',
    },
    page: {
      id: 'ckf01fvnxywz60a35wdbn5gz5',
      status_indicator: 'MAJOROUTAGE',
      status_description: 'Major outage',
      url: 'https://acme.instatus.com',
    },
    incident: {
      backfilled: false,
      created_at: '2025-03-05T14:20:00.000Z',
      impact: 'MAJOROUTAGE',
      name: 'Login failures',
      resolved_at: null,
      status: 'INVESTIGATING',
      updated_at: '2025-03-05T14:25:00.000Z',
      id: 'cm7x',
      url: 'https://acme.instatus.com/cm7x',
      incident_updates: [
        {
          id: 'u1',
          incident_id: 'cm7x',
          body: 'We are looking into login failures.',
          status: 'INVESTIGATING',
          created_at: '2025-03-05T14:20:00.000Z',
          updated_at: '2025-03-05T14:20:00.000Z',
        },
        {
          id: 'u2',
          incident_id: 'cm7x',
          body: 'The identity provider is timing out.',
          status: 'INVESTIGATING',
          created_at: '2025-03-05T14:25:00.000Z',
          updated_at: '2025-03-05T14:25:00.000Z',
        },
      ],
    },
  },
  incidentResolved: {
    meta: {
      unsubscribe: 'https://acme.instatus.com/unsubscribe/abc',
      documentation: 'https://instatus.com/help/webhooks',
    },
    page: {
      id: 'ckf01',
      status_indicator: 'UP',
      status_description: 'All systems operational',
      url: 'https://acme.instatus.com',
    },
    incident: {
      backfilled: false,
      created_at: '2025-03-05T14:20:00.000Z',
      impact: 'PARTIAL_OUTAGE',
      name: 'Login failures',
      resolved_at: '2025-03-05T15:00:00.000Z',
      status: 'RESOLVED',
      updated_at: '2025-03-05T15:00:00.000Z',
      id: 'cm7x',
      url: 'https://acme.instatus.com/cm7x',
      incident_updates: [],
    },
  },
  maintenance: {
    meta: {
      unsubscribe: 'https://acme.instatus.com/unsubscribe/abc',
      documentation: 'https://instatus.com/help/webhooks',
    },
    page: {
      id: 'ckf01',
      status_indicator: 'UNDERMAINTENANCE',
      status_description: 'Under maintenance',
      url: 'https://acme.instatus.com',
    },
    maintenance: {
      backfilled: false,
      created_at: '2025-03-08T22:00:00.000Z',
      impact: 'UNDERMAINTENANCE',
      name: 'Certificate rotation',
      resolved_at: null,
      status: 'INPROGRESS',
      updated_at: '2025-03-08T22:05:00.000Z',
      id: 'mt1',
      url: 'https://acme.instatus.com/maintenance/mt1',
      duration: '60',
      maintenance_updates: [
        {
          id: 'm1',
          maintenance_id: 'mt1',
          body: 'Rotation started.',
          status: 'INPROGRESS',
          created_at: '2025-03-08T22:05:00.000Z',
          updated_at: '2025-03-08T22:05:00.000Z',
        },
      ],
    },
  },
  component: {
    meta: {
      unsubscribe: 'https://acme.instatus.com/unsubscribe/abc',
      documentation: 'https://instatus.com/help/webhooks',
    },
    page: {
      id: 'ckf01',
      status_indicator: 'HASISSUES',
      status_description: 'Partial outage',
      url: 'https://acme.instatus.com',
    },
    component_update: {
      created_at: '2025-03-05T14:21:00.000Z',
      new_status: 'PARTIALOUTAGE',
      component_id: 'cmp1',
    },
    component: {
      created_at: '2024-01-01T00:00:00.000Z',
      id: 'cmp1',
      name: 'Dashboard',
      status: 'PARTIALOUTAGE',
    },
  },
  noMeta: {
    page: {
      url: 'https://acme.instatus.com',
    },
    incident: {
      name: 'x',
    },
  },
};

describe('instatus parser: Instatus webhooks, as Zentik reads them', () => {
  it('an incident being investigated is CRITICAL, with its latest update', () => {
    expect(parse(payloads.incident)).toEqual({
      title: '🚨 Incident: Login failures',
      body: 'Status: 🔍 Investigating\nImpact: Majoroutage\n\nLatest Update:\nThe identity provider is timing out.\n\nStarted: Mar 5, 2025, 02:20 PM UTC\n\n🔗 View Incident: https://acme.instatus.com/cm7x\n📊 Status Page: https://acme.instatus.com',
      deliveryType: 'CRITICAL',
    });
  });
  it('a resolved incident', () => {
    expect(parse(payloads.incidentResolved)).toEqual({
      title: '🚨 Incident: Login failures',
      body: 'Status: ✅ Resolved\nImpact: Partial Outage\n\nStarted: Mar 5, 2025, 02:20 PM UTC\nResolved: Mar 5, 2025, 03:00 PM UTC\n\n🔗 View Incident: https://acme.instatus.com/cm7x\n📊 Status Page: https://acme.instatus.com',
      deliveryType: 'NORMAL',
    });
  });
  it('a maintenance in progress', () => {
    expect(parse(payloads.maintenance)).toEqual({
      title: '🔧 Maintenance: Certificate rotation',
      body: 'Status: 🔄 In Progress\nImpact: Undermaintenance\nDuration: 60\n\nLatest Update:\nRotation started.\n\nCreated: Mar 8, 2025, 10:00 PM UTC\n\n🔗 View Maintenance: https://acme.instatus.com/maintenance/mt1\n📊 Status Page: https://acme.instatus.com',
      deliveryType: 'NORMAL',
    });
  });
  it('a component in partial outage is CRITICAL', () => {
    expect(parse(payloads.component)).toEqual({
      title: '🔴 Component Update: Dashboard',
      body: 'New Status: 🔴 Partial Outage\nComponent: Dashboard\n\n📊 Status Page: https://acme.instatus.com',
      deliveryType: 'CRITICAL',
    });
  });
  it('skips a payload without meta', () => {
    expect(parse(payloads.noMeta)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('instatus parser: payloads Zentik answers with its parsing-error message', () => {
  it('reads the kind from which field is present, so a null incident beside a maintenance is refused', () => {
    expect(refusedField({ ...payloads.maintenance, incident: null })).toBe('incident');
  });
});
