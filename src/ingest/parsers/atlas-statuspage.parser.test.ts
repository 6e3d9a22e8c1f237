import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { atlasStatuspageParser } from './atlas-statuspage.parser.ts';

// The messages below are what Zentik's built-in atlas-statuspage parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  atlasStatuspageParser(payload, headers, NOW);

const payloads = {
  incident: {
    meta: {
      unsubscribe: 'http://statustest.flyingkleinbrothers.com:5000/?unsubscribe=j0vqr9kl3513',
      documentation: 'https://doers.statuspage.io/customer-notifications/webhooks/',
    },
    page: {
      id: 'j2mfxwj97wnj',
      status_indicator: 'major',
      status_description: 'Partial System Outage',
    },
    incident: {
      backfilled: false,
      created_at: '2025-02-14T09:00:12.000Z',
      impact: 'major',
      impact_override: null,
      monitoring_at: null,
      postmortem_body: null,
      name: 'Payments delayed',
      resolved_at: null,
      shortlink: 'http://stspg.io/abc123',
      status: 'identified',
      updated_at: '2025-02-14T09:20:00.000Z',
      id: 'lbkhbwn21v5q',
      organization_id: 'j2mfxwj97wnj',
      started_at: '2025-02-14T08:55:00.000Z',
      incident_updates: [
        {
          id: 'upd2',
          incident_id: 'lbkhbwn21v5q',
          body: 'A faulty deploy was rolled back; queues are draining.',
          status: 'identified',
          created_at: '2025-02-14T09:20:00.000Z',
          updated_at: '2025-02-14T09:20:00.000Z',
          display_at: '2025-02-14T09:20:00.000Z',
          wants_twitter_update: false,
          twitter_updated_at: null,
          affected_components: [
            {
              code: 'k7730b5v92bv',
              name: 'Payments API',
              old_status: 'operational',
              new_status: 'partial_outage',
            },
          ],
        },
        {
          id: 'upd1',
          incident_id: 'lbkhbwn21v5q',
          body: 'Investigating delays.',
          status: 'investigating',
          created_at: '2025-02-14T09:00:12.000Z',
          updated_at: '2025-02-14T09:00:12.000Z',
          display_at: '2025-02-14T09:00:12.000Z',
          wants_twitter_update: false,
          twitter_updated_at: null,
          affected_components: null,
        },
      ],
      components: [
        {
          created_at: '2024-01-01T00:00:00.000Z',
          id: 'k7730b5v92bv',
          name: 'Payments API',
          status: 'partial_outage',
          updated_at: '2025-02-14T09:20:00.000Z',
          position: 1,
          description: 'Card and bank payments',
          showcase: true,
          start_date: null,
          page_id: 'j2mfxwj97wnj',
          group_id: null,
        },
        {
          created_at: '2024-01-01T00:00:00.000Z',
          id: 'zz1',
          name: 'Dashboard',
          status: 'operational',
          updated_at: '2025-02-14T09:20:00.000Z',
          position: 2,
          description: null,
          showcase: true,
          start_date: null,
          page_id: 'j2mfxwj97wnj',
          group_id: null,
        },
      ],
    },
  },
  incidentResolved: {
    meta: {
      unsubscribe: 'https://status.example.org/?unsubscribe=x',
      documentation: 'https://doers.statuspage.io/customer-notifications/webhooks/',
    },
    page: {
      id: 'j2mfxwj97wnj',
      status_indicator: 'none',
      status_description: 'All Systems Operational',
    },
    incident: {
      created_at: '2025-02-14T09:00:12.000Z',
      impact: 'none',
      monitoring_at: '2025-02-14T09:40:00.000Z',
      name: 'Payments delayed',
      resolved_at: '2025-02-14T10:02:00.000Z',
      shortlink: null,
      status: 'resolved',
      id: 'lbkhbwn21v5q',
      incident_updates: [
        {
          id: 'upd3',
          body: 'Resolved.',
          status: 'resolved',
          affected_components: [],
        },
      ],
      components: [],
    },
  },
  component: {
    meta: {
      unsubscribe: 'https://status.example.org/?unsubscribe=x',
      documentation: 'https://doers.statuspage.io/customer-notifications/webhooks/',
    },
    page: {
      id: 'j2mfxwj97wnj',
      status_indicator: 'critical',
      status_description: 'Major System Outage',
    },
    component_update: {
      created_at: '2025-02-14T11:00:00.000Z',
      new_status: 'major_outage',
      old_status: 'degraded_performance',
      id: 'cu1',
      component_id: 'k7730b5v92bv',
    },
    component: {
      created_at: '2024-01-01T00:00:00.000Z',
      id: 'k7730b5v92bv',
      name: 'Payments API',
      status: 'major_outage',
      description: 'Card and bank payments',
    },
  },
  noPageId: {
    meta: {},
    page: {
      status_indicator: 'none',
    },
    incident: {
      name: 'x',
      status: 'resolved',
    },
  },
};

describe('atlas-statuspage parser: Atlassian Statuspage webhooks, as Zentik reads them', () => {
  it('an identified incident lists components and the latest update', () => {
    expect(parse(payloads.incident)).toEqual({
      title: '🚨 Incident: Payments delayed',
      body: 'Status: ⚠️ Identified\nImpact: 🔴 Major\n\nAffected Components:\n• 🔴 Payments API - 🔴 Partial Outage\n  Description: Card and bank payments\n• ✅ Dashboard - ✅ Operational\n\nLatest Update:\nA faulty deploy was rolled back; queues are draining.\n\nComponent Status Changes:\n• Payments API: ✅ -> 🔴\n\nStarted: Feb 14, 2025, 08:55 AM UTC\n\n🔗 View Incident Details: http://stspg.io/abc123',
      deliveryType: 'CRITICAL',
    });
  });
  it('a resolved incident without shortlink', () => {
    expect(parse(payloads.incidentResolved)).toEqual({
      title: '🚨 Incident: Payments delayed',
      body: 'Status: ✅ Resolved\nImpact: None\n\nLatest Update:\nResolved.\n\nStarted: Feb 14, 2025, 09:00 AM UTC\nResolved: Feb 14, 2025, 10:02 AM UTC\n',
      deliveryType: 'NORMAL',
    });
  });
  it('a component going to major outage is CRITICAL', () => {
    expect(parse(payloads.component)).toEqual({
      title: '🚨 Component Update: Payments API',
      body: 'Status Change: ⚠️ Degraded Performance -> 🚨 Major Outage\nComponent: Payments API\nDescription: Card and bank payments\n\nPage Status: Major System Outage\n\nUpdated: Feb 14, 2025, 11:00 AM UTC',
      deliveryType: 'CRITICAL',
    });
  });
  it('skips a payload without page.id', () => {
    expect(parse(payloads.noPageId)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('atlas-statuspage parser: payloads Zentik answers with its parsing-error message', () => {
  it('refuses an incident status that is not text', () => {
    expect(
      refusedField({
        ...payloads.incidentResolved,
        incident: { ...payloads.incidentResolved.incident, status: 3 },
      }),
    ).toBe('incident.status');
  });
});
