/**
 * Instatus status-page webhooks, read as Zentik's built-in parser reads them: `{meta, page,
 * incident}`, `{meta, page, maintenance}` or `{meta, page, component_update, component}`, with
 * Instatus's upper-case statuses (`INVESTIGATING`, `INPROGRESS`, `MAJOROUTAGE`, …).
 *
 * Skipped (204, no message), as in Zentik: no `meta`, no `page.url`, or none of `incident`,
 * `maintenance` and `component_update`.
 */
import {
  type DeliveryType,
  finishZentikMessage,
  type ParsedMessage,
  type Parser,
  SKIPPED,
} from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';
import { list, need, statusPageDate, text } from './zentik-reader.ts';

const INCIDENT_STATUSES: Readonly<Record<string, string>> = {
  INVESTIGATING: '🔍 Investigating',
  IDENTIFIED: '⚠️ Identified',
  MONITORING: '👁️ Monitoring',
  RESOLVED: '✅ Resolved',
};
const MAINTENANCE_STATUSES: Readonly<Record<string, string>> = {
  NOTSTARTEDYET: '⏰ Not Started Yet',
  INPROGRESS: '🔄 In Progress',
  COMPLETED: '✅ Completed',
};
const COMPONENT_STATUSES: Readonly<Record<string, string>> = {
  OPERATIONAL: '✅ Operational',
  UNDERMAINTENANCE: '🔧 Under Maintenance',
  DEGRADEDPERFORMANCE: '⚠️ Degraded Performance',
  PARTIALOUTAGE: '🔴 Partial Outage',
  MAJOROUTAGE: '🚨 Major Outage',
};
const COMPONENT_ICONS: Readonly<Record<string, string>> = {
  OPERATIONAL: '✅',
  UNDERMAINTENANCE: '🔧',
  DEGRADEDPERFORMANCE: '⚠️',
  PARTIALOUTAGE: '🔴',
  MAJOROUTAGE: '🚨',
};

/** The label for a known status, else the status as sent. */
const label = (map: Readonly<Record<string, string>>, status: unknown): unknown =>
  typeof status === 'string' && Object.hasOwn(map, status) ? map[status] : status;

/** `MINOR_OUTAGE` → `Minor Outage`. */
const impactText = (impact: string): string =>
  impact
    .replace(/_/g, ' ')
    .toLowerCase()
    .replace(/\b\w/g, (letter) => letter.toUpperCase());

/** The status, impact, latest update and dates shared by incidents and maintenance. */
function eventLines(
  event: JsonObject,
  field: 'incident' | 'maintenance',
  statuses: Readonly<Record<string, string>>,
  dates: readonly [created: string, resolved: string],
): string[] {
  const lines = [`Status: ${label(statuses, event.status)}`];
  if (event.impact) lines.push(`Impact: ${impactText(text(event.impact, `${field}.impact`))}`);
  if (field === 'maintenance' && event.duration) lines.push(`Duration: ${event.duration}`);
  const updatesField = `${field}_updates`;
  const updates = list(event[updatesField]);
  if (updates !== undefined && updates.length > 0) {
    const latest = need(updates[updates.length - 1], `${field}.${updatesField}[${updates.length - 1}]`);
    if (latest.body) lines.push('', 'Latest Update:', `${latest.body}`);
  }
  lines.push('', `${dates[0]}: ${statusPageDate(event.created_at)}`);
  if (event.resolved_at) lines.push(`${dates[1]}: ${statusPageDate(event.resolved_at)}`);
  return lines;
}

function incidentMessage(p: JsonObject, page: JsonObject): ParsedMessage {
  const incident = need(p.incident, 'incident');
  const lines = eventLines(incident, 'incident', INCIDENT_STATUSES, ['Started', 'Resolved']);
  lines.push('', `🔗 View Incident: ${incident.url}`, `📊 Status Page: ${page.url}`);
  let deliveryType: DeliveryType = 'NORMAL';
  if (!incident.resolved_at && (incident.status === 'INVESTIGATING' || incident.status === 'IDENTIFIED')) {
    deliveryType = 'CRITICAL';
  }
  return { title: `🚨 Incident: ${incident.name}`, body: lines.join('\n'), deliveryType };
}

function maintenanceMessage(p: JsonObject, page: JsonObject): ParsedMessage {
  const maintenance = need(p.maintenance, 'maintenance');
  const lines = eventLines(maintenance, 'maintenance', MAINTENANCE_STATUSES, ['Created', 'Completed']);
  lines.push('', `🔗 View Maintenance: ${maintenance.url}`, `📊 Status Page: ${page.url}`);
  return { title: `🔧 Maintenance: ${maintenance.name}`, body: lines.join('\n'), deliveryType: 'NORMAL' };
}

function componentMessage(p: JsonObject, page: JsonObject): ParsedMessage {
  const update = need(p.component_update, 'component_update');
  const component = need(p.component, 'component');
  const status = update.new_status;
  const icon =
    typeof status === 'string' && Object.hasOwn(COMPONENT_ICONS, status) ? COMPONENT_ICONS[status] : '📢';
  const lines = [
    `New Status: ${label(COMPONENT_STATUSES, status)}`,
    `Component: ${component.name}`,
    '',
    `📊 Status Page: ${page.url}`,
  ];
  return {
    title: `${icon} Component Update: ${component.name}`,
    body: lines.join('\n'),
    deliveryType: status === 'PARTIALOUTAGE' || status === 'MAJOROUTAGE' ? 'CRITICAL' : 'NORMAL',
  };
}

export const instatusParser: Parser = (payload) => {
  const p = asObject(payload);
  const page = asObject(p?.page);
  if (p === undefined || !p.meta || !page?.url) return SKIPPED;
  if (!p.incident && !p.maintenance && !p.component_update) return SKIPPED;

  // The kind is decided by which field is present at all, as in Zentik.
  if (Object.hasOwn(p, 'incident')) return finishZentikMessage(incidentMessage(p, page));
  if (Object.hasOwn(p, 'maintenance')) return finishZentikMessage(maintenanceMessage(p, page));
  return finishZentikMessage(componentMessage(p, page));
};
