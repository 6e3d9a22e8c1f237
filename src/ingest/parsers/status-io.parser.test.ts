import { describe, expect, it } from 'vitest';
import { refusedFieldOf } from '../../../test/support/parser-refusal.ts';
import { statusIoParser } from './status-io.parser.ts';

// The messages below are what Zentik's built-in status-io parser produces for these payloads,
// worked out from its source; the payloads are written here in the source system's own format.
const NOW = new Date('2025-07-01T12:00:00.000Z');
const parse = (payload: unknown, headers: Record<string, string> = {}) =>
  statusIoParser(payload, headers, NOW);

const payloads = {
  incident: {
    id: '5f3c2a1b0e9d8c7b6a5f4e3d',
    message_id: '5f3c2a1b0e9d8c7b6a5f4e40',
    title: 'Elevated API error rates',
    datetime: '2025-04-10T08:15:00.000Z',
    datetime_start: '2025-04-10T08:02:00.000Z',
    datetime_resolve: '',
    current_status: 'Partial Service Disruption',
    current_state: 'Investigating',
    previous_status: 'Operational',
    previous_state: 'Investigating',
    infrastructure_affected: [
      {
        component: 'c1',
        container: 'k1',
      },
    ],
    components: [
      {
        name: 'API',
        _id: 'c1',
      },
      {
        name: 'Webhooks',
        _id: 'c2',
      },
    ],
    containers: [
      {
        name: 'EU West',
        _id: 'k1',
      },
    ],
    details: 'We are investigating increased 5xx responses from the public API.',
    incident_url: 'https://status.example.org/pages/incident/5f3c/5f3d',
    status_page_url: 'https://status.example.org',
  },
  incidentResolved: {
    id: '5f3c2a1b0e9d8c7b6a5f4e3d',
    message_id: '5f3c2a1b0e9d8c7b6a5f4e99',
    title: 'Elevated API error rates',
    datetime: '2025-04-10T09:30:00.000Z',
    datetime_start: '2025-04-10T08:02:00.000Z',
    datetime_resolve: '2025-04-10T09:28:00.000Z',
    current_status: 'Operational',
    current_state: 'Resolved',
    previous_status: 'Degraded Performance',
    previous_state: 'Monitoring',
    components: [
      {
        name: 'API',
        _id: 'c1',
      },
    ],
    containers: [],
    details: 'Error rates are back to normal.',
    incident_url: 'https://status.example.org/pages/incident/5f3c/5f3d',
    status_page_url: 'https://status.example.org',
  },
  maintenance: {
    id: '6a7b8c9d',
    message_id: '6a7b8c9e',
    title: 'Database upgrade',
    datetime: '2025-04-12T20:00:00.000Z',
    datetime_start: '2025-04-13T01:00:00.000Z',
    datetime_end: '2025-04-13T03:00:00.000Z',
    current_status: 'Planned Maintenance',
    infrastructure_affected: [],
    components: [
      {
        name: 'Database',
        _id: 'c9',
      },
    ],
    containers: [
      {
        name: 'US East',
        _id: 'k2',
      },
    ],
    details: 'We will upgrade the primary database cluster.',
    maintenance_url: 'https://status.example.org/pages/maintenance/6a7b/6a7c',
    status_page_url: 'https://status.example.org',
  },
  noDetails: {
    id: '1',
    message_id: '2',
    title: 't',
    status_page_url: 'https://status.example.org',
    incident_url: 'https://status.example.org/i',
  },
};

describe('status-io parser: Status.io webhooks, as Zentik reads them', () => {
  it('an incident being investigated is CRITICAL', () => {
    expect(parse(payloads.incident)).toEqual({
      title: '🚨 Incident: Elevated API error rates',
      body: 'Status: Partial Service Disruption\nState: Investigating\nPrevious: Operational (Investigating)\n\nWe are investigating increased 5xx responses from the public API.\n\nStarted: Apr 10, 2025, 08:02 AM UTC\n\nAffected Components: API, Webhooks\nAffected Locations: EU West\n\n🔗 View Incident: https://status.example.org/pages/incident/5f3c/5f3d\n📊 Status Page: https://status.example.org',
      deliveryType: 'CRITICAL',
    });
  });
  it('a resolved incident is NORMAL', () => {
    expect(parse(payloads.incidentResolved)).toEqual({
      title: '🚨 Incident: Elevated API error rates',
      body: 'Status: Operational\nState: Resolved\nPrevious: Degraded Performance (Monitoring)\n\nError rates are back to normal.\n\nStarted: Apr 10, 2025, 08:02 AM UTC\nResolved: Apr 10, 2025, 09:28 AM UTC\n\nAffected Components: API\n\n🔗 View Incident: https://status.example.org/pages/incident/5f3c/5f3d\n📊 Status Page: https://status.example.org',
      deliveryType: 'NORMAL',
    });
  });
  it('a maintenance window', () => {
    expect(parse(payloads.maintenance)).toEqual({
      title: '🔧 Maintenance: Database upgrade',
      body: 'Status: Planned Maintenance\n\nWe will upgrade the primary database cluster.\n\nWindow: Apr 13, 2025, 01:00 AM UTC - Apr 13, 2025, 03:00 AM UTC\n\nAffected Components: Database\nAffected Locations: US East\n\n🔗 View Maintenance: https://status.example.org/pages/maintenance/6a7b/6a7c\n📊 Status Page: https://status.example.org',
      deliveryType: 'NORMAL',
    });
  });
  it('skips a payload without details', () => {
    expect(parse(payloads.noDetails)).toBeNull();
  });

  it('skips a body that is not a JSON object', () => {
    for (const payload of [undefined, null, 'text', 42, []]) expect(parse(payload)).toBeNull();
  });
});

const refusedField = (payload: unknown) => refusedFieldOf(parse, payload);

describe('status-io parser: payloads Zentik answers with its parsing-error message', () => {
  it('refuses a component that is not an object', () => {
    expect(refusedField({ ...payloads.incident, components: [null] })).toBe('components[0]');
  });
});
